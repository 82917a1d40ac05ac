// Square crops around a point, for a second, high-resolution stage on the disc
// region (the cup is a few dozen model pixels in a whole-image 256 input).
// A crop is then fed to the network like any image: letterbox({ width: side,
// height: side }, inputSize) maps crop pixels to model pixels (no padding).
import { assertLayout } from '../masks/mask';
import type { BinaryMask, GreyImage, Point, RgbImage, Size } from '../types';

/** Pixels x0 .. x0 + side - 1, y0 .. y0 + side - 1 of the image; may reach outside it. */
export interface SquareCrop {
  readonly x0: number;
  readonly y0: number;
  readonly side: number;
}

export interface SquareCropOptions {
  /**
   * Shift the crop to stay inside the image (default true). When side exceeds
   * the image along an axis the crop covers the whole axis and sticks out on
   * both sides as evenly as the centre allows; the caller pads (cropRgb does, with black).
   */
  readonly clamp?: boolean;
}

/** A side x side crop centred (to the nearest pixel) on `center`. */
export function squareCropAround(center: Point, side: number, imageSize: Size, options: SquareCropOptions = {}): SquareCrop {
  if (!Number.isInteger(side) || side < 1) throw new RangeError(`squareCropAround: side must be a positive integer, got ${side}`);
  if (!Number.isFinite(center.x) || !Number.isFinite(center.y)) throw new RangeError(`squareCropAround: centre (${center.x}, ${center.y}) is not finite`);
  // The crop's centre is x0 + (side - 1) / 2 in pixel-centre coordinates.
  let x0 = Math.round(center.x - (side - 1) / 2);
  let y0 = Math.round(center.y - (side - 1) / 2);
  if (options.clamp ?? true) {
    x0 = clampRange(x0, imageSize.width - side);
    y0 = clampRange(y0, imageSize.height - side);
  }
  return { x0, y0, side };
}

/** Keeps the crop inside [0, size) when it fits (room >= 0), else over the whole axis (room <= x0 <= 0). */
function clampRange(x0: number, room: number): number {
  return Math.min(Math.max(x0, Math.min(0, room)), Math.max(0, room));
}

/** Image coordinates -> crop coordinates. */
export function toCrop(crop: SquareCrop, p: Point): Point {
  return { x: p.x - crop.x0, y: p.y - crop.y0 };
}

/** Crop coordinates -> image coordinates. */
export function fromCrop(crop: SquareCrop, p: Point): Point {
  return { x: p.x + crop.x0, y: p.y + crop.y0 };
}

/** The crop's pixels of an RGB image (side x side x 3), black where it reaches outside. */
export function cropRgb(image: RgbImage, crop: SquareCrop): RgbImage {
  assertLayout(image, 'cropRgb', 3);
  return { width: crop.side, height: crop.side, data: cropBytes(image, 3, crop) };
}

/** The crop's pixels of a grey image or mask (side x side), 0 where it reaches outside. */
export function cropGrey(image: GreyImage, crop: SquareCrop): GreyImage {
  assertLayout(image, 'cropGrey');
  return { width: crop.side, height: crop.side, data: cropBytes(image, 1, crop) };
}

/** Puts a side x side crop mask back into an image-sized empty mask; parts outside the image are dropped. */
export function pasteCropMask(mask: BinaryMask, crop: SquareCrop, imageSize: Size): BinaryMask {
  assertLayout(mask, 'pasteCropMask');
  if (mask.width !== crop.side || mask.height !== crop.side) {
    throw new RangeError(`pasteCropMask: mask is ${mask.width}x${mask.height}, the crop is ${crop.side}x${crop.side}`);
  }
  const { width, height } = imageSize;
  const data = new Uint8Array(width * height);
  const [cx0, cx1] = overlap(crop.x0, crop.side, width);
  const [cy0, cy1] = overlap(crop.y0, crop.side, height);
  for (let y = cy0; y < cy1; y++) {
    const src = (y - crop.y0) * crop.side - crop.x0;
    data.set(mask.data.subarray(src + cx0, src + cx1), y * width + cx0);
  }
  return { width, height, data };
}

function cropBytes(image: { width: number; height: number; data: Uint8Array }, channels: number, crop: SquareCrop): Uint8Array {
  const out = new Uint8Array(crop.side * crop.side * channels);
  const [x0, x1] = overlap(crop.x0, crop.side, image.width);
  const [y0, y1] = overlap(crop.y0, crop.side, image.height);
  for (let y = y0; y < y1; y++) {
    const src = (y * image.width + x0) * channels;
    const dst = ((y - crop.y0) * crop.side + (x0 - crop.x0)) * channels;
    out.set(image.data.subarray(src, src + (x1 - x0) * channels), dst);
  }
  return out;
}

/** Image indices [from, to) covered by a crop starting at start with length side. */
function overlap(start: number, side: number, size: number): [number, number] {
  const from = Math.max(0, start);
  const to = Math.min(size, start + side);
  return to > from ? [from, to] : [0, 0];
}
