import { describe, expect, it } from 'vitest';
import { formatMeanSd, mean, sampleSd } from '../../../src-main/core/metrics/stats';

describe('stats', () => {
  it('computes the mean and the n-1 standard deviation', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // squared deviations 4, 1, 0, 9 -> 14 / 3
    expect(sampleSd([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 15);
  });

  it('gives sd 0 for fewer than two values and refuses an empty mean', () => {
    expect(sampleSd([4])).toBe(0);
    expect(sampleSd([])).toBe(0);
    expect(() => mean([])).toThrow(/no values/);
  });

  it('formats mean ± sd with a scale', () => {
    // mean 0.9676, sd 0.0192 / sqrt(2) = 0.013576
    expect(formatMeanSd([0.958, 0.9772], 2, 100)).toBe('96.76 ± 1.36');
    expect(formatMeanSd([0.5], 3)).toBe('0.500 ± 0.000');
  });
});
