import { describe, expect, it } from 'vitest';
import { euclideanDistance, foveaDistances, meanFoveaDistance } from '../../../src-main/core/metrics/fovea';

describe('fovea distances', () => {
  it('measures Euclidean distance in pixels', () => {
    expect(euclideanDistance({ x: 1, y: 2 }, { x: 4, y: 6 })).toBe(5);
  });

  it('averages over images in order', () => {
    const predicted = [
      { x: 0, y: 0 },
      { x: 10, y: 10 },
    ];
    const reference = [
      { x: 3, y: 4 },
      { x: 10, y: 0 },
    ];
    expect(foveaDistances(predicted, reference)).toEqual([5, 10]);
    expect(meanFoveaDistance(predicted, reference)).toBe(7.5);
  });

  it('refuses mismatched lists and non-finite points', () => {
    expect(() => meanFoveaDistance([{ x: 0, y: 0 }], [])).toThrow(/predicted has 1 values but reference has 0/);
    expect(() => foveaDistances([{ x: Number.NaN, y: 0 }], [{ x: 0, y: 0 }])).toThrow(/image 0/);
  });
});
