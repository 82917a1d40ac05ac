import { describe, expect, it } from 'vitest';
import { consensusMask, threshold } from '../../../src-main/core/masks/threshold';

describe('threshold', () => {
  it('marks values >= t, NaN as outside', () => {
    const map = { width: 3, height: 2, data: new Float32Array([0.49, 0.5, 0.51, Number.NaN, 1, -1]) };
    expect(Array.from(threshold(map).data)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(Array.from(threshold(map, 0.9).data)).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('rejects a buffer that does not match the size', () => {
    expect(() => threshold({ width: 2, height: 2, data: new Float32Array(3) })).toThrow(/data.length 3 does not match 2x2/);
  });
});

describe('consensusMask', () => {
  it('keeps pixels marked by at least two of four experts (>= 128)', () => {
    const soft = { width: 5, height: 1, data: new Uint8Array([0, 64, 128, 191, 255]) };
    expect(Array.from(consensusMask(soft).data)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(consensusMask(soft, 255).data)).toEqual([0, 0, 0, 0, 1]);
  });
});
