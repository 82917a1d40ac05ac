// electron-builder.yml without running electron-builder (which downloads
// Electron): it passes electron-builder's own schema validation, every native
// binary and shared library of the production native modules that gets
// packaged is unpacked from app.asar (dlopen and rpath cannot read inside an
// archive), the bundles main.ts loads are packaged, the model goes beside the
// archive where main.ts looks for it, and the packaged binary's fuses are set.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { minimatch } from 'minimatch';
import { describe, expect, it, vi } from 'vitest';
import { bundledModelDir } from '../../src-main/app/resources';

/** What the pack hook asked @electron/rebuild to do (the real rebuild downloads Electron's headers). */
const rebuilds = vi.hoisted(() => [] as unknown[]);
vi.mock('@electron/rebuild', () => ({ rebuild: async (options: unknown) => void rebuilds.push(options) }));

const root = path.resolve(import.meta.dirname, '..', '..');
const requireHere = createRequire(import.meta.url);

interface BuilderConfig {
  readonly files: readonly string[];
  readonly asarUnpack: readonly string[];
  readonly extraResources: ReadonlyArray<{ from: string; to: string }>;
  readonly npmRebuild: boolean;
  readonly beforePack: string;
  readonly afterPack: string;
  readonly electronFuses: Readonly<Record<string, boolean>>;
  readonly extraMetadata: { productName: string };
  readonly productName: string;
}

const yaml = requireHere('js-yaml') as { load(text: string): unknown };
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** electron-builder matches its patterns with minimatch and { dot: true }. */
const matches = (file: string, pattern: string): boolean => minimatch(file, pattern, { dot: true });
const excludedByFiles = (file: string): boolean => config.files.filter((p) => p.startsWith('!')).some((p) => matches(file, p.slice(1)));
const unpacked = (file: string): boolean => config.asarUnpack.some((p) => matches(file, p));

/** Files under `dir` (relative to the project) whose names satisfy `keep`. */
function walk(dir: string, keep: (name: string) => boolean): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return walk(rel, keep);
    return keep(entry.name) ? [rel] : [];
  });
}

const NATIVE = (name: string): boolean => /\.(node|dylib|dll)$/.test(name) || /\.so(\.\d+)*$/.test(name);

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration schema", async () => {
    const { getConfig, validateConfiguration } = requireHere('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<unknown>;
      validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
    };
    const { DebugLogger } = requireHere('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator does refuse a wrong key (so the check above can fail).
    await expect(validateConfiguration({ ...(loaded as object), asarUnpak: ['x'] }, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('unpacks every packaged native binary and the shared libraries beside it', () => {
    const natives = ['node_modules/better-sqlite3', 'node_modules/sharp', 'node_modules/@img', 'node_modules/@tensorflow/tfjs-node', 'node_modules/@tensorflow/tfjs-node-gpu'].flatMap((dir) => walk(dir, NATIVE));
    // This machine has at least better-sqlite3's binding, sharp's and libvips.
    expect(natives.some((f) => f.endsWith('better_sqlite3.node'))).toBe(true);
    expect(natives.some((f) => f.startsWith('node_modules/@img/'))).toBe(true);
    const packed = natives.filter((f) => !excludedByFiles(f));
    expect(packed.filter((f) => !unpacked(f))).toEqual([]);
    // tfjs-node's binding finds libtensorflow through the rpath $ORIGIN/../../deps/lib: both must be unpacked.
    for (const f of ['node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node', 'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2']) {
      expect(unpacked(f)).toBe(true);
      expect(excludedByFiles(f)).toBe(false);
    }
  });

  it('drops build leftovers that are never loaded', () => {
    for (const f of ['node_modules/@tensorflow/tfjs-node/deps/include/tensorflow/c/c_api.h', 'node_modules/@tensorflow/tfjs-node/build-tmp-napi-v8/Release/tfjs_binding.node', 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c', 'node_modules/better-sqlite3/build/Release/obj.target/better_sqlite3.node', 'out/main/index.js.map']) {
      expect(excludedByFiles(f), f).toBe(true);
    }
    expect(excludedByFiles('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(false);
  });

  it('packages what main.ts loads: package.json main, worker.js beside it, the preload, the renderer', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
    const included = (file: string): boolean => config.files.some((p) => !p.startsWith('!') && matches(file, p)) && !excludedByFiles(file);
    for (const f of [pkg.main, 'out/main/worker.js', 'out/main/chunks/shared.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index.js', 'package.json', 'resources/icon.png']) {
      expect(included(f), f).toBe(true);
    }
    // The CLI's bundles and the icon sources stay out.
    for (const f of ['out/node/cli.mjs', 'resources/icon.svg', 'resources/make-icons.mjs', 'resources/model/model.json']) expect(included(f), f).toBe(false);
  });

  it('puts the bundled model beside the archive, where the packaged app reads it', () => {
    expect(config.extraResources).toHaveLength(1);
    const [model] = config.extraResources;
    // Packaged: <resources>/<to>; in development: the project's <from>.
    expect(bundledModelDir({ isPackaged: true, getAppPath: () => '/app.asar' }, '/opt/gs/resources')).toBe(path.join('/opt/gs/resources', model!.to));
    expect(bundledModelDir({ isPackaged: false, getAppPath: () => root }, '/unused')).toBe(path.join(root, model!.from));
    expect(fs.existsSync(path.join(bundledModelDir({ isPackaged: false, getAppPath: () => root }, '/unused'), 'model.json'))).toBe(true);
  });

  it('rebuilds only better-sqlite3 for Electron and puts it back afterwards, through hooks that exist', async () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.afterPack).toBe(config.beforePack);
    const hooks = (await import(pathToFileURL(path.resolve(root, config.beforePack)).href)) as Record<string, unknown>;
    // electron-builder takes the export named after the hook.
    expect(typeof hooks.beforePack).toBe('function');
    expect(typeof hooks.afterPack).toBe('function');
    // Run the hook with electron-builder's context for a linux-x64 pack: it rebuilds better-sqlite3 alone, for Electron.
    const context = { arch: 1, electronPlatformName: 'linux', packager: { config: {}, info: { appDir: root, projectDir: root, framework: { version: '39.8.10' } } } };
    await (hooks.beforePack as (c: unknown) => Promise<void>)(context);
    expect(rebuilds).toHaveLength(1);
    expect(rebuilds[0]).toMatchObject({ onlyModules: ['better-sqlite3'], electronVersion: '39.8.10', arch: 'x64', platform: 'linux', buildPath: root });
    // afterPack puts Node's binding back (here: the same bytes it found).
    const binding = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const before = fs.readFileSync(binding);
    await (hooks.afterPack as (c: unknown) => Promise<void>)(context);
    expect(fs.readFileSync(binding).equals(before)).toBe(true);
  });

  it('names the app and locks the packaged binary down with fuses', () => {
    expect(config.productName).toBe('Glaucoma Studio');
    expect(config.extraMetadata.productName).toBe('Glaucoma Studio');
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
