// Model packages that are damaged in ways a hash check does not see: a FIFO or
// a folder where the weights should be, and a weight the architecture lacks.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { defaultPreprocessing, loadModelPackage, readManifest, saveModelPackage, type ManifestFields } from '../../../src-main/core/model/package';
import { encodeTensors } from '../../../src-main/core/model/weights-io';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pkg-faults-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fields: ManifestFields = {
  id: 'pkg-faults',
  name: 'Package faults',
  createdAt: '2026-01-01T00:00:00.000Z',
  trainedTasks: ['od', 'oc'],
  preprocessing: defaultPreprocessing(32),
  vcdrRegression: { intercept: -5, slope: 10, fittedOn: 'hand-made', samples: 4 },
  dataCard: { source: 'unit test', licence: 'none', intendedUse: 'tests', images: 4, labels: { od: 4, oc: 4 } },
  training: { strategy: 'mtl-io' },
  validation: { note: 'none', metrics: { odDice: 0.5 } },
  parent: null,
};

let base = '';
beforeAll(async () => {
  base = path.join(tmp, 'base');
  const net = MultiTaskUNet.create({ width: 0.0625, inputSize: 32 }, 3);
  await saveModelPackage(base, fields, [{ id: 'main', tasks: ['od', 'oc'], input: { kind: 'full-image' }, net }], 'float32');
  net.dispose();
});

const copy = (name: string): string => {
  const dir = path.join(tmp, name);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
};
const editManifest = (dir: string, edit: (m: any) => void): void => {
  const file = path.join(dir, 'model.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(manifest);
  fs.writeFileSync(file, JSON.stringify(manifest));
};

describe('model packages: faults a hash cannot see', () => {
  it('a FIFO as the weights file is refused at once, not read forever', () => {
    const dir = copy('fifo');
    fs.rmSync(path.join(dir, 'main.weights.bin'));
    execFileSync('mkfifo', [path.join(dir, 'main.weights.bin')]);
    expect(() => loadModelPackage(dir)).toThrow(/main\.weights\.bin: weights file is not a regular file/);
  }, 10_000);

  it('"." or ".." as the weights file name is refused by the manifest check, naming the field', () => {
    for (const name of ['.', '..']) {
      const dir = copy(`dot-${name.length}`);
      editManifest(dir, (m) => (m.networks[0].weights.file = name));
      expect(() => readManifest(dir)).toThrow(/model\.json: invalid model manifest at "networks\.0\.weights\.file": .*not "\." or "\.\."/);
    }
  });

  it('a folder where the weights should be says so', () => {
    const dir = copy('folder');
    fs.rmSync(path.join(dir, 'main.weights.bin'));
    fs.mkdirSync(path.join(dir, 'main.weights.bin'));
    expect(() => loadModelPackage(dir)).toThrow(/main\.weights\.bin: weights file is a folder/);
  });

  it('an unknown extra weight (hash and entries consistent) is refused', () => {
    const dir = copy('extra');
    const loaded = loadModelPackage(dir);
    const values = loaded.networks[0]!.net.params.snapshot();
    values.set('intruder/kernel', tf.zeros([3, 3]));
    const { data, entries } = encodeTensors(values, 'float32');
    tf.dispose([...values.values()]);
    loaded.dispose();
    fs.writeFileSync(path.join(dir, 'main.weights.bin'), data);
    editManifest(dir, (m) => {
      m.networks[0].weights.entries = entries;
      m.networks[0].weights.sha256 = crypto.createHash('sha256').update(data).digest('hex');
    });
    expect(() => loadModelPackage(dir)).toThrow(/main\.weights\.bin: weights: unknown "intruder\/kernel", not part of the architecture/);
  });
});
