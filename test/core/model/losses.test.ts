import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceLoss, focalLoss, l1HeatmapLoss, segmentationLoss, softDiceLoss } from '../../../src-main/core/model/losses';
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

describe('soft Dice loss', () => {
  // Two 1x2x2x1 masks (batch, height, width, channel), as the networks' disc and cup logits are shaped.
  const maps = (a: number[], b: number[]) => tf.tensor4d([...a, ...b], [2, 2, 2, 1]);

  it('is 1 - the mean over images of (2 sum(p y) + 1) / (sum(p) + sum(y) + 1)', () => {
    // Image 1: p = s(0) = 0.5 everywhere, y = [1, 1, 0, 0]: (2 * 1 + 1) / (2 + 2 + 1) = 0.6.
    // Image 2: p = [s(2), s(-2), 0.5, 0.5] = [0.880797, 0.119203, 0.5, 0.5], y = [1, 0, 0, 0]:
    //          (2 * 0.880797 + 1) / (2 + 1 + 1) = 0.690399.
    const logits = maps([0, 0, 0, 0], [2, -2, 0, 0]);
    const targets = maps([1, 1, 0, 0], [1, 0, 0, 0]);
    expect(value(softDiceLoss(logits, targets))).toBeCloseTo(1 - (0.6 + 0.690399) / 2, 5);
  });

  it('is about 0 for a confident right mask and about 1 for a confident wrong one', () => {
    const targets = maps([1, 1, 0, 0], [0, 1, 1, 1]);
    const right = maps([20, 20, -20, -20], [-20, 20, 20, 20]);
    const wrong = maps([-20, -20, 20, 20], [20, -20, -20, -20]);
    expect(value(softDiceLoss(right, targets))).toBeLessThan(0.01);
    // Not exactly 1: the smoothing term gives (0 + 1) / (4 + 1) = 0.2 and (0 + 1) / (4 + 1) = 0.2.
    expect(value(softDiceLoss(wrong, targets))).toBeCloseTo(0.8, 4);
  });

  it('scores an image without the structure, where nothing is predicted, as a perfect one', () => {
    expect(value(softDiceLoss(maps([-30, -30, -30, -30], [-30, -30, -30, -30]), maps([0, 0, 0, 0], [0, 0, 0, 0])))).toBeCloseTo(0, 5);
  });

  it('weighs each image alike, so a small structure counts as much as a large one', () => {
    // BCE is a mean over pixels: missing one pixel of a 1-pixel cup costs it as little as missing one pixel of a
    // 3-pixel cup. Dice per image: the small cup missed entirely costs its image everything.
    const targets = maps([1, 0, 0, 0], [1, 1, 1, 0]);
    const missSmall = maps([-20, -20, -20, -20], [20, 20, 20, -20]);
    const missOfLarge = maps([20, -20, -20, -20], [20, 20, -20, -20]);
    expect(value(bceLoss(missSmall, targets))).toBeCloseTo(value(bceLoss(missOfLarge, targets)), 4);
    expect(value(softDiceLoss(missSmall, targets))).toBeGreaterThan(2 * value(softDiceLoss(missOfLarge, targets)));
  });

  it("'bce-dice' adds the two terms; 'bce' is the paper's loss alone", () => {
    const logits = maps([0.5, -1, 2, 0], [1, 1, -3, 0.2]);
    const targets = maps([1, 0, 1, 0], [1, 1, 0, 0]);
    const bce = value(bceLoss(logits, targets));
    const dice = value(softDiceLoss(logits, targets));
    expect(value(segmentationLoss('bce', logits, targets))).toBeCloseTo(bce, 6);
    expect(value(segmentationLoss('bce-dice', logits, targets))).toBeCloseTo(bce + dice, 6);
  });
});
