// Polygon rasterisation for the UI's polygon tool and for polygon import.
import type { BinaryMask, Point } from '../types';
import { assertDimensions } from './mask';

/**
 * Fills a closed polygon (the last vertex joins the first) by the even-odd rule,
 * sampling at pixel centres: pixel (x, y) is inside when its centre (x, y) is.
 * Edges use a half-open rule (a centre exactly on a left edge is inside, on a
 * right edge outside), so polygons that share an edge never both claim a pixel
 * and a traceContours outline (vertices at half-integers) fills back to exactly
 * its component. Vertices may lie outside the image; they are clipped.
 */
export function polygonToMask(points: readonly Point[], width: number, height: number): BinaryMask {
  assertDimensions(width, height);
  const data = new Uint8Array(width * height);
  const n = points.length;
  if (n < 3 || width === 0 || height === 0) return { width, height, data };
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new RangeError(`polygonToMask: vertex (${p.x}, ${p.y}) is not finite`);
    if (p.y < yMin) yMin = p.y;
    if (p.y > yMax) yMax = p.y;
  }
  const rowStart = Math.max(0, Math.ceil(yMin));
  const rowEnd = Math.min(height - 1, Math.floor(yMax));
  const crossings = new Float64Array(n);
  for (let y = rowStart; y <= rowEnd; y++) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const a = points[i]!;
      const b = points[(i + 1) % n]!;
      // Half-open in y: an edge counts for rows with a.y <= y < b.y (or reversed),
      // so a vertex on the row is counted once and horizontal edges never.
      if ((a.y <= y && y < b.y) || (b.y <= y && y < a.y)) {
        crossings[count++] = a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y);
      }
    }
    const xs = crossings.subarray(0, count).sort();
    const row = y * width;
    for (let k = 0; k + 1 < count; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]!));
      const to = Math.min(width, Math.ceil(xs[k + 1]!));
      for (let x = from; x < to; x++) data[row + x] = 1;
    }
  }
  return { width, height, data };
}
