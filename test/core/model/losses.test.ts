import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceLoss, focalLoss, l1HeatmapLoss } from '../../../src-main/core/model/losses';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);

const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('losses on hand-computed values', () => {
  // z = 0, y = 1: -log(0.5) = 0.693147; z = 2, y = 0: -log(1 - s(2)) = 2 + log(1 + e^-2) = 2.126928.
  it('binary cross-entropy is the mean of the element losses', () => {
    expect(value(bceLoss(tf.tensor1d([0, 2]), tf.tensor1d([1, 0])))).toBeCloseTo((0.693147 + 2.126928) / 2, 5);
  });

  it('binary cross-entropy stays finite for huge logits', () => {
    expect(value(bceLoss(tf.tensor1d([100, -100]), tf.tensor1d([0, 1])))).toBeCloseTo(100, 3);
    expect(value(bceLoss(tf.tensor1d([100, -100]), tf.tensor1d([1, 0])))).toBeCloseTo(0, 5);
  });

  it('focal loss (gamma 2, alpha 1) weighs easy examples down', () => {
    // z = 0, y = 1: p_t = 0.5, (1 - 0.5)^2 * 0.693147 = 0.173287
    // z = 2, y = 0: p_t = 1 - 0.880797 = 0.119203, (0.880797)^2 * 2.126928 = 1.650095
    expect(value(focalLoss(tf.tensor1d([0, 2]), tf.tensor1d([1, 0])))).toBeCloseTo((0.173287 + 1.650095) / 2, 4);
    // A confident correct prediction costs almost nothing, far less than its cross-entropy.
    const easy = value(focalLoss(tf.tensor1d([4]), tf.tensor1d([1])));
    const ce = value(bceLoss(tf.tensor1d([4]), tf.tensor1d([1])));
    expect(easy).toBeLessThan(ce / 1000);
  });

  it('focal loss with gamma 0 is cross-entropy', () => {
    expect(value(focalLoss(tf.tensor1d([0.3, -1.2]), tf.tensor1d([1, 0]), 0))).toBeCloseTo(value(bceLoss(tf.tensor1d([0.3, -1.2]), tf.tensor1d([1, 0]))), 6);
  });

  it('L1 heat-map loss compares the sigmoid of the logits with the target', () => {
    // s(0) = 0.5: |0.5 - 1| + |0.5 - 0.5| = 0.5, mean 0.25
    expect(value(l1HeatmapLoss(tf.tensor1d([0, 0]), tf.tensor1d([1, 0.5])))).toBeCloseTo(0.25, 6);
  });
});
