import { describe, expect, it } from 'vitest';
import { cropGrey, cropRgb, fromCrop, pasteCropMask, squareCropAround, toCrop } from '../../../src-main/core/geometry/crop';
import { maskFromRows, rowsFromMask } from '../masks/ascii-mask';

describe('squareCropAround', () => {
  const image = { width: 100, height: 80 };

  it('centres the crop on the point', () => {
    // Centre of pixels 40..49 is 44.5.
    expect(squareCropAround({ x: 44.5, y: 30 }, 10, image)).toEqual({ x0: 40, y0: 26, side: 10 });
  });

  it('shifts the crop inside the image near the border', () => {
    expect(squareCropAround({ x: 2, y: 78 }, 20, image)).toEqual({ x0: 0, y0: 60, side: 20 });
  });

  it('may reach outside when asked not to clamp', () => {
    // 2 - 9.5 = -7.5 rounds to -7 (Math.round: halves up), 78 - 9.5 = 68.5 to 69.
    expect(squareCropAround({ x: 2, y: 78 }, 20, image, { clamp: false })).toEqual({ x0: -7, y0: 69, side: 20 });
  });

  it('covers the whole axis when the crop is larger than the image', () => {
    const crop = squareCropAround({ x: 90, y: 40 }, 120, image);
    // x0 may range over [100 - 120, 0]; centring on x = 90 wants 31, so 0.
    expect(crop.x0).toBe(0);
    // y0 may range over [-40, 0]; centring on y = 40 wants round(-19.5) = -19.
    expect(crop.y0).toBe(-19);
  });

  it('maps points into and out of the crop', () => {
    const crop = { x0: 30, y0: -5, side: 64 };
    expect(toCrop(crop, { x: 31.5, y: 0 })).toEqual({ x: 1.5, y: 5 });
    expect(fromCrop(crop, toCrop(crop, { x: 31.5, y: 0 }))).toEqual({ x: 31.5, y: 0 });
  });
});

describe('cropRgb / cropGrey / pasteCropMask', () => {
  it('pads with black outside the image', () => {
    const rgb = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const out = cropRgb(rgb, { x0: -1, y0: 0, side: 2 });
    expect(Array.from(out.data)).toEqual([0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0]);
  });

  it('pastes a cropped mask back where it came from', () => {
    const mask = maskFromRows([
      '.....', //
      '.##..',
      '.#...',
      '.....',
    ]);
    const crop = { x0: 1, y0: 1, side: 3 };
    const cropped = cropGrey(mask, crop);
    expect(rowsFromMask(cropped)).toEqual(['##.', '#..', '...']);
    expect(rowsFromMask(pasteCropMask(cropped, crop, mask))).toEqual(rowsFromMask(mask));
    // A crop hanging over the bottom-right corner keeps only the part inside.
    const hanging = pasteCropMask(maskFromRows(['##', '##']), { x0: 4, y0: 3, side: 2 }, mask);
    expect(rowsFromMask(hanging)).toEqual(['.....', '.....', '.....', '....#']);
  });
});
