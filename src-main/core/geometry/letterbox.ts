// Mapping between original image pixels and the network input.
//
// The network sees the whole image padded to a square with black (centred:
// the left/top pad is floor((side - size) / 2), the right/bottom pad the rest),
// then resized bilinearly to inputSize x inputSize with half-pixel centres.
// Coordinates use pixel centres at integers (types.ts), so with
// scale = inputSize / side:
//   x_model = (x_orig + padX + 0.5) * scale - 0.5
//   x_orig  = (x_model + 0.5) / scale - 0.5 - padX
// (the same for y with padY). This is the mapping tf.image.resizeBilinear
// (halfPixelCenters = true) uses; dropping the 0.5s would shift every result by
// half a source pixel minus half a model pixel (about 3.6 px at 2124 -> 256).
import { assertLayout } from '../masks/mask';
import { linearAxisSamples, sampleBilinear } from '../masks/resample';
import type { BinaryMask, FloatMap, Point, Size } from '../types';
import type { SquareCrop } from './crop';

export interface Letterbox {
  /** The original image size. */
  readonly original: Size;
  /** Side of the network input (it is square). */
  readonly inputSize: number;
  /** Side of the padded square: max(width, height). */
  readonly side: number;
  /** Black columns added on the left, rows added on top. */
  readonly padX: number;
  readonly padY: number;
  /** inputSize / side: model pixels per original pixel. */
  readonly scale: number;
}

/** The letterbox that fits an image of size `original` into inputSize x inputSize. */
export function letterbox(original: Size, inputSize: number): Letterbox {
  const { width, height } = original;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`letterbox: image size must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new RangeError(`letterbox: input size must be a positive integer, got ${inputSize}`);
  const side = Math.max(width, height);
  return {
    original: { width, height },
    inputSize,
    side,
    padX: Math.floor((side - width) / 2),
    padY: Math.floor((side - height) / 2),
    scale: inputSize / side,
  };
}

/** Original pixel coordinates -> network input coordinates. */
export function toModel(lb: Letterbox, p: Point): Point {
  return { x: (p.x + lb.padX + 0.5) * lb.scale - 0.5, y: (p.y + lb.padY + 0.5) * lb.scale - 0.5 };
}

/** Network input coordinates -> original pixel coordinates (the inverse of toModel). */
export function toOriginal(lb: Letterbox, p: Point): Point {
  return { x: (p.x + 0.5) / lb.scale - 0.5 - lb.padX, y: (p.y + 0.5) / lb.scale - 0.5 - lb.padY };
}

/**
 * A network-sized map (inputSize x inputSize) brought back to the original
 * image: the padding is cut off and the rest resized bilinearly, in one pass
 * that samples the map at toModel(original pixel). Identical to resizing the
 * map to side x side with tf.image.resizeBilinear(halfPixelCenters = true) and
 * cropping, without the side x side intermediate. Probability maps go through
 * this before thresholding, so masks are decided at full resolution.
 */
export function mapToOriginal(lb: Letterbox, map: FloatMap, original: Size = lb.original): FloatMap {
  checkMap(lb, map, original);
  const xs = linearAxisSamples(original.width, lb.inputSize, (x) => (x + lb.padX + 0.5) * lb.scale - 0.5);
  const ys = linearAxisSamples(original.height, lb.inputSize, (y) => (y + lb.padY + 0.5) * lb.scale - 0.5);
  return sampleBilinear(map, xs, ys);
}

/**
 * threshold(mapToOriginal(lb, map), t) computed only where it can be 1: a
 * bilinear value is a convex combination of its four neighbours, so it reaches
 * t only next to a model pixel that does. Only the original pixels that read
 * from the bounding box of those model pixels are interpolated (a 2124x2056
 * image with a disc of about 30x30 model pixels: 4-16 ms instead of 120-200 ms
 * for the full map plus threshold on this machine's shared CPU).
 * Bit-identical to the full version (same arithmetic, rounded to float32).
 */
export function mapToOriginalMask(lb: Letterbox, map: FloatMap, t = 0.5, original: Size = lb.original): BinaryMask {
  checkMap(lb, map, original);
  const { width, height } = original;
  const data = new Uint8Array(width * height);
  const n = lb.inputSize;
  let mx0 = n;
  let my0 = n;
  let mx1 = -1;
  let my1 = -1;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (map.data[y * n + x]! >= t) {
        if (x < mx0) mx0 = x;
        if (x > mx1) mx1 = x;
        if (y < my0) my0 = y;
        if (y > my1) my1 = y;
      }
    }
  }
  if (mx1 < 0) return { width, height, data };
  const xs = linearAxisSamples(width, n, (x) => (x + lb.padX + 0.5) * lb.scale - 0.5);
  const ys = linearAxisSamples(height, n, (y) => (y + lb.padY + 0.5) * lb.scale - 0.5);
  const [x0, x1] = readingRange(xs.lo, xs.hi, mx0, mx1);
  const [y0, y1] = readingRange(ys.lo, ys.hi, my0, my1);
  if (x1 <= x0 || y1 <= y0) return { width, height, data };
  const sub = (a: { lo: Int32Array; hi: Int32Array; t: Float64Array }, from: number, to: number) => ({
    lo: a.lo.subarray(from, to),
    hi: a.hi.subarray(from, to),
    t: a.t.subarray(from, to),
  });
  const roi = sampleBilinear(map, sub(xs, x0, x1), sub(ys, y0, y1));
  const roiWidth = x1 - x0;
  for (let y = y0; y < y1; y++) {
    const src = (y - y0) * roiWidth;
    const row = y * width;
    for (let x = x0; x < x1; x++) data[row + x] = roi.data[src + x - x0]! >= t ? 1 : 0;
  }
  return { width, height, data };
}

/** [from, to) of output indices whose lo..hi touches model indices m0..m1 (lo, hi non-decreasing). */
function readingRange(lo: Int32Array, hi: Int32Array, m0: number, m1: number): [number, number] {
  let from = 0;
  while (from < lo.length && hi[from]! < m0) from++;
  let to = lo.length;
  while (to > from && lo[to - 1]! > m1) to--;
  return [from, to];
}

function checkMap(lb: Letterbox, map: FloatMap, original: Size): void {
  assertLayout(map, 'mapToOriginal');
  if (map.width !== lb.inputSize || map.height !== lb.inputSize) {
    throw new RangeError(`mapToOriginal: map is ${map.width}x${map.height}, the letterbox expects ${lb.inputSize}x${lb.inputSize}`);
  }
  if (original.width !== lb.original.width || original.height !== lb.original.height) {
    throw new RangeError(
      `mapToOriginal: original size ${original.width}x${original.height} differs from the letterbox's ${lb.original.width}x${lb.original.height}`,
    );
  }
}

/** The letterbox square as a crop of the original image: the whole image padded to a centred square. */
export function letterboxRegion(original: Size): SquareCrop {
  const lb = letterbox(original, 1);
  return { x0: -lb.padX, y0: -lb.padY, side: lb.side };
}
