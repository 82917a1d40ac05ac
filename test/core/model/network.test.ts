import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import '@tensorflow/tfjs-backend-cpu';
import { batchNormReluTrain, BN_EPSILON } from '../../../src-main/core/model/layers';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);

let models: MultiTaskUNet[] = [];
afterEach(() => {
  for (const m of models) m.dispose();
  models = [];
});
const track = (m: MultiTaskUNet): MultiTaskUNet => (models.push(m), m);

describe('architecture', () => {
  it('the paper variant at width 1 has the 17.27 M parameters of the paper code', () => {
    const m = track(MultiTaskUNet.create({ variant: 'paper', width: 1, inputSize: 32 }));
    // bench/peer/PAPER_ARCHITECTURE.md: 17,268,036 counted from the PyTorch module tree.
    expect(m.parameterCount()).toBe(17_268_036);
    expect(m.parameterCount() / 1e6).toBeCloseTo(17.27, 1);
  });

  it('the vgg16 variant carries a full VGG16 convolutional encoder (14.71 M weights)', () => {
    const m = track(MultiTaskUNet.create({ variant: 'vgg16', width: 1, inputSize: 32, normalization: 'none' }));
    // torchvision's vgg16.features: 14,714,688 parameters (13 convs with biases).
    expect(m.parameterCount(['encoder'])).toBe(14_714_688);
  });

  it('a width multiplier shrinks every layer', () => {
    const full = track(MultiTaskUNet.create({ variant: 'vgg16', width: 1, inputSize: 32 }));
    const quarter = track(MultiTaskUNet.create({ variant: 'vgg16', width: 0.25, inputSize: 32 }));
    expect(quarter.parameterCount() / full.parameterCount()).toBeGreaterThan(0.05);
    expect(quarter.parameterCount() / full.parameterCount()).toBeLessThan(0.08);
  });

  it('refuses impossible configurations with a message naming the field', () => {
    expect(() => resolveArchConfig({ inputSize: 100 })).toThrow(/size: 100 must be a multiple of 16/);
    expect(() => resolveArchConfig({ width: 0 })).toThrow(/width: 0 is out of range/);
    expect(() => resolveArchConfig({ variant: 'resnet' as never })).toThrow(/unknown variant "resnet"/);
  });
});

describe('forward pass', () => {
  for (const variant of ['vgg16', 'paper'] as const) {
    for (const normalization of ['batch', 'none'] as const) {
      it(`${variant} with ${normalization} norm: outputs keyed by task, and gradients reach every weight`, () => {
        const m = track(MultiTaskUNet.create({ variant, width: 0.125, inputSize: 32, normalization }));
        const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
        const out = m.forward(x, { training: false, tasks: ['glaucoma', 'od', 'oc', 'fovea'] });
        expect(out.glaucoma!.shape).toEqual([2]);
        for (const t of ['od', 'oc', 'fovea'] as const) expect(out[t]!.shape).toEqual([2, 32, 32, 1]);
        // A conv bias in front of batch norm has an exactly zero gradient; training skips it (paper variant only).
        const inert = (name: string) => normalization === 'batch' && /conv\d+\.bias$/.test(name);
        const vars = m.params.specs.filter((s) => s.trainable && !inert(s.name)).map((s) => m.params.get(s.name));
        const { grads, value } = tf.variableGrads(() => {
          const o = m.forward(x, { training: true, tasks: ['glaucoma', 'od', 'oc', 'fovea'], dropoutSeed: 1 });
          return tf.addN([tf.sum(o.glaucoma!), tf.sum(o.od!), tf.sum(o.oc!), tf.sum(o.fovea!)]) as tf.Scalar;
        }, vars);
        expect(Object.keys(grads).length).toBe(vars.length);
        tf.dispose([x, value, ...Object.values(grads), ...Object.values(out)]);
      });
    }
  }

  it('the glaucoma-only pass stops at the encoder (no decoder weight gets a gradient)', () => {
    const m = track(MultiTaskUNet.create({ width: 0.125, inputSize: 32 }));
    const x = tf.randomUniform([2, 32, 32, 3]) as tf.Tensor4D;
    const out = m.forward(x, { training: false, tasks: ['glaucoma'] });
    expect(Object.keys(out)).toEqual(['glaucoma']);
    const decoder = m.params.trainable(['decoder']);
    const encoder = m.params.trainable(['encoder']);
    const { grads, value } = tf.variableGrads(() => tf.sum(m.forward(x, { training: true, tasks: ['glaucoma'] }).glaucoma!) as tf.Scalar, [...encoder, ...decoder]);
    expect(decoder.every((v) => grads[v.name] === undefined)).toBe(true);
    expect(encoder.every((v) => grads[v.name] !== undefined)).toBe(true);
    tf.dispose([x, value, ...Object.values(grads), ...Object.values(out)]);
  });

  for (const variant of ['vgg16', 'paper'] as const) {
    it(`${variant}: inference with batch norm folded into the convs matches unfolded batch norm`, () => {
      const m = track(MultiTaskUNet.create({ variant, width: 0.125, inputSize: 32 }));
      // Give the moving statistics (and the paper variant's conv biases) non-trivial values.
      for (const spec of m.params.specs) {
        const shape = [...spec.shape];
        if (spec.name.endsWith('.bn.mean')) m.params.get(spec.name).assign(tf.randomNormal(shape, 0, 0.1, 'float32', 5));
        if (spec.name.endsWith('.bn.variance')) m.params.get(spec.name).assign(tf.randomUniform(shape, 0.5, 2, 'float32', 6));
        if (spec.name.endsWith('.bn.gamma')) m.params.get(spec.name).assign(tf.randomUniform(shape, 0.5, 1.5, 'float32', 7));
        if (/conv\d\.bias$/.test(spec.name)) m.params.get(spec.name).assign(tf.randomNormal(shape, 0, 0.1, 'float32', 9));
      }
      m.weightsChanged();
      const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
      const folded = m.forward(x, { training: false, tasks: ['od'] }).od!;
      // Reference: the same network with unfolded batch norm, written out directly.
      const p = (n: string) => m.params.get(n);
      const convOf = (h: tf.Tensor4D, name: string) => {
        const y = tf.conv2d(h, p(`${name}.kernel`) as tf.Tensor4D, 1, 'same');
        return m.params.has(`${name}.bias`) ? tf.add(y, p(`${name}.bias`)) : y;
      };
      const unit = (h: tf.Tensor4D, name: string) =>
        tf.relu(tf.batchNorm(convOf(h, name), p(`${name}.bn.mean`), p(`${name}.bn.variance`), p(`${name}.bn.beta`), p(`${name}.bn.gamma`), BN_EPSILON)) as tf.Tensor4D;
      const levels = variant === 'vgg16' ? [2, 2, 3, 3, 3] : [2, 2, 2, 2, 2];
      const skips: tf.Tensor4D[] = [];
      let h = x;
      levels.forEach((n, l) => {
        if (l > 0) h = tf.maxPool(h, 2, 2, 'valid');
        for (let i = 0; i < n; i++) h = unit(h, `enc${l}.conv${i}`);
        skips.push(h);
      });
      for (let d = 0; d < 4; d++) {
        h = tf.concat([skips[3 - d]!, tf.image.resizeBilinear(h, [h.shape[1] * 2, h.shape[2] * 2], true)], 3);
        for (let i = 0; i < 2; i++) h = unit(h, `dec${d}.conv${i}`);
      }
      const reference = tf.add(tf.conv2d(h, p('head.od.kernel') as tf.Tensor4D, 1, 'same'), p('head.od.bias'));
      const diff = tf.max(tf.abs(tf.sub(folded, reference))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-3);
    });
  }
});

describe('batch norm + ReLU with a hand-written gradient', () => {
  // Native TensorFlow takes the fused kernels, every other backend the closed form; test both.
  for (const backend of ['native', 'cpu'] as const) {
    it(`${backend}: matches automatic differentiation of the textbook formula`, async () => {
      const previous = tf.getBackend();
      if (backend === 'cpu') await tf.setBackend('cpu');
      try {
        const x = tf.randomNormal([2, 3, 4, 5], 1, 2, 'float32', 11);
        const gamma = tf.randomUniform([5], 0.5, 1.5, 'float32', 12);
        const beta = tf.randomNormal([5], 0, 1, 'float32', 13);
        const w = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 14);
        const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xi, [0, 1, 2]);
          return tf.relu(tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), g), b));
        };
        let stats: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
        const ours = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          batchNormReluTrain(xi as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, (mean, variance) => {
            if (stats) tf.dispose([stats.mean, stats.variance]);
            stats = { mean, variance };
          });
        const lossOf = (f: typeof reference) => (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xi, g, b), w));
        const expected = tf.grads(lossOf(reference))([x, gamma, beta]);
        const actual = tf.grads(lossOf(ours))([x, gamma, beta]);
        expected.forEach((e, i) => expect(tf.max(tf.abs(tf.sub(e, actual[i]!))).dataSync()[0]).toBeLessThan(1e-4));
        expect(tf.max(tf.abs(tf.sub(reference(x, gamma, beta), ours(x, gamma, beta)))).dataSync()[0]).toBeLessThan(1e-5);
        // The statistics handed out for the moving averages: batch mean and unbiased variance (n = 24).
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        expect(tf.max(tf.abs(tf.sub(stats!.mean, mean))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.max(tf.abs(tf.sub(stats!.variance, tf.mul(variance, 24 / 23)))).dataSync()[0]).toBeLessThan(1e-4);
      } finally {
        await tf.setBackend(previous);
      }
    });
  }
});
