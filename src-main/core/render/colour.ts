// Colours shared by the drawing functions.

/** 8-bit sRGB triple. */
export type Rgb = readonly [number, number, number];

/**
 * Default overlay colours: disc green, cup blue, fovea yellow. Green/blue stay
 * apart for the common red-green colour deficiencies, and none of them is the
 * red/orange of the fundus itself.
 */
export const DEFAULT_OD_COLOR: Rgb = [46, 204, 64];
export const DEFAULT_OC_COLOR: Rgb = [0, 116, 217];
export const DEFAULT_FOVEA_COLOR: Rgb = [255, 220, 0];

export function assertRgb(colour: Rgb, what: string): void {
  if (colour.length !== 3 || !colour.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) {
    throw new RangeError(`${what}: colour must be three integers in 0..255, got [${colour.join(', ')}]`);
  }
}
