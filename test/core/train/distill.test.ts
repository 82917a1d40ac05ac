// Learning without forgetting: the loss maths on tiny tensors, and what the
// fine-tuning strategy does with it (a head the corrections carry no label for
// is still held to the parent; frozen batch norm keeps the parent's statistics).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { binaryKlElementwise, distillationLoss } from '../../../src-main/core/train/distill';
import { disposeBatch, makeBatch } from '../../../src-main/core/train/example';
import { MtlIndependentOptimizers } from '../../../src-main/core/train/strategies';
import { useTestBackend } from '../../helpers/backend';
import { syntheticExample } from '../../helpers/examples';

beforeAll(useTestBackend);
const owned: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const o of owned.splice(0)) o.dispose();
});
const own = <T extends { dispose(): void }>(o: T): T => (owned.push(o), o);
const value = (t: tf.Tensor): number => t.dataSync()[0]!;
const logit = (p: number): number => Math.log(p / (1 - p));

describe('distillation loss', () => {
  it('is the binary KL divergence p log(p/q) + (1-p) log((1-p)/(1-q)), computed from logits', () => {
    const p = [0.9, 0.2, 0.5, 0];
    const q = [0.6, 0.3, 0.5, 0.1];
    const kl = binaryKlElementwise(tf.tensor1d(q.map(logit)), tf.tensor1d(p)).dataSync();
    const expected = p.map((pi, i) => (pi > 0 ? pi * Math.log(pi / q[i]!) : 0) + (1 - pi) * Math.log((1 - pi) / (1 - q[i]!)));
    for (let i = 0; i < p.length; i++) expect(kl[i]).toBeCloseTo(expected[i]!, 5);
    expect(value(distillationLoss('od', tf.tensor1d(q.map(logit)), tf.tensor1d(p)))).toBeCloseTo(expected.reduce((a, b) => a + b) / p.length, 5);
  });

  it('is zero where the student agrees with the teacher, also for confident and undecided teachers', () => {
    const p = [0.999, 0.5, 0.01, 0.73];
    expect(Math.abs(value(distillationLoss('oc', tf.tensor1d(p.map(logit)), tf.tensor1d(p))))).toBeLessThan(1e-5);
    expect(Math.abs(value(distillationLoss('glaucoma', tf.tensor1d([0]), tf.tensor1d([0.5]))))).toBeLessThan(1e-6);
  });

  it('is positive, and larger the further the student is from the teacher', () => {
    const near = value(distillationLoss('od', tf.tensor1d([logit(0.7)]), tf.tensor1d([0.8])));
    const far = value(distillationLoss('od', tf.tensor1d([logit(0.2)]), tf.tensor1d([0.8])));
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(near * 5);
  });

  it('stays finite for extreme logits', () => {
    const v = value(distillationLoss('od', tf.tensor1d([80, -80]), tf.tensor1d([0, 1])));
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeCloseTo(80, 3);
  });

  it('gives the fovea heat map the mean absolute difference of the sigmoids', () => {
    const v = value(distillationLoss('fovea', tf.tensor1d([logit(0.2), logit(0.9)]), tf.tensor1d([0.5, 0.5])));
    expect(v).toBeCloseTo((0.3 + 0.4) / 2, 5);
  });

  it('has the gradient sigmoid(z) - p on the logits (per element, before the mean)', () => {
    const p = tf.tensor1d([0.8, 0.1]);
    const z = tf.tensor1d([0.3, 1.2]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(binaryKlElementwise(x, p)))(z).dataSync();
    expect(g[0]).toBeCloseTo(1 / (1 + Math.exp(-0.3)) - 0.8, 5);
    expect(g[1]).toBeCloseTo(1 / (1 + Math.exp(-1.2)) - 0.1, 5);
  });
});

describe('fine-tuning with distillation', () => {
  const SIZE = 32;
  const batchOf = (labels: Array<'od' | 'oc' | 'glaucoma'>) =>
    makeBatch([0, 1, 2, 3].map((i) => syntheticExample(`e${i}`, SIZE, { cx: 10 + i * 3, cy: 14, r: 5, glaucoma: (i % 2) as 0 | 1, labels })));

  it('steps a head the batch has no label for on the distillation term alone, and leaves it alone without a teacher', () => {
    const parent = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 5));
    const batch = batchOf(['od', 'oc']);
    try {
      const plain = own(new MtlIndependentOptimizers(['glaucoma', 'od', 'oc'], { learningRate: 1e-3 }));
      const plainLosses = plain.step(own(MultiTaskUNet.fromWeights(parent.config, parent.params.snapshot())), batch, 1);
      expect(plainLosses.glaucoma).toBeUndefined();
      tf.dispose(Object.values(plainLosses));

      const student = own(MultiTaskUNet.fromWeights(parent.config, parent.params.snapshot()));
      const before = student.params.get('head.glaucoma.out.kernel').dataSync().slice();
      const lwf = own(new MtlIndependentOptimizers(['glaucoma', 'od', 'oc'], { learningRate: 1e-3 }, { distill: { teacher: parent, weight: 1 } }));
      const losses = lwf.step(student, batch, 1);
      expect(losses.glaucoma).toBeDefined();
      const after = student.params.get('head.glaucoma.out.kernel').dataSync();
      expect(after.some((v, i) => v !== before[i])).toBe(true);
      tf.dispose(Object.values(losses));
    } finally {
      disposeBatch(batch);
    }
  });

  it("adds weight x the distillation term to a labelled task's loss", () => {
    const teacher = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 6));
    const start = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 9));
    const batch = batchOf(['od']);
    try {
      const lossWith = (weight: number): number => {
        const student = own(MultiTaskUNet.fromWeights(start.config, start.params.snapshot()));
        // Frozen batch norm: the training forward pass is deterministic, so only the loss differs.
        const s = own(new MtlIndependentOptimizers(['od'], { learningRate: 1e-3 }, { distill: { teacher, weight }, frozenBatchNorm: true }));
        const l = s.step(student, batch, 1);
        const v = value(l.od!);
        tf.dispose(Object.values(l));
        return v;
      };
      const kl = tf.tidy(() =>
        value(distillationLoss('od', start.forward(batch.x, { training: true, tasks: ['od'], frozenBatchNorm: true }).od!, tf.sigmoid(teacher.forward(batch.x, { training: false, tasks: ['od'] }).od!))),
      );
      expect(kl).toBeGreaterThan(1e-4);
      expect(lossWith(2) - lossWith(0)).toBeCloseTo(2 * kl, 4);
    } finally {
      disposeBatch(batch);
    }
  });

  it("keeps the parent's batch-norm statistics with frozenBatchNorm, and moves them without", () => {
    const parent = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 7));
    const name = 'enc0.conv0.bn.mean';
    const batch = batchOf(['od', 'oc']);
    try {
      const original = parent.params.get(name).dataSync().slice();
      const moved = (frozenBatchNorm: boolean): boolean => {
        const student = own(MultiTaskUNet.fromWeights(parent.config, parent.params.snapshot()));
        const s = own(new MtlIndependentOptimizers(['od', 'oc'], { learningRate: 1e-3 }, { frozenBatchNorm }));
        tf.dispose(Object.values(s.step(student, batch, 1)));
        const now = student.params.get(name).dataSync();
        return now.some((v, i) => Math.abs(v - original[i]!) > 1e-7);
      };
      expect(moved(false)).toBe(true);
      expect(moved(true)).toBe(false);
    } finally {
      disposeBatch(batch);
    }
  });

  it('trains through frozen batch norm: the forward pass equals inference, and the loss falls', () => {
    const model = own(MultiTaskUNet.create({ width: 0.125, inputSize: SIZE }, 8));
    const batch = batchOf(['od']);
    try {
      const frozen = model.forward(batch.x, { training: true, tasks: ['od'], frozenBatchNorm: true }).od!;
      const inference = model.forward(batch.x, { training: false, tasks: ['od'] }).od!;
      expect(tf.max(tf.abs(tf.sub(frozen, inference))).dataSync()[0]).toBeLessThan(1e-3);
      const s = own(new MtlIndependentOptimizers(['od'], { learningRate: 3e-3 }, { frozenBatchNorm: true }));
      const losses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const l = s.step(model, batch, i);
        losses.push(value(l.od!));
        tf.dispose(Object.values(l));
      }
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    } finally {
      disposeBatch(batch);
    }
  });
});
