// The exposure normalisation target a package records (preprocessing.luminanceReference):
// the median field luminance of its training photographs as the whole-image network saw
// them (letterboxed to its input size), so inference can bring another camera's
// exposure to the one the network learnt on.
import type { ImageCodec } from '../data/image-codec';
import { fieldLuminance } from '../quality/image-quality';
import type { RgbImage } from '../types';

/** Median of the images' field luminance; null without an illuminated image. */
export function medianFieldLuminance(images: Iterable<RgbImage>): number | null {
  const values = [...images].map(fieldLuminance).filter((v) => v > 0).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The same from image files, read as the whole-image network reads them. */
export async function exposureReferenceOf(files: readonly string[], codec: ImageCodec, inputSize: number): Promise<number | null> {
  const images: RgbImage[] = [];
  for (const file of files) images.push((await codec.readLetterboxed(file, inputSize)).image);
  return medianFieldLuminance(images);
}
