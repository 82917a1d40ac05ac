import { describe, expect, it } from 'vitest';
import { auc, rocCurve, sensitivityAtSpecificity } from '../../../src-main/core/metrics/roc';

describe('rocCurve', () => {
  it('moves tied scores as one step', () => {
    // 0.9: +1 tp; 0.8 (tie of a positive and a negative): +1 tp +1 fp; 0.3: +1 fp.
    const curve = rocCurve([0.9, 0.8, 0.8, 0.3], [1, 1, 0, 0]);
    expect(curve.fpr).toEqual([0, 0, 0.5, 1]);
    expect(curve.tpr).toEqual([0, 0.5, 1, 1]);
    expect(curve.thresholds).toEqual([Infinity, 0.9, 0.8, 0.3]);
  });

  it('drops points in the middle of equal steps, like sklearn (unless asked not to)', () => {
    // Scores fall in the order of the labels: P N P N N P P N N N N N N N.
    const labels = [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const scores = labels.map((_, i) => 1 - i / labels.length);
    const kept = rocCurve(scores, labels);
    expect(kept.fpr).toEqual([0, 0, 0.1, 0.1, 0.3, 0.3, 1]);
    expect(kept.tpr).toEqual([0, 0.25, 0.25, 0.5, 0.5, 1, 1]);
    expect(rocCurve(scores, labels, { dropIntermediate: false }).fpr).toHaveLength(15);
  });

  it('refuses a single class, bad labels and mismatched lengths', () => {
    expect(() => rocCurve([0.1, 0.2], [1, 1])).toThrow(/only one class/);
    expect(() => rocCurve([0.1, 0.2], [1, 2])).toThrow(/labels\[1\] is 2/);
    expect(() => rocCurve([0.1, 0.2, 0.3], [1, 0])).toThrow(/scores has 3 values but labels has 2/);
    expect(() => rocCurve([0.1, Number.NaN], [1, 0])).toThrow(/scores\[1\] is NaN/);
  });
});

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for an inverted one, 0.5 when all scores tie', () => {
    const labels = [0, 0, 1, 0, 1, 1];
    const perfect = [0.1, 0.2, 0.9, 0.3, 0.8, 0.7];
    expect(auc(perfect, labels)).toBe(1);
    expect(auc(perfect.map((s) => -s), labels)).toBe(0);
    expect(auc(labels.map(() => 0.5), labels)).toBe(0.5);
  });

  it('counts a tied positive/negative pair as half (3.5 of 4 pairs)', () => {
    expect(auc([0.9, 0.8, 0.8, 0.3], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
  });

  it('integrates a curve with steps by trapezoids', () => {
    const labels = [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const scores = labels.map((_, i) => 1 - i / labels.length);
    // 0.1 * 0.25 + 0.2 * 0.5 + 0.7 * 1
    expect(auc(scores, labels)).toBeCloseTo(0.825, 12);
  });
});

describe('sensitivityAtSpecificity', () => {
  it('interpolates linearly between the two ROC points around specificity 0.85', () => {
    // 10 positives, 10 negatives in three tied groups. ROC points:
    // (fpr 0.1, tpr 0.5) and (0.2, 0.8) bracket fpr 0.15:
    // 0.5 + (0.8 - 0.5) * (0.15 - 0.1) / (0.2 - 0.1) = 0.65.
    const labels = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const scores = [...Array(6).fill(0.9), ...Array(4).fill(0.5), ...Array(10).fill(0.1)] as number[];
    expect(sensitivityAtSpecificity(scores, labels)).toBeCloseTo(0.65, 12);
    expect(auc(scores, labels)).toBeCloseTo(0.81, 12);
  });

  it('reproduces the official interpolation across vertical steps (value from sklearn 1.2.1 + SciPy 1.10.1)', () => {
    // Points kept by sklearn: (0,0) (0,.25) (.1,.25) (.1,.5) (.3,.5) (.3,1) (1,1).
    // interp1d sorts by specificity (stable) and numpy.interp joins the last
    // point of specificity 0.7 (tpr 1) to the first of 0.9 (tpr 0.25):
    // 1 + (0.25 - 1) * (0.85 - 0.7) / 0.2 = 0.4375, where the ROC itself is at 0.5.
    const labels = [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const scores = labels.map((_, i) => 1 - i / labels.length);
    expect(sensitivityAtSpecificity(scores, labels, 0.85)).toBeCloseTo(0.4375, 12);
    // On a specificity with a vertical step the highest sensitivity wins.
    expect(sensitivityAtSpecificity(scores, labels, 0.9)).toBe(0.5);
  });

  it('hits specificity 0.85 exactly with 360 normals (REFUGE test set)', () => {
    // 40 glaucoma, 360 normal: 54 normals score 0.95, then 30 glaucoma 0.9, the
    // other 306 normals 0.1 and the last 10 glaucoma 0.05.
    const labels = [...Array(40).fill(1), ...Array(360).fill(0)] as number[];
    const scores = labels.map((l, i) => (l === 1 ? (i < 30 ? 0.9 : 0.05) : i - 40 < 54 ? 0.95 : 0.1));
    // 54 false positives at threshold 0.95 (tpr 0), then the 30 positives at 0.9:
    // specificity 1 - 54/360 = 0.85 exactly, top of the step = 30/40.
    expect(1 - 54 / 360).toBe(0.85);
    expect(sensitivityAtSpecificity(scores, labels)).toBe(0.75);
  });

  it('refuses a specificity outside [0, 1]', () => {
    expect(() => sensitivityAtSpecificity([0.2, 0.8], [0, 1], 1.2)).toThrow(/\[0, 1\]/);
  });
});
