// The exposure and colour normalisation targets a package records
// (preprocessing.luminanceReference, preprocessing.colourReference):
// the median field luminance of its training photographs as the whole-image network saw
// them (letterboxed to its input size), so inference can bring another camera's
// exposure to the one the network learnt on.
import type { ImageCodec } from '../data/image-codec';
import { median } from '../metrics/stats';
import { fieldMeanColour, type Rgb } from '../quality/colour-balance';
import { fieldLuminance } from '../quality/image-quality';
import type { RgbImage } from '../types';

/** Median of the images' field luminance; null without an illuminated image. */
export function medianFieldLuminance(images: Iterable<RgbImage>): number | null {
  const values = [...images].map(fieldLuminance).filter((v) => v > 0);
  return values.length === 0 ? null : median(values);
}

/** The colour normalisation target (preprocessing.colourReference): the per-channel median of the images' mean field colour; null without an illuminated image. */
export function medianFieldColour(images: Iterable<RgbImage>): Rgb | null {
  const means = [...images].map(fieldMeanColour).filter((m): m is Rgb => m !== null && m.every((c) => c > 0));
  if (means.length === 0) return null;
  return [median(means.map((m) => m[0])), median(means.map((m) => m[1])), median(means.map((m) => m[2]))];
}

/** Both targets from image files, read as the whole-image network reads them. */
export async function normalisationReferencesOf(files: readonly string[], codec: ImageCodec, inputSize: number): Promise<{ luminance: number | null; colour: Rgb | null }> {
  const images: RgbImage[] = [];
  for (const file of files) images.push((await codec.readLetterboxed(file, inputSize)).image);
  return { luminance: medianFieldLuminance(images), colour: medianFieldColour(images) };
}

/** The exposure target alone from image files. */
export async function exposureReferenceOf(files: readonly string[], codec: ImageCodec, inputSize: number): Promise<number | null> {
  return (await normalisationReferencesOf(files, codec, inputSize)).luminance;
}
