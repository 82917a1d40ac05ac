import { describe, expect, it } from 'vitest';
import { resampleMapBetweenRegions, resampleRgbRegion } from '../../../src-main/core/geometry/resample-region';
import type { FloatMap, RgbImage } from '../../../src-main/core/types';

/** A w x h image whose red channel is 10 * x + y + 1 (never 0, so black padding shows). */
function ramp(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([10 * x + y + 1, 50, 100], (y * w + x) * 3);
  return { width: w, height: h, data };
}

const red = (img: RgbImage, x: number, y: number): number => img.data[(y * img.width + x) * 3]!;

describe('resampleRgbRegion', () => {
  it('copies a region inside the image unchanged at its own size, whatever the edges', () => {
    const img = ramp(6, 5);
    for (const edges of ['black', 'mirror'] as const) {
      const out = resampleRgbRegion(img, { x0: 1, y0: 1, side: 3 }, 3, edges);
      expect(red(out, 0, 0)).toBe(red(img, 1, 1));
      expect(red(out, 2, 2)).toBe(red(img, 3, 3));
    }
  });

  it('shows black beyond the edges by default, as the camera border in training', () => {
    const out = resampleRgbRegion(ramp(4, 4), { x0: -2, y0: -2, side: 8 }, 8);
    expect(red(out, 0, 0)).toBe(0);
    expect(red(out, 7, 7)).toBe(0);
    expect(red(out, 2, 2)).toBe(1);
  });

  it('mirrors the image at its edges on request: no black anywhere, edge pixels repeated once', () => {
    const img = ramp(4, 4);
    const out = resampleRgbRegion(img, { x0: -2, y0: -2, side: 8 }, 8, 'mirror');
    for (let i = 0; i < out.data.length; i += 3) expect(out.data[i]).toBeGreaterThan(0);
    // Output (0, 0) is source (-2, -2), reflected to (1, 1); (1, 1) is (-1, -1) -> (0, 0); (7, 7) is (5, 5) -> (2, 2).
    expect(red(out, 0, 0)).toBe(red(img, 1, 1));
    expect(red(out, 1, 1)).toBe(red(img, 0, 0));
    expect(red(out, 2, 2)).toBe(red(img, 0, 0));
    expect(red(out, 7, 7)).toBe(red(img, 2, 2));
  });
});

describe('resampleMapBetweenRegions', () => {
  /** An n x n map with 1 in the square block [x0, x1) x [y0, y1), 0 elsewhere. */
  const block = (n: number, x0: number, x1: number, y0: number, y1: number): FloatMap => {
    const data = new Float32Array(n * n);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * n + x] = 1;
    return { width: n, height: n, data };
  };
  const at = (m: FloatMap, x: number, y: number): number => m.data[y * m.width + x]!;

  it('returns the map itself for the same region at the same size', () => {
    const map = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => i / 16) };
    const same = resampleMapBetweenRegions(map, { x0: 10, y0: 20, side: 40 }, { x0: 10, y0: 20, side: 40 }, 4);
    for (let i = 0; i < 16; i++) expect(same.data[i]).toBeCloseTo(map.data[i]!, 6);
  });

  it('moves what the map shows by the regions\' offset, in the target\'s pixels', () => {
    // One map pixel = 10 image pixels in both regions; the target starts 20 image pixels (2 map pixels) right, 10 down.
    const map = block(8, 4, 6, 4, 6);
    const moved = resampleMapBetweenRegions(map, { x0: 0, y0: 0, side: 80 }, { x0: 20, y0: 10, side: 80 }, 8);
    expect(at(moved, 2, 3)).toBeCloseTo(1, 6);
    expect(at(moved, 3, 4)).toBeCloseTo(1, 6);
    expect(at(moved, 4, 3)).toBeCloseTo(0, 6);
    expect(at(moved, 2, 5)).toBeCloseTo(0, 6);
  });

  it('scales between regions of different sides, and reads 0 outside the source region', () => {
    // The target is twice the source, centred on it: the source's middle half lands in the target's middle quarter.
    const map = block(8, 2, 6, 2, 6);
    const wide = resampleMapBetweenRegions(map, { x0: 40, y0: 40, side: 80 }, { x0: 0, y0: 0, side: 160 }, 8);
    expect(at(wide, 3, 3)).toBeGreaterThan(0.5);
    expect(at(wide, 4, 4)).toBeGreaterThan(0.5);
    expect(at(wide, 2, 4)).toBeLessThan(0.5);
    // Target pixels outside the source region.
    expect(at(wide, 0, 0)).toBe(0);
    expect(at(wide, 7, 7)).toBe(0);
    expect(() => resampleMapBetweenRegions({ width: 4, height: 2, data: new Float32Array(8) }, { x0: 0, y0: 0, side: 4 }, { x0: 0, y0: 0, side: 4 }, 4)).toThrow(/not square/);
  });
});
