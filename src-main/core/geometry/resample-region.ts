// Resampling a square region of an image (which may reach outside it) to a
// size x size network input, antialiased: a triangle (linear) filter whose
// support widens with the reduction, as PIL's BILINEAR resize. Used for the
// disc crops of the second stage and for bringing masks to network size, in
// training and at inference alike, so both see identical pre-processing.
import type { BinaryMask, FloatMap, GreyImage, RgbImage } from '../types';
import type { SquareCrop } from './crop';

interface AxisWeights {
  /** First source index of each output sample. */
  readonly start: Int32Array;
  /** Number of taps of each output sample. */
  readonly count: Int32Array;
  /** Normalised weights, `maxTaps` per output sample. */
  readonly weights: Float32Array;
  readonly maxTaps: number;
}

/**
 * Weights mapping source positions offset .. offset + side - 1 to `size`
 * outputs. Sources outside [0, srcLen) count as black (0): they keep their
 * weight, so a crop reaching past the image edge darkens like the camera border.
 */
function axisWeights(offset: number, side: number, size: number): AxisWeights {
  const scale = side / size;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(size);
  const count = new Int32Array(size);
  const weights = new Float32Array(size * maxTaps);
  for (let i = 0; i < size; i++) {
    const centre = offset + (i + 0.5) * scale - 0.5;
    const lo = Math.ceil(centre - support);
    const hi = Math.floor(centre + support);
    let total = 0;
    let n = 0;
    for (let j = lo; j <= hi && n < maxTaps; j++) {
      const w = 1 - Math.abs(j - centre) / support;
      if (w <= 0) continue;
      if (n === 0) start[i] = j;
      weights[i * maxTaps + n] = w;
      total += w;
      n++;
    }
    count[i] = n;
    for (let k = 0; k < n; k++) weights[i * maxTaps + k]! /= total;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resamples the region `crop` of an interleaved image (channels 1 or 3) to
 * size x size floats (same channel layout, values in the source's units).
 */
export function resampleRegion(data: Uint8Array, width: number, height: number, channels: number, crop: SquareCrop, size: number, edges: RegionEdges = 'black'): Float32Array {
  const inside = crop.x0 >= 0 && crop.y0 >= 0 && crop.x0 + crop.side <= width && crop.y0 + crop.side <= height;
  if (edges === 'mirror' && !inside) return resampleRegion(mirrorPad(data, width, height, channels, crop), crop.side, crop.side, channels, { x0: 0, y0: 0, side: crop.side }, size);
  const wx = axisWeights(crop.x0, crop.side, size);
  const wy = axisWeights(crop.y0, crop.side, size);
  // Horizontal pass over the source rows the vertical pass will read.
  const rowLo = Math.max(0, Math.min(...Array.from(wy.start)));
  const rowHi = Math.min(height - 1, Math.max(...Array.from(wy.start, (s, i) => s + wy.count[i]! - 1)));
  const rows = Math.max(0, rowHi - rowLo + 1);
  const horizontal = new Float32Array(rows * size * channels);
  for (let r = 0; r < rows; r++) {
    const srcRow = (rowLo + r) * width;
    for (let i = 0; i < size; i++) {
      const s = wx.start[i]!;
      const n = wx.count[i]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) {
          const x = s + k;
          if (x < 0 || x >= width) continue;
          acc += data[(srcRow + x) * channels + c]! * wx.weights[i * wx.maxTaps + k]!;
        }
        horizontal[(r * size + i) * channels + c] = acc;
      }
    }
  }
  const out = new Float32Array(size * size * channels);
  for (let j = 0; j < size; j++) {
    const s = wy.start[j]!;
    const n = wy.count[j]!;
    for (let i = 0; i < size; i++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) {
          const y = s + k;
          if (y < rowLo || y > rowHi) continue;
          acc += horizontal[((y - rowLo) * size + i) * channels + c]! * wy.weights[j * wy.maxTaps + k]!;
        }
        out[(j * size + i) * channels + c] = acc;
      }
    }
  }
  return out;
}

/**
 * What a region reaching past the image shows there: black (the camera's border,
 * as in training) or the image mirrored at its edge (a disc crop that is larger
 * than the photograph then still shows fundus all round).
 */
export type RegionEdges = 'black' | 'mirror';

/** Index reflected into [0, n): -1 -> 0, n -> n - 1 (edge pixel repeated once, as numpy's 'symmetric'). */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}

/** The region at full resolution, every pixel taken from the image mirrored at its edges. */
function mirrorPad(data: Uint8Array, width: number, height: number, channels: number, crop: SquareCrop): Uint8Array {
  const out = new Uint8Array(crop.side * crop.side * channels);
  for (let y = 0; y < crop.side; y++) {
    const sy = reflect(crop.y0 + y, height);
    for (let x = 0; x < crop.side; x++) {
      const sx = reflect(crop.x0 + x, width);
      const src = (sy * width + sx) * channels;
      const dst = (y * crop.side + x) * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = data[src + c]!;
    }
  }
  return out;
}

/** Resampled values back to bytes: rounded, clamped to 0-255. */
function toBytes(f: Float32Array): Uint8Array {
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(f[i]!)));
  return data;
}

/** The region of an RGB image as a size x size RGB image (rounded to bytes). */
export function resampleRgbRegion(image: RgbImage, crop: SquareCrop, size: number, edges: RegionEdges = 'black'): RgbImage {
  return { width: size, height: size, data: toBytes(resampleRegion(image.data, image.width, image.height, 3, crop, size, edges)) };
}

/** The region of a grey image (a soft map) as a size x size grey image, kept at its levels (rounded to bytes, not thresholded). */
export function resampleGreyRegion(image: GreyImage, crop: SquareCrop, size: number): GreyImage {
  return { width: size, height: size, data: toBytes(resampleRegion(image.data, image.width, image.height, 1, crop, size)) };
}

/** The region of a binary mask at size x size: a pixel is in when at least half of its footprint is. */
export function resampleMaskRegion(mask: BinaryMask, crop: SquareCrop, size: number): BinaryMask {
  const f = resampleRegion(mask.data, mask.width, mask.height, 1, crop, size);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = f[i]! >= 0.5 ? 1 : 0;
  return { width: size, height: size, data };
}

/**
 * A probability map covering the square region `from` (map pixel centres spread evenly
 * over it, as a network input made by resampleRgbRegion), read at size x size pixel
 * centres over the region `to`: bilinear, 0 outside `from`. Brings one disc-crop
 * stage's probabilities into another stage's crop to average them.
 */
export function resampleMapBetweenRegions(map: FloatMap, from: SquareCrop, to: SquareCrop, size: number): FloatMap {
  if (map.width !== map.height) throw new RangeError(`resampleMapBetweenRegions: the map is ${map.width}x${map.height}, not square`);
  const n = map.width;
  const out = new Float32Array(size * size);
  // Image pixel centre p -> map coordinate: (p - from.x0 + 0.5) * n / from.side - 0.5.
  const coord = (i: number, toOffset: number, fromOffset: number): number => {
    const p = toOffset + ((i + 0.5) * to.side) / size - 0.5;
    return ((p - fromOffset + 0.5) * n) / from.side - 0.5;
  };
  const xs = Array.from({ length: size }, (_, i) => bilinearTaps(coord(i, to.x0, from.x0), n));
  const ys = Array.from({ length: size }, (_, j) => bilinearTaps(coord(j, to.y0, from.y0), n));
  for (let j = 0; j < size; j++) {
    const y = ys[j];
    if (!y) continue;
    for (let i = 0; i < size; i++) {
      const x = xs[i];
      if (!x) continue;
      const row = (r: number): number => (1 - x.f) * map.data[r * n + x.lo]! + x.f * map.data[r * n + x.hi]!;
      out[j * size + i] = (1 - y.f) * row(y.lo) + y.f * row(y.hi);
    }
  }
  return { width: size, height: size, data: out };
}

/**
 * The two map pixels a coordinate falls between and the weight of the second; null outside
 * the map. Within half a pixel of its edge the edge pixel's value holds (not a fade to 0).
 */
function bilinearTaps(v: number, n: number): { lo: number; hi: number; f: number } | null {
  if (v < -0.5 || v > n - 0.5) return null;
  const c = Math.min(Math.max(v, 0), n - 1);
  const lo = Math.floor(c);
  return { lo, hi: Math.min(lo + 1, n - 1), f: c - lo };
}
