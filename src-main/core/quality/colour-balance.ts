// Colour normalisation beyond exposure: another camera (or another white
// balance) gives the fundus another mean colour, e.g. less red and more blue.
// Grey-world relative to the training photographs: each channel gets a gain so
// that the field's mean colour has the reference's proportions, at the field's
// own luminance (so the exposure gain, computed from luminance, is unchanged).
// Whether it helps is measured (docs/robustness.md).
import { median } from '../metrics/stats';
import type { RgbImage } from '../types';
import { fieldMeanColour, luma } from './image-quality';

export type Rgb = readonly [number, number, number];

/** Per-channel gains are kept within these bounds: a channel that is nearly empty is not amplified into noise. */
export const MAX_COLOUR_GAIN = 3;

/**
 * Gains that move a field's mean colour to the reference's proportions at the
 * same luminance: target = reference scaled to luma(mean), gain = target / mean,
 * each within [1/MAX_COLOUR_GAIN, MAX_COLOUR_GAIN]; 1 for an empty channel.
 */
export function colourGains(mean: Rgb, reference: Rgb): Rgb {
  const lm = luma(...mean);
  const lr = luma(...reference);
  if (lm <= 0 || lr <= 0) return [1, 1, 1];
  const gain = (c: 0 | 1 | 2): number => {
    if (mean[c] <= 0) return 1;
    const g = (reference[c] * lm) / lr / mean[c];
    return Math.min(MAX_COLOUR_GAIN, Math.max(1 / MAX_COLOUR_GAIN, g));
  };
  return [gain(0), gain(1), gain(2)];
}

/** A colour target: the per-channel median of the images' mean field colours (e.g. a model's training photographs); null without an illuminated image. */
export function medianFieldColour(images: Iterable<RgbImage>): Rgb | null {
  const means = [...images].map(fieldMeanColour).filter((m): m is Rgb => m !== null && m.every((c) => c > 0));
  if (means.length === 0) return null;
  return [median(means.map((m) => m[0])), median(means.map((m) => m[1])), median(means.map((m) => m[2]))];
}

/** The gains for a photograph: all 1 without a reference or without a field. */
export function colourBalance(image: RgbImage, reference: Rgb | null): Rgb {
  const mean = reference ? fieldMeanColour(image) : null;
  return reference && mean ? colourGains(mean, reference) : [1, 1, 1];
}

/** The image with each channel scaled by its gain (rounded, clipped to 0-255); the same image when every gain is 1. */
export function scaleChannels(image: RgbImage, gains: Rgb): RgbImage {
  if (gains[0] === 1 && gains[1] === 1 && gains[2] === 1) return image;
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = Math.min(255, Math.round(image.data[i]! * gains[0]));
    data[i + 1] = Math.min(255, Math.round(image.data[i + 1]! * gains[1]));
    data[i + 2] = Math.min(255, Math.round(image.data[i + 2]! * gains[2]));
  }
  return { width: image.width, height: image.height, data };
}
