import { describe, expect, it } from 'vitest';
import { compareModels, pairedBootstrapDifference } from '../../../src-main/core/metrics/paired-comparison';

describe('paired comparison of two models on the same cases', () => {
  it('gives the mean per-case difference, and a zero-width interval when every case moves by the same amount', () => {
    const r = pairedBootstrapDifference([0.8, 0.7, 0.9], [0.7, 0.6, 0.8])!;
    expect(r.n).toBe(3);
    expect(r.child).toBeCloseTo(0.8, 12);
    expect(r.parent).toBeCloseTo(0.7, 12);
    expect(r.difference).toBeCloseTo(0.1, 12);
    expect(r.low).toBeCloseTo(0.1, 12);
    expect(r.high).toBeCloseTo(0.1, 12);
  });

  it('leaves out cases where either model has no value, and answers null when none is left', () => {
    const r = pairedBootstrapDifference([0.5, null, 0.9, Number.NaN], [0.4, 0.1, null, 0.2])!;
    expect(r.n).toBe(1);
    expect(r.difference).toBeCloseTo(0.1, 12);
    expect(pairedBootstrapDifference([null], [0.3])).toBeNull();
    expect(() => pairedBootstrapDifference([1], [1, 2])).toThrow(/differ in length/);
  });

  it('brackets the mean difference; the interval lies within the smallest and largest per-case difference', () => {
    const child = [0.9, 0.8, 0.85, 0.7, 0.95, 0.6];
    const parent = [0.7, 0.85, 0.6, 0.72, 0.5, 0.65];
    const r = pairedBootstrapDifference(child, parent, { seed: 7 })!;
    const diffs = child.map((c, i) => c - parent[i]!);
    expect(r.low).toBeLessThanOrEqual(r.difference);
    expect(r.high).toBeGreaterThanOrEqual(r.difference);
    expect(r.low).toBeGreaterThanOrEqual(Math.min(...diffs));
    expect(r.high).toBeLessThanOrEqual(Math.max(...diffs));
    // Seeded: the same scores give the same interval.
    expect(pairedBootstrapDifference(child, parent, { seed: 7 })).toEqual(r);
  });

  it('says better or worse only when the interval excludes 0, in the metric direction', () => {
    const parent = [0.6, 0.62, 0.58, 0.61, 0.59, 0.6];
    const child = parent.map((p, i) => p + 0.1 + i * 0.001);
    expect(compareModels(child, parent, { higherIsBetter: true, minimumCases: 5 }).verdict).toBe('better');
    expect(compareModels(parent, child, { higherIsBetter: true, minimumCases: 5 }).verdict).toBe('worse');
    // A lower error is better: the same numbers read as vCDR errors flip the verdict.
    expect(compareModels(child, parent, { higherIsBetter: false, minimumCases: 5 }).verdict).toBe('worse');
  });

  it('says "too few cases to tell" below the minimum (with no number) or when the interval spans 0', () => {
    const few = compareModels([0.9, 0.9, 0.9, 0.9], [0.1, 0.1, 0.1, 0.1], { higherIsBetter: true, minimumCases: 5 });
    expect(few).toEqual({ verdict: 'too-few-cases', result: null });
    const mixed = compareModels([0.9, 0.5, 0.8, 0.4, 0.7, 0.6], [0.5, 0.9, 0.4, 0.8, 0.6, 0.7], { higherIsBetter: true, minimumCases: 5 });
    expect(mixed.verdict).toBe('too-few-cases');
    expect(mixed.result!.low).toBeLessThan(0);
    expect(mixed.result!.high).toBeGreaterThan(0);
  });
});
