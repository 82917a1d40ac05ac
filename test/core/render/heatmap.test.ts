import { describe, expect, it } from 'vitest';
import { VIRIDIS_TABLE, heatmapToRgb } from '../../../src-main/core/render/heatmap';

describe('heatmapToRgb', () => {
  it('maps 0, 0.5 and 1 to viridis purple, teal and yellow, clamping outside', () => {
    const out = heatmapToRgb({ width: 5, height: 1, data: new Float32Array([0, 0.5, 1, -3, Number.NaN]) });
    const px = (i: number) => Array.from(out.data.subarray(i * 3, i * 3 + 3));
    expect(px(0)).toEqual([68, 1, 84]);
    expect(px(2)).toEqual([253, 231, 37]);
    // level round(127.5) = 128 lies just past the middle stop (33, 144, 141).
    expect(px(1)).toEqual(Array.from(VIRIDIS_TABLE.subarray(128 * 3, 128 * 3 + 3)));
    expect(Math.abs(px(1)[1]! - 144)).toBeLessThanOrEqual(1);
    expect(px(3)).toEqual([68, 1, 84]);
    expect(px(4)).toEqual([68, 1, 84]);
  });

  it('uses the given range', () => {
    const out = heatmapToRgb({ width: 1, height: 1, data: new Float32Array([10]) }, { min: 0, max: 10 });
    expect(Array.from(out.data)).toEqual([253, 231, 37]);
    expect(() => heatmapToRgb({ width: 1, height: 1, data: new Float32Array(1) }, { min: 1, max: 1 })).toThrow(/min < max/);
  });

  it('gets brighter (green channel) from one end to the other', () => {
    for (let i = 1; i < 256; i++) expect(VIRIDIS_TABLE[i * 3 + 1]!).toBeGreaterThanOrEqual(VIRIDIS_TABLE[(i - 1) * 3 + 1]!);
  });
});
