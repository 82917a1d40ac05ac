// Importing and exporting model packages: a package is checked (manifest,
// weight files, hashes) before anything is installed, a damaged one is refused
// with the file and the problem, and nothing is overwritten on export.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, type ModelManifest } from '../../../src-main/core/model/package';
import { decisionLine, ModelRegistry } from '../../../src-main/core/registry/model-registry';
import type { Store } from '../../../src-main/core/store';
import { fakeManifest, writeFakeModel } from '../jobs/model-fixture';
import { memoryStore } from '../store/fixtures';

let root: string;
let store: Store;
let registry: ModelRegistry;

/** A package whose weights file matches its manifest (bytes, hash, tensor extent). */
function writePackage(dir: string, id: string, edit: (m: ModelManifest) => ModelManifest = (m) => m): void {
  const weights = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
  const base = fakeManifest({ id, name: `Package ${id}`, metrics: { odDice: 0.91, ocDice: 0.77, sensitivityAt85: 0.5 } });
  const manifest = edit({
    ...base,
    networks: [{ ...base.networks[0]!, weights: { file: 'main.weights.bin', sha256: crypto.createHash('sha256').update(weights).digest('hex'), entries: [{ name: 'w', shape: [16], dtype: 'float32', offset: 0, byteLength: 64 }] } }],
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'main.weights.bin'), weights);
  fs.writeFileSync(path.join(dir, 'README.md'), '# readme');
}

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-packages-'));
  store = memoryStore();
  const bundled = path.join(root, 'bundled');
  await writeFakeModel(bundled, { id: 'bundled-pkg' });
  registry = new ModelRegistry(store, path.join(root, 'user-data'), bundled);
  registry.ensureBundled();
});
afterEach(() => {
  store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const installed = (): string[] => (fs.existsSync(registry.modelsDir) ? fs.readdirSync(registry.modelsDir) : []);

describe('importing a model package', () => {
  it('shows what a package holds before installing anything', () => {
    const dir = path.join(root, 'cli-trained');
    writePackage(dir, 'cli-1');
    const preview = registry.inspectPackage(dir);
    expect(preview).toMatchObject({ packageId: 'cli-1', name: 'Package cli-1', metrics: { odDice: 0.91, ocDice: 0.77 }, metricsNote: 'fixture', installedAs: null });
    expect(preview.dataCard).toMatchObject({ source: 'synthetic test data', images: 10 });
    expect(preview.decision).toMatch(/paper's rule/);
    expect(installed()).toEqual([]);
    expect(registry.list().map((m) => m.id)).toEqual(['bundled-default']);
  });

  it('copies a checked package into the data folder as a new, inactive version, and refuses it a second time', async () => {
    const dir = path.join(root, 'cli-trained');
    writePackage(dir, 'cli-1');
    const row = await registry.importPackage(dir);
    expect(row).toMatchObject({ name: 'Package cli-1', packageId: 'cli-1', active: false, parentId: null, provenance: { kind: 'imported', from: dir } });
    const copy = registry.dirOf(row);
    expect(copy.startsWith(registry.modelsDir)).toBe(true);
    expect(fs.readdirSync(copy).sort()).toEqual(['README.md', 'main.weights.bin', 'model.json']);
    expect(fs.readFileSync(path.join(copy, 'main.weights.bin'))).toEqual(fs.readFileSync(path.join(dir, 'main.weights.bin')));
    expect(registry.inspectPackage(dir).installedAs).toBe(row.id);
    await expect(registry.importPackage(dir)).rejects.toThrow(/already installed as "Package cli-1"/);
    expect(registry.activate(row.id).active).toBe(true);
  });

  it('records how many corrections an imported fine-tuned package was trained on, as its manifest says', async () => {
    const dir = path.join(root, 'colleague');
    writePackage(dir, 'ft-elsewhere', (m) => ({ ...m, parent: 'bundled-pkg', training: { finetune: { corrections: 20, replay: 0 } } }));
    const row = await registry.importPackage(dir);
    expect(row.provenance).toMatchObject({ kind: 'imported', corrections: 20 });
    // Its parent is installed here: the version holding that package.
    expect(row.parentId).toBe('bundled-default');
  });

  it.each([
    ['a weights file whose bytes changed', (dir: string) => fs.appendFileSync(path.join(dir, 'main.weights.bin'), 'x'), /main\.weights\.bin: weights file is damaged \(its SHA-256 does not match model\.json\)/],
    ['a missing weights file', (dir: string) => fs.rmSync(path.join(dir, 'main.weights.bin')), /main\.weights\.bin: weights file main\.weights\.bin missing from the model package/],
    ['no model.json', (dir: string) => fs.rmSync(path.join(dir, MANIFEST_FILE)), /not a model package: model\.json is missing/],
    ['a model.json that is not JSON', (dir: string) => fs.writeFileSync(path.join(dir, MANIFEST_FILE), '{"format": "glaucoma-'), /model\.json: not valid JSON/],
    ['a model.json without a data card', (dir: string) => {
      const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
      delete m['dataCard'];
      fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(m));
    }, /model\.json: invalid model manifest at "dataCard"/],
  ])('refuses %s, naming the file and the problem, and installs nothing', async (_what, damage, message) => {
    const dir = path.join(root, 'damaged');
    writePackage(dir, 'bad');
    damage(dir);
    expect(() => registry.inspectPackage(dir)).toThrow(message);
    await expect(registry.importPackage(dir)).rejects.toThrow(message);
    expect(installed()).toEqual([]);
    expect(registry.list().map((m) => m.id)).toEqual(['bundled-default']);
  });

  it('refuses weights shorter than the tensors the manifest lists', async () => {
    const dir = path.join(root, 'short');
    writePackage(dir, 'short', (m) => ({ ...m, networks: [{ ...m.networks[0]!, weights: { ...m.networks[0]!.weights, entries: [{ name: 'w', shape: [32], dtype: 'float32', offset: 0, byteLength: 128 }] } }] }));
    await expect(registry.importPackage(dir)).rejects.toThrow(/main\.weights\.bin: weights file is too short: model\.json lists tensors up to byte 128, the file has 64/);
  });
});

describe('exporting a model package', () => {
  it('writes a checked copy into a new folder and never overwrites one', async () => {
    const dir = path.join(root, 'cli-trained');
    writePackage(dir, 'cli-1');
    const row = await registry.importPackage(dir);
    const out = path.join(root, 'share');
    const written = await registry.exportPackage(row.id, out);
    expect(written).toBe(path.join(out, 'cli-1'));
    expect(registry.inspectPackage(written).packageId).toBe('cli-1');
    fs.writeFileSync(path.join(written, 'note.txt'), 'mine');
    await expect(registry.exportPackage(row.id, out)).rejects.toThrow(/already exists: nothing was overwritten/);
    expect(fs.readFileSync(path.join(written, 'note.txt'), 'utf8')).toBe('mine');
  });

  it('refuses to export a version whose package was damaged since', async () => {
    const dir = path.join(root, 'cli-trained');
    writePackage(dir, 'cli-1');
    const row = await registry.importPackage(dir);
    fs.writeFileSync(path.join(registry.dirOf(row), 'main.weights.bin'), 'garbage');
    await expect(registry.exportPackage(row.id, path.join(root, 'share'))).rejects.toThrow(/weights file is damaged/);
    expect(fs.existsSync(path.join(root, 'share', 'cli-1'))).toBe(false);
  });
});

describe('decisionLine', () => {
  it("says whether a fine-tune's decision rule was refitted on the clinic's graded cases or kept from the parent", () => {
    const base = fakeManifest({ id: 'p', name: 'P' });
    const plain = decisionLine(base);
    expect(decisionLine({ ...base, training: { finetune: { decision: 'refitted on 12 graded cases of these corrections' } } })).toBe(`${plain} Decision refitted on 12 graded cases of these corrections.`);
    expect(decisionLine({ ...base, training: { finetune: { decision: 'kept from the parent' } } })).toBe(`${plain} Decision kept from the parent.`);
    expect(decisionLine({ ...base, training: { epochs: 3 } })).toBe(plain);
  });
});
