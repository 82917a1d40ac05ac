import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { defaultPreprocessing, loadModelPackage, readManifest, saveModelPackage, type ManifestFields } from '../../../src-main/core/model/package';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pkg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fields: ManifestFields = {
  id: 'pkg-test',
  name: 'Package test',
  createdAt: '2026-01-01T00:00:00.000Z',
  trainedTasks: ['od', 'oc'],
  preprocessing: defaultPreprocessing(32),
  vcdrRegression: { intercept: -5, slope: 10, fittedOn: 'hand-made', samples: 4 },
  dataCard: { source: 'unit test', licence: 'none', intendedUse: 'tests', images: 4, labels: { od: 4, oc: 4 } },
  training: { strategy: 'mtl-io' },
  validation: { note: 'none', metrics: { odDice: 0.5 } },
  parent: null,
};

async function save(dir: string, dtype: 'float32' | 'float16' = 'float32') {
  const net = MultiTaskUNet.create({ width: 0.0625, inputSize: 32 }, 3);
  await saveModelPackage(dir, fields, [{ id: 'main', tasks: ['od', 'oc'], input: { kind: 'full-image' }, net }], dtype);
  return net;
}

function maxWeightDifference(a: MultiTaskUNet, b: MultiTaskUNet): number {
  return Math.max(...a.params.specs.map((s) => tf.tidy(() => tf.max(tf.abs(tf.sub(a.params.get(s.name), b.params.get(s.name)))).dataSync()[0]!)));
}

describe('model packages', () => {
  it('round-trips weights, architecture, pre-processing and the data card', async () => {
    const dir = path.join(tmp, 'f32');
    const net = await save(dir);
    const loaded = loadModelPackage(dir);
    expect(loaded.manifest.preprocessing).toEqual(fields.preprocessing);
    expect(loaded.manifest.vcdrRegression).toEqual(fields.vcdrRegression);
    expect(loaded.manifest.dataCard).toEqual(fields.dataCard);
    expect(loaded.networks[0]!.net.config).toEqual(net.config);
    expect(maxWeightDifference(net, loaded.networks[0]!.net)).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('Licence terms: none');
    loaded.dispose();
    net.dispose();
  });

  it('stores float16 at about half the size, close to the float32 weights', async () => {
    const net = await save(path.join(tmp, 'f16'), 'float16');
    const loaded = loadModelPackage(path.join(tmp, 'f16'));
    const size = (d: string) => fs.statSync(path.join(tmp, d, 'main.weights.bin')).size;
    expect(size('f16') / size('f32')).toBeLessThan(0.55);
    expect(maxWeightDifference(net, loaded.networks[0]!.net)).toBeLessThan(2e-3);
    loaded.dispose();
    net.dispose();
  });

  it('refuses damaged packages with a message naming the file and the problem', async () => {
    const copy = (name: string) => {
      const dir = path.join(tmp, name);
      fs.cpSync(path.join(tmp, 'f32'), dir, { recursive: true });
      return dir;
    };
    const truncated = copy('truncated');
    const weights = path.join(truncated, 'main.weights.bin');
    fs.writeFileSync(weights, fs.readFileSync(weights).subarray(0, 100));
    expect(() => loadModelPackage(truncated)).toThrow(/main\.weights\.bin: weights file is damaged/);

    const badJson = copy('bad-json');
    fs.writeFileSync(path.join(badJson, 'model.json'), '{ "format": ');
    expect(() => readManifest(badJson)).toThrow(/model\.json: not valid JSON/);

    const badField = copy('bad-field');
    const manifest = JSON.parse(fs.readFileSync(path.join(badField, 'model.json'), 'utf8'));
    manifest.networks[0].architecture.inputSize = 'big';
    fs.writeFileSync(path.join(badField, 'model.json'), JSON.stringify(manifest));
    expect(() => readManifest(badField)).toThrow(/invalid model manifest at "networks\.0\.architecture\.inputSize"/);

    const newer = copy('newer');
    fs.writeFileSync(path.join(newer, 'model.json'), JSON.stringify({ ...manifest, formatVersion: 9 }));
    expect(() => readManifest(newer)).toThrow(/newer than this app understands/);

    expect(() => readManifest(path.join(tmp, 'nothing-here'))).toThrow(InputError);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    expect(() => readManifest(empty)).toThrow(/not a model package: model\.json is missing/);
  });

  it('replaces an existing package only when the new one is complete', async () => {
    const dir = path.join(tmp, 'atomic');
    const net = await save(dir);
    const before = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    const broken = MultiTaskUNet.create({ width: 0.0625, inputSize: 32 }, 4);
    // An invalid manifest field makes the save fail after the weights were written to the temp folder.
    await expect(saveModelPackage(dir, { ...fields, trainedTasks: ['retina' as never] }, [{ id: 'main', tasks: ['od'], input: { kind: 'full-image' }, net: broken }])).rejects.toThrow();
    expect(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).toBe(before);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.atomic'))).toEqual([]);
    broken.dispose();
    net.dispose();
  });
});
