import { describe, expect, it } from 'vitest';
import { alphaFromLuminance } from '../../../src-renderer/src/canvas/heat-alpha';

describe('heat map alpha', () => {
  it("makes viridis' low end transparent and its high end opaque, keeping the colours", () => {
    // viridis(0) = (68, 1, 84), viridis(0.5) ~ (33, 145, 140), viridis(1) = (253, 231, 37)
    const rgba = Uint8ClampedArray.from([68, 1, 84, 255, 33, 145, 140, 255, 253, 231, 37, 255]);
    alphaFromLuminance(rgba);
    expect(rgba[3]).toBe(1); // lum 30.5 -> value ~0.003
    expect(rgba[7]).toBeGreaterThan(80);
    expect(rgba[7]).toBeLessThan(160);
    expect(rgba[11]).toBe(255);
    expect([rgba[0], rgba[1], rgba[2]]).toEqual([68, 1, 84]);
  });
});
