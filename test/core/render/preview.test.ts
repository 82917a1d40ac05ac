import { describe, expect, it } from 'vitest';
import { downscaleForPreview } from '../../../src-main/core/render/preview';
import type { RgbImage } from '../../../src-main/core/types';

describe('downscaleForPreview', () => {
  it('averages 2x2 blocks when halving', () => {
    // 4x2 image, red channel 0, 40 | 80, 120 in the left block; green = 255 everywhere.
    const reds = [0, 40, 200, 200, 80, 120, 100, 100];
    const data = new Uint8Array(reds.flatMap((r) => [r, 255, 0]));
    const out = downscaleForPreview({ width: 4, height: 2, data }, 2);
    expect([out.width, out.height]).toEqual([2, 1]);
    expect(Array.from(out.data)).toEqual([60, 255, 0, 150, 255, 0]);
  });

  it('weights partly covered pixels by their covered area (3 -> 2)', () => {
    // Output 0 covers source [0, 1.5): 1 * 10 + 0.5 * 40 over 1.5 = 20.
    // Output 1 covers [1.5, 3): 0.5 * 40 + 1 * 100 over 1.5 = 80.
    const data = new Uint8Array([10, 0, 0, 40, 0, 0, 100, 0, 0]);
    const out = downscaleForPreview({ width: 3, height: 1, data }, 2);
    expect(Array.from(out.data)).toEqual([20, 0, 0, 80, 0, 0]);
  });

  it('keeps the aspect ratio and returns small images as they are', () => {
    const big: RgbImage = { width: 2124, height: 2056, data: new Uint8Array(2124 * 2056 * 3).fill(7) };
    const out = downscaleForPreview(big, 512);
    expect([out.width, out.height]).toEqual([512, Math.round(2056 * (512 / 2124))]);
    expect(out.data.every((v) => v === 7)).toBe(true);
    const small: RgbImage = { width: 3, height: 2, data: new Uint8Array(18) };
    expect(downscaleForPreview(small, 3)).toBe(small);
  });
});
