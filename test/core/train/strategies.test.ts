import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bceLoss, softDiceLoss } from '../../../src-main/core/model/losses';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { disposeBatch, makeBatch } from '../../../src-main/core/train/example';
import { createStrategy, MtlIndependentOptimizers, SingleTask, SummedLossMtl } from '../../../src-main/core/train/strategies';
import type { Task } from '../../../src-main/core/types';
import { useTestBackend } from '../../helpers/backend';
import { syntheticExample } from '../../helpers/examples';

beforeAll(useTestBackend);

const SIZE = 32;
const owned: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const o of owned.splice(0)) o.dispose();
});
function own<T extends { dispose(): void }>(o: T): T {
  owned.push(o);
  return o;
}

const examples = (labels?: Array<'od' | 'oc' | 'fovea' | 'glaucoma'>) =>
  [0, 1, 2, 3].map((i) => syntheticExample(`e${i}`, SIZE, { cx: 8 + i * 4, cy: 12 + i * 2, r: 5, glaucoma: (i % 2) as 0 | 1, labels }));

function cloneModel(m: MultiTaskUNet): MultiTaskUNet {
  return MultiTaskUNet.fromWeights(m.config, m.params.snapshot());
}

const read = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('MTL-IO (independent optimisers)', () => {
  it('steps the tasks in the paper order, each from the weights the previous task left', () => {
    const model = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 3));
    const reference = own(cloneModel(model));
    const strategy = own(new MtlIndependentOptimizers(['fovea', 'od', 'glaucoma', 'oc']));
    const batch = makeBatch(examples());
    const seen: Array<{ task: Task; kernel: Float32Array }> = [];
    const forward = model.forward.bind(model);
    model.forward = (x, options, sink) => {
      seen.push({ task: options.tasks[0]!, kernel: read(model.params.get('enc0.conv0.kernel')).slice() });
      return forward(x, options, sink);
    };
    strategy.step(model, batch, 7);
    expect(seen.map((s) => s.task)).toEqual(['glaucoma', 'od', 'oc', 'fovea']);
    // Every task saw different shared weights: each step moved the encoder.
    for (let k = 1; k < 4; k++) expect(seen[k]!.kernel).not.toEqual(seen[k - 1]!.kernel);
    // Replaying the glaucoma step alone from the same start gives exactly what the OD pass started from.
    const alone = own(new MtlIndependentOptimizers(['glaucoma']));
    alone.step(reference, batch, 7);
    const replayed = read(reference.params.get('enc0.conv0.kernel'));
    const odStart = seen[1]!.kernel;
    let worst = 0;
    for (let i = 0; i < odStart.length; i++) worst = Math.max(worst, Math.abs(odStart[i]! - replayed[i]!));
    expect(worst).toBeLessThan(1e-6);
    disposeBatch(batch);
  });

  it("keeps one Adam per task, and one task's step leaves another's moments untouched", () => {
    const model = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 4));
    const strategy = own(new MtlIndependentOptimizers());
    const full = makeBatch(examples());
    strategy.step(model, full, 1);
    disposeBatch(full);
    const glaucomaOpt = strategy.optimizers.get('glaucoma')!;
    const odOpt = strategy.optimizers.get('od')!;
    // The glaucoma optimiser holds moments for the encoder and its head only.
    expect(glaucomaOpt.names.some((n) => n.startsWith('dec'))).toBe(false);
    expect(glaucomaOpt.names).toContain('head.glaucoma.out.kernel');
    expect(odOpt.names).toContain('enc0.conv0.kernel');
    expect(odOpt.names).not.toContain('head.oc.kernel');
    // Distinct moment estimates for the same shared weight.
    expect(maxDiff(glaucomaOpt.moments('enc0.conv0.kernel')!.m, odOpt.moments('enc0.conv0.kernel')!.m)).toBeGreaterThan(0);

    const before = tf.clone(odOpt.moments('enc0.conv0.kernel')!.m);
    const beforeV = tf.clone(odOpt.moments('enc0.conv0.kernel')!.v);
    const foveaBefore = tf.clone(strategy.optimizers.get('fovea')!.moments('enc0.conv0.kernel')!.m);
    const foveaOnly = makeBatch(examples(['fovea']));
    const losses = strategy.step(model, foveaOnly, 2);
    disposeBatch(foveaOnly);
    expect(Object.keys(losses)).toEqual(['fovea']);
    expect(maxDiff(before, odOpt.moments('enc0.conv0.kernel')!.m)).toBe(0);
    expect(maxDiff(beforeV, odOpt.moments('enc0.conv0.kernel')!.v)).toBe(0);
    expect(odOpt.moments('enc0.conv0.kernel')!.steps).toBe(1);
    expect(maxDiff(foveaBefore, strategy.optimizers.get('fovea')!.moments('enc0.conv0.kernel')!.m)).toBeGreaterThan(0);
    tf.dispose([before, beforeV, foveaBefore, ...Object.values(losses)]);
  });

  it('trains each task only on the examples that carry its label', () => {
    const reference = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 5));
    const mixed = examples().map((e, i) => (i % 2 === 0 ? e : { ...e, od: undefined }));
    const batch = makeBatch(mixed);
    expect(batch.rows.od).toEqual([0, 2]);
    // Expected: BCE of the network on rows 0 and 2 alone (batch statistics of those rows).
    const x = tf.gather(batch.x, [0, 2]) as tf.Tensor4D;
    const expected = tf.tidy(() => bceLoss(reference.forward(x, { training: true, tasks: ['od'] }).od!, batch.targets.od!).dataSync()[0]!);
    // Both the MTL-IO step and the single-task baseline see only the labelled rows.
    for (const strategy of [new MtlIndependentOptimizers(['od']), new SingleTask('od')]) {
      const fresh = own(cloneModel(reference));
      const losses = own(strategy).step(fresh, batch, 1);
      expect(losses.od!.dataSync()[0]).toBeCloseTo(expected, 5);
      tf.dispose(Object.values(losses));
    }
    tf.dispose(x);
    disposeBatch(batch);
  });
});

describe('the disc and cup loss', () => {
  it("'bce-dice' trains disc and cup on BCE plus soft Dice, in every strategy; the glaucoma loss is unchanged", () => {
    const reference = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 8));
    const batch = makeBatch(examples());
    const expected = tf.tidy(() => {
      const out = reference.forward(batch.x, { training: true, tasks: ['od'] }).od!;
      return { bce: bceLoss(out, batch.targets.od!).dataSync()[0]!, dice: softDiceLoss(out, batch.targets.od!).dataSync()[0]! };
    });
    expect(expected.dice).toBeGreaterThan(0.1);
    for (const name of ['mtl-io', 'mtl', 'single'] as const) {
      for (const segLoss of ['bce', 'bce-dice'] as const) {
        const losses = own(createStrategy(name, ['od'], {}, segLoss)).step(own(cloneModel(reference)), batch, 1);
        expect(losses.od!.dataSync()[0]).toBeCloseTo(segLoss === 'bce' ? expected.bce : expected.bce + expected.dice, 5);
        tf.dispose(Object.values(losses));
      }
    }
    // The glaucoma head keeps its focal loss whatever the segmentation loss.
    const [plain, withDice] = (['bce', 'bce-dice'] as const).map((segLoss) => {
      const losses = own(createStrategy('mtl-io', ['glaucoma'], {}, segLoss)).step(own(cloneModel(reference)), batch, 1);
      const v = losses.glaucoma!.dataSync()[0]!;
      tf.dispose(Object.values(losses));
      return v;
    });
    expect(withDice).toBe(plain);
    disposeBatch(batch);
  });
});

describe('summed-loss MTL and single-task baselines', () => {
  it('summed MTL takes one step of one Adam over the sum of the task losses', () => {
    const model = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 6));
    const strategy = own(new SummedLossMtl());
    const batch = makeBatch(examples());
    const forward = model.forward.bind(model);
    let calls = 0;
    model.forward = (x, options, sink) => {
      calls += 1;
      expect([...options.tasks].sort()).toEqual(['fovea', 'glaucoma', 'oc', 'od']);
      return forward(x, options, sink);
    };
    const losses = strategy.step(model, batch, 1);
    expect(calls).toBe(1);
    expect(Object.keys(losses).sort()).toEqual(['fovea', 'glaucoma', 'oc', 'od']);
    expect(strategy.optimizer.moments('head.fovea.kernel')!.steps).toBe(1);
    tf.dispose(Object.values(losses));
    disposeBatch(batch);
  });

  it('the single-task baseline touches only its own head', () => {
    const model = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 7));
    const ocHead = tf.clone(model.params.get('head.oc.kernel'));
    const odHead = tf.clone(model.params.get('head.od.kernel'));
    const batch = makeBatch(examples());
    const strategy = own(new SingleTask('od'));
    tf.dispose(Object.values(strategy.step(model, batch, 1)));
    expect(maxDiff(ocHead, model.params.get('head.oc.kernel'))).toBe(0);
    expect(maxDiff(odHead, model.params.get('head.od.kernel'))).toBeGreaterThan(0);
    tf.dispose([ocHead, odHead]);
    disposeBatch(batch);
  });
});

describe('memory', () => {
  it('holds the number of live tensors steady over 100 MTL-IO steps', () => {
    const model = own(MultiTaskUNet.create({ width: 0.0625, inputSize: SIZE }, 8));
    const strategy = own(new MtlIndependentOptimizers());
    const data = examples();
    const run = () => {
      const batch = makeBatch(data);
      tf.dispose(Object.values(strategy.step(model, batch, 1)));
      disposeBatch(batch);
    };
    run(); // creates the optimisers' moments
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 99; i++) run();
    expect(tf.memory().numTensors).toBe(after1);
  });
});
