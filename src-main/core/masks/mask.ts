// Small helpers every mask module needs: allocation and layout checks. A
// mask's layout is the GreyImage one (row-major, one byte per pixel, 1 = inside).
import type { BinaryMask, FloatMap, GreyImage, Size } from '../types';

/** An all-zero mask of the given size. */
export function emptyMask(width: number, height: number): BinaryMask {
  assertDimensions(width, height);
  return { width, height, data: new Uint8Array(width * height) };
}

/** Throws unless width and height are non-negative integers. */
export function assertDimensions(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`image size must be non-negative integers, got ${width}x${height}`);
  }
}

/**
 * Throws unless data.length = width * height * channels. Every public function
 * checks its inputs with this, so a mislabelled buffer fails loudly instead of
 * producing a shifted mask.
 */
export function assertLayout(image: GreyImage | FloatMap, what: string, channels = 1): void {
  assertDimensions(image.width, image.height);
  const expected = image.width * image.height * channels;
  if (image.data.length !== expected) {
    throw new RangeError(
      `${what}: data.length ${image.data.length} does not match ${image.width}x${image.height}${channels > 1 ? `x${channels}` : ''} = ${expected}`,
    );
  }
}

/** Throws unless both images have the same width and height. */
export function assertSameSize(a: Size, b: Size, what: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${what}: sizes differ, ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}
