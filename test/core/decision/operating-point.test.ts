import { describe, expect, it } from 'vitest';
import { operatingPointFor, rocCounts } from '../../../src-main/core/decision/operating-point';
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

  it('gives Wilson intervals', () => {
    const w = wilsonInterval(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 3);
    expect(w.high).toBeCloseTo(0.9433, 3);
  });
});
