// From scratch to a working model: a small network trained on synthetic
// fundus images finds the disc and the fovea on held-out synthetic images.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../src-main/core/backend';
import { writeSyntheticRefuge } from '../../src-main/core/data/synth';
import { openDataset } from '../../src-main/core/data/spec';
import { evaluateModel } from '../../src-main/core/infer/evaluate';
import { Predictor } from '../../src-main/core/infer/predictor';
import { resolveArchConfig } from '../../src-main/core/model/config';
import { readManifest } from '../../src-main/core/model/package';
import { DEFAULT_TRAINING, runTraining } from '../../src-main/core/train/run-training';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { useTestBackend } from '../helpers/backend';

const WIDTH = 160;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-synth-train-'));
const codec = createSharpCodec();
let backend: BackendInfo;

beforeAll(async () => {
  backend = await useTestBackend();
  await writeSyntheticRefuge(path.join(tmp, 'data'), { count: 24, seed: 3, width: WIDTH, height: 152 }, codec);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('training from scratch on synthetic fundus images', () => {
  it('reaches OD Dice >= 0.8 and a fovea error under 10 % of the width on held-out images', async () => {
    const data = path.join(tmp, 'data');
    const run = await runTraining(
      {
        ...DEFAULT_TRAINING,
        data,
        arch: resolveArchConfig({ width: 0.25, inputSize: 64 }),
        epochs: 12,
        batchSize: 4,
        learningRate: 1e-3,
        augment: 'default',
        name: 'synthetic test model',
      },
      path.join(tmp, 'run'),
      { codec, backend },
      false,
    );
    expect(run.modelDir).toBe(path.join(tmp, 'run', 'model'));
    const manifest = readManifest(run.modelDir!);
    expect(manifest.trainedTasks).toEqual(['glaucoma', 'od', 'oc', 'fovea']);
    expect(manifest.vcdrRegression?.slope).toBeGreaterThan(0);
    expect(manifest.preprocessing.padToSquare).toBe(true);
    expect(manifest.dataCard.images).toBe(48);

    const test = (await openDataset(data, codec)).dataset.samples.filter((s) => s.split === 'test');
    expect(test).toHaveLength(24);
    const predictor = Predictor.open(run.modelDir!, codec);
    try {
      const evaluation = await evaluateModel(predictor, test, codec, { tta: true });
      expect(evaluation.images).toHaveLength(24);
      expect(evaluation.summary.odDice).toBeGreaterThanOrEqual(0.8);
      expect(evaluation.summary.foveaErrorPx).toBeLessThan(0.1 * WIDTH);
    } finally {
      predictor.dispose();
    }
  });
});
