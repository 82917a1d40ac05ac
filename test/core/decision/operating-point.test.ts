import { describe, expect, it } from 'vitest';
import { operatingPointFor, rocCounts } from '../../../src-main/core/decision/operating-point';
import { harrellDavisQuantile, logGamma, regularizedIncompleteBeta } from '../../../src-main/core/decision/quantile';
import { wilsonInterval } from '../../../src-main/core/decision/statistics';

describe('operating point', () => {
  // Ten normals scoring 0.05..0.5 and ten glaucoma scoring 0.3..0.95.
  const normals = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
  const glaucoma = [0.3, 0.42, 0.55, 0.6, 0.65, 0.7, 0.8, 0.85, 0.9, 0.95];
  const roc = rocCounts([...normals, ...glaucoma], [...normals.map(() => 0 as const), ...glaucoma.map(() => 1 as const)]);

  it('allows at most the share of false positives the target specificity leaves', () => {
    // Specificity 0.85 of 10 normals: at most 1 false positive (0.5); the threshold falls half-way to the next score.
    const p = operatingPointFor(roc, 0.85);
    expect(p.threshold).toBeCloseTo((0.5 + 0.45) / 2, 9);
    expect(p.specificity.value).toBeCloseTo(0.9, 9);
    expect(p.sensitivity.value).toBeCloseTo(0.8, 9);
  });

  it('moves the threshold up for a stricter specificity', () => {
    const p = operatingPointFor(roc, 0.95);
    expect(p.specificity.value).toBe(1);
    expect(p.threshold).toBeGreaterThan(0.5);
    expect(p.sensitivity.value).toBeCloseTo(0.8, 9);
    expect(() => operatingPointFor(roc, 1)).toThrow(RangeError);
  });

  it('sets the threshold at the Harrell-Davis estimate of the normals\' target-specificity quantile when asked, and says so', () => {
    // scipy: sum over i of (beta.cdf(i/10, 9.35, 1.65) - beta.cdf((i-1)/10, ...)) x the i-th smallest normal score.
    const p = operatingPointFor(roc, 0.85, 'harrell-davis');
    expect(p.threshold).toBeCloseTo(0.44937658230589045, 9);
    expect(p.rule).toBe('harrell-davis');
    // Counted at that threshold: two normals (0.45, 0.5) and eight glaucoma cases score above it.
    expect(p.specificity.value).toBeCloseTo(0.8, 9);
    expect(p.sensitivity.value).toBeCloseTo(0.8, 9);
    // The plain rule is the default and is not written into the point.
    expect(operatingPointFor(roc, 0.85).rule).toBeUndefined();
    // The estimate weighs every normal: lowering the third-highest one, which the plain rule never looks at here, lowers it.
    const lowered = rocCounts([...normals.slice(0, 7), 0.32, ...normals.slice(8), ...glaucoma], [...normals.map(() => 0 as const), ...glaucoma.map(() => 1 as const)]);
    expect(operatingPointFor(lowered, 0.85, 'harrell-davis').threshold).toBeLessThan(p.threshold);
    expect(operatingPointFor(lowered, 0.85).threshold).toBeCloseTo(operatingPointFor(roc, 0.85).threshold, 12);
  });

  it('computes the Harrell-Davis quantile and the incomplete beta function it rests on', () => {
    expect(regularizedIncompleteBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    expect(regularizedIncompleteBeta(0.3, 27.2, 4.8)).toBeCloseTo(3.572418159730721e-11, 20);
    expect(regularizedIncompleteBeta(0.97, 27.2, 4.8)).toBeCloseTo(0.9968455799920141, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(harrellDavisQuantile([1, 2, 3, 4, 5], 0.5)).toBeCloseTo(3, 12);
    expect(harrellDavisQuantile([0.1, 0.4, 0.35, 0.8, 0.9, 0.2], 0.85)).toBeCloseTo(0.8244461141384818, 12);
    expect(() => harrellDavisQuantile([], 0.5)).toThrow(RangeError);
    expect(() => harrellDavisQuantile([1], 1)).toThrow(RangeError);
  });

  it('gives Wilson intervals', () => {
    const w = wilsonInterval(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 3);
    expect(w.high).toBeCloseTo(0.9433, 3);
  });
});
