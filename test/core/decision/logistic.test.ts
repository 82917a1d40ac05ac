import { describe, expect, it } from 'vitest';
import { fitLogistic, logisticProbability, logit } from '../../../src-main/core/decision/logistic';
import { fitVcdrRegression } from '../../../src-main/core/infer/vcdr-regression';

describe('fitLogistic', () => {
  const x = [0.2, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 0.45, 0.65];
  const y: (0 | 1)[] = [0, 0, 0, 1, 0, 1, 1, 1, 1, 0];

  it('agrees with the one-variable vCDR regression when the penalty vanishes', () => {
    const m = fitLogistic(x.map((v) => [v]), y, 1e-9);
    const r = fitVcdrRegression(x, y, 1e-9);
    for (const v of [0.1, 0.45, 0.9]) expect(logisticProbability(m, [v])).toBeCloseTo(1 / (1 + Math.exp(-(r.intercept + r.slope * v))), 5);
  });

  it('stays finite on separable data and shrinks with a stronger penalty', () => {
    const sx = [[0.1], [0.2], [0.3], [0.7], [0.8], [0.9]];
    const sy: (0 | 1)[] = [0, 0, 0, 1, 1, 1];
    const weak = fitLogistic(sx, sy, 0.01);
    const strong = fitLogistic(sx, sy, 10);
    expect(Number.isFinite(weak.weights[0]!)).toBe(true);
    expect(Math.abs(strong.weights[0]!)).toBeLessThan(Math.abs(weak.weights[0]!));
    expect(logisticProbability(weak, [0.9])).toBeGreaterThan(0.9);
  });

  it('ignores a constant input and refuses one class', () => {
    const m = fitLogistic(x.map((v) => [v, 3]), y, 1);
    expect(m.sds[1]).toBe(1);
    expect(m.weights[1]).toBeCloseTo(0, 8);
    expect(() => fitLogistic([[1], [2]], [1, 1], 1)).toThrow(/both classes/);
  });

  it('keeps logit finite at 0 and 1', () => {
    expect(Number.isFinite(logit(0))).toBe(true);
    expect(logit(1)).toBeCloseTo(-logit(0), 9);
  });
});
