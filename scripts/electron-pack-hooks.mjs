// electron-builder hooks (electron-builder.yml `beforePack` / `afterPack`).
//
// beforePack rebuilds the one native module tied to Node's ABI, better-sqlite3,
// for the Electron version, platform and architecture being packed, before
// electron-builder copies node_modules. electron-builder's own rebuild
// (npmRebuild) is off because it rebuilds every native module: it would
// re-download or recompile @tensorflow/tfjs-node(-gpu), which are N-API (one
// binary for Node and every Electron) and set up offline by scripts/native-tf.mjs;
// the GPU package cannot be compiled at all without CUDA. sharp ships N-API
// prebuilt packages (@img/*) and needs nothing either.
//
// afterPack puts Node's build back, so the CLI and the tests keep working after
// `npm run dist`; a failed rebuild (offline: node-gyp deletes build/ before it
// downloads Electron's headers) also restores it before failing the build.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rebuild } from '@electron/rebuild';

/** builder-util's Arch enum, by value. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

const require = createRequire(import.meta.url);

/** Node's better-sqlite3 binding as found before the first rebuild, kept in memory. */
let nodeBinding = null;

function bindingPath(appDir) {
  const pkg = createRequire(path.join(appDir, 'package.json')).resolve('better-sqlite3/package.json');
  return path.join(path.dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
}

function restoreNodeBinding(appDir) {
  if (nodeBinding === null) return;
  const file = bindingPath(appDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, nodeBinding);
}

export async function beforePack(context) {
  const arch = ARCH_NAMES[context.arch];
  if (arch === undefined) throw new Error(`beforePack: unknown architecture ${context.arch}`);
  // A universal macOS app is merged from the x64 and arm64 packs, each rebuilt on its own pass.
  if (arch === 'universal') return;
  const info = context.packager.info;
  const file = bindingPath(info.appDir);
  if (nodeBinding === null && fs.existsSync(file)) nodeBinding = fs.readFileSync(file);
  const electronVersion = context.packager.config.electronVersion ?? info.framework.version ?? require('electron/package.json').version;
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  console.log(`  • rebuilding better-sqlite3 for Electron ${electronVersion} ${platform}-${arch}`);
  try {
    await rebuild({
      buildPath: info.appDir,
      projectRootPath: info.projectDir,
      electronVersion,
      arch,
      platform,
      onlyModules: ['better-sqlite3'],
      force: true,
      mode: 'sequential',
    });
  } catch (error) {
    restoreNodeBinding(info.appDir);
    throw error;
  }
}

export async function afterPack(context) {
  restoreNodeBinding(context.packager.info.appDir);
}
