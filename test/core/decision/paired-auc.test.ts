// The paired AUC difference compare-scores.ts prints: two scorings of the same cases, resampled together.
import { describe, expect, it } from 'vitest';
import { pairedAucDifference } from '../../../src-main/core/decision/statistics';
import { auc } from '../../../src-main/core/metrics/roc';
import { createRng } from '../../../src-main/core/random';

/** 40 cases (20 glaucoma): `b` a noisy measurement, `a` the same with the noise shrunk by `better`. */
function scorings(better: number): { a: number[]; b: number[]; labels: (0 | 1)[] } {
  const rng = createRng(3);
  const labels = Array.from({ length: 40 }, (_, i) => (i % 2) as 0 | 1);
  const noise = labels.map(() => rng.next() - 0.5);
  return { labels, b: labels.map((l, i) => l * 0.3 + noise[i]!), a: labels.map((l, i) => l * 0.3 + noise[i]! * (1 - better)) };
}

describe('pairedAucDifference', () => {
  it('is the difference of the two AUCs, with an interval around it', () => {
    const { a, b, labels } = scorings(0.5);
    const d = pairedAucDifference(a, b, labels);
    expect(d.value).toBeCloseTo(auc(a, labels) - auc(b, labels), 12);
    expect(d.low).toBeLessThanOrEqual(d.value);
    expect(d.high).toBeGreaterThanOrEqual(d.value);
  });

  it('tells a clearly better ranking (the interval above 0) from the same one (0, 0, 0)', () => {
    const { a, b, labels } = scorings(0.9);
    expect(pairedAucDifference(a, b, labels).low).toBeGreaterThan(0);
    expect(pairedAucDifference(b, b, labels)).toEqual({ value: 0, low: 0, high: 0 });
  });

  it('pairs the cases: swapping the scorings negates the difference and its interval', () => {
    const { a, b, labels } = scorings(0.3);
    const ab = pairedAucDifference(a, b, labels);
    const ba = pairedAucDifference(b, a, labels);
    expect(ba.value).toBeCloseTo(-ab.value, 12);
    expect(ba.low).toBeCloseTo(-ab.high, 12);
    expect(ba.high).toBeCloseTo(-ab.low, 12);
  });

  it('refuses scorings of different cases and a single class', () => {
    expect(() => pairedAucDifference([0.1, 0.2], [0.1], [0, 1])).toThrow(/differ in length/);
    expect(() => pairedAucDifference([0.1, 0.2], [0.3, 0.4], [1, 1])).toThrow(/both classes/);
  });
});
