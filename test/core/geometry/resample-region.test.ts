import { describe, expect, it } from 'vitest';
import { resampleRgbRegion } from '../../../src-main/core/geometry/resample-region';
import type { RgbImage } from '../../../src-main/core/types';

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
