// Resampling of masks and float maps between the network's size and the
// original image. Half-pixel centres throughout (align_corners = false): output
// pixel i has its centre at source coordinate (i + 0.5) * srcLen / dstLen - 0.5,
// the convention of tf.image.resizeBilinear(halfPixelCenters = true), sharp and PIL.
// test/core/masks/resample.test.ts checks bit-identical results against
// tfjs-core's CPU kernels, since the pre-processing resizes with TensorFlow.
import type { BinaryMask, FloatMap } from '../types';
import { assertDimensions, assertLayout } from './mask';

/**
 * Where each output index of one axis reads from: value = src[lo] * (1 - t) + src[hi] * t.
 * lo, hi are clamped to the source, so coordinates past the edge repeat the edge
 * pixel (TensorFlow's behaviour).
 */
export interface AxisSamples {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Weight of hi, in [0, 1). */
  readonly t: Float64Array;
}

/** Linear sampling table for `count` outputs; srcCoord(i) gives output i's source coordinate. */
export function linearAxisSamples(count: number, srcLen: number, srcCoord: (i: number) => number): AxisSamples {
  if (srcLen < 1) throw new RangeError(`cannot sample an axis of length ${srcLen}`);
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const t = new Float64Array(count);
  const last = srcLen - 1;
  for (let i = 0; i < count; i++) {
    const c = srcCoord(i);
    const f = Math.floor(c);
    lo[i] = Math.min(Math.max(f, 0), last);
    hi[i] = Math.min(Math.max(Math.ceil(c), 0), last);
    t[i] = c - f;
  }
  return { lo, hi, t };
}

/** Half-pixel-centre table for resizing an axis from srcLen to dstLen. */
export function resizeAxisSamples(dstLen: number, srcLen: number): AxisSamples {
  const scale = srcLen / dstLen;
  return linearAxisSamples(dstLen, srcLen, (i) => (i + 0.5) * scale - 0.5);
}

/**
 * Bilinear sampling of a map on a separable grid: output (x, y) reads source
 * column xs[x] and row ys[y]. Output size xs.length x ys.length. Same arithmetic
 * as TensorFlow's CPU kernel: lerp along x on both rows, then along y.
 */
export function sampleBilinear(map: FloatMap, xs: AxisSamples, ys: AxisSamples): FloatMap {
  assertLayout(map, 'sampleBilinear');
  const width = xs.lo.length;
  const height = ys.lo.length;
  const out = new Float32Array(width * height);
  const src = map.data;
  const sw = map.width;
  for (let y = 0; y < height; y++) {
    const top = ys.lo[y]! * sw;
    const bottom = ys.hi[y]! * sw;
    const ty = ys.t[y]!;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const l = xs.lo[x]!;
      const r = xs.hi[x]!;
      const tx = xs.t[x]!;
      const tl = src[top + l]!;
      const bl = src[bottom + l]!;
      const upper = tl + (src[top + r]! - tl) * tx;
      const lower = bl + (src[bottom + r]! - bl) * tx;
      out[row + x] = upper + (lower - upper) * ty;
    }
  }
  return { width, height, data: out };
}

/**
 * Bilinear resize with half-pixel centres, no antialiasing: identical to
 * tf.image.resizeBilinear(map, [height, width], false, true). For upscaling
 * (model map -> original image) this is also what sharp/PIL compute; when
 * shrinking by more than 2x they average more source pixels, this does not.
 */
export function resizeFloatBilinear(map: FloatMap, width: number, height: number): FloatMap {
  assertLayout(map, 'resizeFloatBilinear');
  assertDimensions(width, height);
  if (map.width === 0 || map.height === 0) {
    if (width * height !== 0) throw new RangeError('resizeFloatBilinear: cannot resize an empty map to a non-empty size');
    return { width, height, data: new Float32Array(0) };
  }
  return sampleBilinear(map, resizeAxisSamples(width, map.width), resizeAxisSamples(height, map.height));
}

/**
 * Nearest-neighbour resize with half-pixel centres: output pixel i takes source
 * pixel floor((i + 0.5) * srcLen / dstLen), as tf.image.resizeNearestNeighbor
 * (halfPixelCenters = true) and PIL's NEAREST. Keeps a mask binary.
 */
export function resizeMaskNearest(mask: BinaryMask, width: number, height: number): BinaryMask {
  assertLayout(mask, 'resizeMaskNearest');
  assertDimensions(width, height);
  const out = new Uint8Array(width * height);
  if (width * height === 0) return { width, height, data: out };
  if (mask.width === 0 || mask.height === 0) throw new RangeError('resizeMaskNearest: cannot resize an empty mask to a non-empty size');
  const cols = new Int32Array(width);
  const sx = mask.width / width;
  for (let x = 0; x < width; x++) cols[x] = Math.min(Math.floor((x + 0.5) * sx), mask.width - 1);
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const srcRow = Math.min(Math.floor((y + 0.5) * sy), mask.height - 1) * mask.width;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = mask.data[srcRow + cols[x]!]!;
  }
  return { width, height, data: out };
}
