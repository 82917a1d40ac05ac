import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src-main/core/errors';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { DEFAULT_AUGMENTATION } from '../../../src-main/core/train/augment';
import { CHECKPOINT_DIR, readCheckpointState } from '../../../src-main/core/train/checkpoint';
import { trainLoop } from '../../../src-main/core/train/loop';
import { MtlIndependentOptimizers } from '../../../src-main/core/train/strategies';
import { useTestBackend } from '../../helpers/backend';
import { syntheticExample } from '../../helpers/examples';

beforeAll(useTestBackend);

const SIZE = 32;
const data = Array.from({ length: 6 }, (_, i) => syntheticExample(`e${i}`, SIZE, { cx: 8 + i * 3, cy: 10 + i * 2, r: 5, glaucoma: (i % 2) as 0 | 1 }));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-loop-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function train(epochs: number, runDir?: string, resume = false, signal?: AbortSignal, onStep?: () => void) {
  const model = MultiTaskUNet.create({ width: 0.0625, inputSize: SIZE }, 11);
  const strategy = new MtlIndependentOptimizers(undefined, { learningRate: 1e-3 });
  try {
    const result = await trainLoop({ model, strategy, train: data, epochs, batchSize: 4, seed: 5, augment: DEFAULT_AUGMENTATION, runDir, fingerprint: 'test', resume, signal, onProgress: onStep });
    return { weights: model.params.snapshot(), result };
  } finally {
    strategy.dispose();
    model.dispose();
  }
}

function maxDifference(a: Map<string, tf.Tensor>, b: Map<string, tf.Tensor>): number {
  let worst = 0;
  for (const [name, t] of a) worst = Math.max(worst, tf.tidy(() => tf.max(tf.abs(tf.sub(t, b.get(name)!))).dataSync()[0]!));
  return worst;
}

describe('training loop', () => {
  it('is reproducible: the same seed gives the same weights', async () => {
    const a = await train(2);
    const b = await train(2);
    expect(maxDifference(a.weights, b.weights)).toBeLessThan(1e-5);
    expect(a.result.history.map((h) => h.losses)).toEqual(b.result.history.map((h) => h.losses));
    tf.dispose([...a.weights.values(), ...b.weights.values()]);
  });

  it('resumes from its checkpoint exactly where it stopped', async () => {
    const straight = await train(3);
    const runDir = path.join(tmp, 'resume');
    const first = await train(1, runDir);
    expect(readCheckpointState(runDir)?.epochsDone).toBe(1);
    const resumed = await train(3, runDir, true);
    expect(resumed.result.resumedFrom).toBe(1);
    expect(resumed.result.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(maxDifference(straight.weights, resumed.weights)).toBeLessThan(1e-5);
    tf.dispose([...straight.weights.values(), ...first.weights.values(), ...resumed.weights.values()]);
  });

  it('stops on cancel and keeps the last complete checkpoint', async () => {
    const runDir = path.join(tmp, 'cancel');
    const done = await train(1, runDir);
    tf.dispose([...done.weights.values()]);
    const abort = new AbortController();
    let steps = 0;
    await expect(train(3, runDir, true, abort.signal, () => (++steps === 1 ? abort.abort() : undefined))).rejects.toBeInstanceOf(CancelledError);
    expect(readCheckpointState(runDir)?.epochsDone).toBe(1);
    // Nothing half-written is left beside the checkpoint.
    expect(fs.readdirSync(runDir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(runDir, CHECKPOINT_DIR, 'weights.bin'))).toBe(true);
  });

  it('names a checkpoint state that is not JSON, instead of failing with a bare syntax error', () => {
    const runDir = path.join(tmp, 'cut-state');
    fs.mkdirSync(path.join(runDir, CHECKPOINT_DIR), { recursive: true });
    fs.writeFileSync(path.join(runDir, CHECKPOINT_DIR, 'state.json'), '{"epochsDone": 1, "finger');
    expect(() => readCheckpointState(runDir)).toThrow(/state\.json: not valid JSON/);
  });

  it('refuses a checkpoint written for another configuration', async () => {
    const runDir = path.join(tmp, 'other');
    const done = await train(1, runDir);
    tf.dispose([...done.weights.values()]);
    const model = MultiTaskUNet.create({ width: 0.0625, inputSize: SIZE }, 11);
    const strategy = new MtlIndependentOptimizers();
    await expect(trainLoop({ model, strategy, train: data, epochs: 2, batchSize: 4, seed: 5, runDir, fingerprint: 'different', resume: true })).rejects.toThrow(/another configuration/);
    strategy.dispose();
    model.dispose();
  });
});
