// Small value types shared by the editor. Image coordinates are continuous:
// pixel (i, j) covers [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5).

export interface ImagePoint {
  readonly x: number;
  readonly y: number;
}

/** Axis-aligned pixel rectangle: x0, y0 inclusive; x1, y1 exclusive. */
export interface PixelRect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The smallest rectangle holding both (either may be null = nothing). */
export function unionRect(a: PixelRect | null, b: PixelRect | null): PixelRect | null {
  if (a === null) return b;
  if (b === null) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** The rectangle grown by `by` pixels on every side and clipped to the image. */
export function growRect(r: PixelRect, by: number, width: number, height: number): PixelRect {
  return { x0: Math.max(0, r.x0 - by), y0: Math.max(0, r.y0 - by), x1: Math.min(width, r.x1 + by), y1: Math.min(height, r.y1 + by) };
}

/** Tight box around the non-zero values of a raster-order array, or null when all are zero. */
export function nonZeroBounds(values: Uint8Array, width: number, height: number): PixelRect | null {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (values[row + x] !== 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y + 1;
    if (first < x0) x0 = first;
    if (last + 1 > x1) x1 = last + 1;
  }
  return y1 === 0 ? null : { x0, y0, x1, y1 };
}
