// The stalled-start check: when it fires, what it reports, and that a run
// restarts from a new initialisation instead of training a dead network.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../src-main/core/backend';
import { writeSyntheticRefuge } from '../../../src-main/core/data/synth';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { readManifest } from '../../../src-main/core/model/package';
import { readCheckpointState } from '../../../src-main/core/train/checkpoint';
import { StalledStartError, trainLoop } from '../../../src-main/core/train/loop';
import { DEFAULT_TRAINING, runTraining } from '../../../src-main/core/train/run-training';
import { DEFAULT_STALL_POLICY, restartSeed, stallCheckEpoch, stalledReason } from '../../../src-main/core/train/stall';
import { MtlIndependentOptimizers } from '../../../src-main/core/train/strategies';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { syntheticExample } from '../../helpers/examples';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-stall-'));
let backend: BackendInfo;
beforeAll(async () => {
  backend = await useTestBackend();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('stall policy', () => {
  it('checks after a quarter of the run, not before minEpochs, and not in runs too short to tell', () => {
    expect(stallCheckEpoch(40, DEFAULT_STALL_POLICY)).toBe(10);
    expect(stallCheckEpoch(12, DEFAULT_STALL_POLICY)).toBe(5);
    expect(stallCheckEpoch(5, DEFAULT_STALL_POLICY)).toBeNull();
    expect(stallCheckEpoch(3, { ...DEFAULT_STALL_POLICY, minEpochs: 1 })).toBe(1);
  });

  it('calls a start stalled only when every mask task is below the threshold', () => {
    expect(stalledReason({ od: 0, oc: 0.1 }, ['glaucoma', 'od', 'oc'], DEFAULT_STALL_POLICY)).toBe('training-image Dice OD 0.000, OC 0.100 (all below 0.25)');
    // A network that has learnt one of its masks is left alone (the cup often starts later).
    expect(stalledReason({ od: 0.64, oc: 0.005 }, ['od', 'oc'], DEFAULT_STALL_POLICY)).toBeNull();
    // Nothing to judge by: no mask task, or no score.
    expect(stalledReason({}, ['glaucoma', 'fovea'], DEFAULT_STALL_POLICY)).toBeNull();
    expect(stalledReason({ od: null }, ['od'], DEFAULT_STALL_POLICY)).toBeNull();
  });

  it('keeps the run seed for the first initialisation and changes it for restarts', () => {
    expect(restartSeed(1003, 0)).toBe(1003);
    const seeds = [0, 1, 2].map((a) => restartSeed(1003, a));
    expect(new Set(seeds).size).toBe(3);
  });
});

describe('training loop stall check', () => {
  it('stops with StalledStartError after the given epoch, before writing that epoch’s checkpoint', async () => {
    const data = Array.from({ length: 4 }, (_, i) => syntheticExample(`e${i}`, 32, { cx: 10 + i * 3, cy: 12, r: 5, glaucoma: (i % 2) as 0 | 1 }));
    const model = MultiTaskUNet.create({ width: 0.0625, inputSize: 32 }, 3);
    const strategy = new MtlIndependentOptimizers(undefined, { learningRate: 1e-3 });
    const runDir = path.join(tmp, 'loop');
    const asked: number[] = [];
    try {
      const run = trainLoop({
        model,
        strategy,
        train: data,
        epochs: 4,
        batchSize: 4,
        seed: 1,
        runDir,
        stallCheck: { afterEpochs: 2, reason: () => (asked.push(1), 'nothing learnt') },
      });
      await expect(run).rejects.toBeInstanceOf(StalledStartError);
      await expect(run).rejects.toThrow('no learning after 2 epochs: nothing learnt');
      expect(asked).toHaveLength(1);
      expect(readCheckpointState(runDir)?.epochsDone).toBe(1);
    } finally {
      strategy.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBeLessThan(10_000);
  });
});

describe('a training run with a stalled start', () => {
  it('restarts from a new initialisation, logs why, records it in the package, and trains the last attempt to the end', async () => {
    const codec = createSharpCodec();
    const data = path.join(tmp, 'data');
    await writeSyntheticRefuge(data, { count: 4, seed: 5, width: 80, height: 72, splits: ['train'], positiveRate: 0.5 }, codec);
    const logs: string[] = [];
    const run = await runTraining(
      { ...DEFAULT_TRAINING, data, tasks: ['glaucoma', 'od', 'oc'], arch: resolveArchConfig({ width: 0.0625, inputSize: 32 }), epochs: 2, batchSize: 4, name: 'stall test' },
      path.join(tmp, 'run'),
      {
        codec,
        backend,
        // Every start "stalls" (no Dice reaches 1.01): both restarts are used, then the last attempt finishes.
        stallPolicy: { atFraction: 0.5, minEpochs: 1, diceBelow: 1.01, attempts: 3 },
        onEvent: (e) => (e.type === 'log' ? logs.push(e.message) : undefined),
      },
      false,
    );
    const restarts = logs.filter((m) => m.includes('restarting from a new initialisation'));
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toMatch(/^final main: no learning after 1 epochs: training-image Dice OD \d\.\d{3}, OC \d\.\d{3} \(all below 1\.01\); restarting from a new initialisation \(2\/3\)$/);
    const manifest = readManifest(run.modelDir!);
    expect(manifest.training.restarts).toEqual({ main: 2 });
    expect((manifest.training.histories as Record<string, unknown[]>).main).toHaveLength(2);
  });
});
