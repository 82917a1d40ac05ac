// The exposure normalisation target a package records (preprocessing.luminanceReference):
// the median field luminance of its training photographs as the whole-image network saw
// them (letterboxed to its input size), so inference can bring another camera's
// exposure to the one the network learnt on.
import type { ImageCodec } from '../data/image-codec';
import { median } from '../metrics/stats';
import { fieldLuminance } from '../quality/image-quality';
import type { RgbImage } from '../types';

/** Median of the images' field luminance; null without an illuminated image. */
export function medianFieldLuminance(images: Iterable<RgbImage>): number | null {
  const values = [...images].map(fieldLuminance).filter((v) => v > 0);
  return values.length === 0 ? null : median(values);
}

/** The same from image files, read as the whole-image network reads them. */
export async function exposureReferenceOf(files: readonly string[], codec: ImageCodec, inputSize: number): Promise<number | null> {
  const images: RgbImage[] = [];
  for (const file of files) images.push((await codec.readLetterboxed(file, inputSize)).image);
  return medianFieldLuminance(images);
}
