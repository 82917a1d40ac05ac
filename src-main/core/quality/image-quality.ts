// The image-quality gate's measurements and verdict. Every photograph is
// gradable or ungradable, with the reasons; an ungradable one gets no glaucoma
// decision anywhere. The measures are computed on a copy reduced to a fixed
// size (longest side QUALITY_SIZE), so they mean the same at any resolution.
//
// Thresholds: see docs/robustness.md ("How the quality thresholds were set"):
// each sits well outside the range measured on every real photograph we have
// (Drishti-GS1, the REFUGE samples, the ROI crops of four hospitals) and inside
// the range of the degraded versions the robustness benchmark makes.
import type { QualityReason } from '../contract/contract';
import type { RgbImage } from '../types';

export const QUALITY_SIZE = 512;

/** What the gate measured on the photograph itself. */
export interface ImageMeasures {
  /** Share of the frame inside the illuminated field (any channel above the dark level). */
  readonly field: number;
  /** Mean luminance (0-255) inside the field. */
  readonly luminance: number;
  /** Share of field pixels with a channel clipped (>= 250): over-exposure saturates red first on a fundus. */
  readonly clipped: number;
  /** Red dominance inside the field: (mean R - mean B) / mean R. A fundus is red; grey, white or noise are not. */
  readonly redness: number;
  /** Fine detail: standard deviation of the green channel's Laplacian over that of the green channel, inside the field. */
  readonly sharpness: number;
}

export interface QualityThresholds {
  readonly minField: number;
  readonly minRedness: number;
  readonly minLuminance: number;
  readonly maxLuminance: number;
  readonly maxClipped: number;
  readonly minSharpness: number;
  /** Largest flip disagreement (mean 1 - Dice over the masks) still graded. */
  readonly maxUncertainty: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  minField: 0.15,
  minRedness: 0.3,
  minLuminance: 20,
  maxLuminance: 215,
  maxClipped: 0.2,
  minSharpness: 0.07,
  maxUncertainty: 0.2,
};

export interface QualityVerdict {
  readonly gradable: boolean;
  /** Empty when gradable. */
  readonly reasons: readonly QualityReason[];
  readonly measures: ImageMeasures | null;
}

/** A pixel with no channel above this is outside the illuminated field. */
export const DARK = 20;

/** Rec. 601 luma of an RGB pixel. */
export const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/** Box-averages an image down so its longer side is at most `size` (never up). */
export function reduceImage(image: RgbImage, size = QUALITY_SIZE): RgbImage {
  const f = Math.max(1, Math.ceil(Math.max(image.width, image.height) / size));
  if (f === 1) return image;
  const width = Math.floor(image.width / f);
  const height = Math.floor(image.height / f);
  const data = new Uint8Array(width * height * 3);
  const n = f * f;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < f; dy++) {
        let i = ((y * f + dy) * image.width + x * f) * 3;
        for (let dx = 0; dx < f; dx++, i += 3) {
          r += image.data[i]!;
          g += image.data[i + 1]!;
          b += image.data[i + 2]!;
        }
      }
      const o = (y * width + x) * 3;
      data[o] = r / n;
      data[o + 1] = g / n;
      data[o + 2] = b / n;
    }
  }
  return { width, height, data };
}

/** Measures a photograph (any size; reduced first). */
export function measureImage(original: RgbImage): ImageMeasures {
  const image = reduceImage(original);
  const { width, height, data } = image;
  const inField = new Uint8Array(width * height);
  let count = 0;
  let sumR = 0;
  let sumB = 0;
  let sumL = 0;
  let clipped = 0;
  for (let i = 0, p = 0; p < width * height; p++, i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    if (Math.max(r, g, b) <= DARK) continue;
    inField[p] = 1;
    count++;
    sumR += r;
    sumB += b;
    sumL += luma(r, g, b);
    if (r >= 250 || g >= 250 || b >= 250) clipped++;
  }
  if (count === 0) return { field: 0, luminance: 0, clipped: 0, redness: 0, sharpness: 0 };
  const meanR = sumR / count;
  const meanB = sumB / count;
  // Laplacian of the green channel at field pixels whose 4 neighbours are in the field too (the field's edge is not detail).
  let lapSum = 0;
  let lapSq = 0;
  let gSum = 0;
  let gSq = 0;
  let m = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = y * width + x;
      if (!inField[p] || !inField[p - 1] || !inField[p + 1] || !inField[p - width] || !inField[p + width]) continue;
      const g = data[p * 3 + 1]!;
      const lap = 4 * g - data[(p - 1) * 3 + 1]! - data[(p + 1) * 3 + 1]! - data[(p - width) * 3 + 1]! - data[(p + width) * 3 + 1]!;
      lapSum += lap;
      lapSq += lap * lap;
      gSum += g;
      gSq += g * g;
      m++;
    }
  }
  const sd = (s: number, q: number): number => (m > 1 ? Math.sqrt(Math.max(0, q / m - (s / m) ** 2)) : 0);
  const gSd = sd(gSum, gSq);
  return {
    field: count / (width * height),
    luminance: sumL / count,
    clipped: clipped / count,
    redness: meanR > 0 ? (meanR - meanB) / meanR : 0,
    sharpness: gSd > 0 ? sd(lapSum, lapSq) / gSd : 0,
  };
}

/** Mean R, G, B of the illuminated field (pixels with a channel above the dark level); null without one. */
export function fieldMeanColour(image: RgbImage): readonly [number, number, number] | null {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let i = 0; i < image.data.length; i += 3) {
    const pr = image.data[i]!;
    const pg = image.data[i + 1]!;
    const pb = image.data[i + 2]!;
    if (Math.max(pr, pg, pb) <= DARK) continue;
    r += pr;
    g += pg;
    b += pb;
    n++;
  }
  return n ? [r / n, g / n, b / n] : null;
}

/** Mean luminance (0-255) of the illuminated field of an image: the luma of its mean colour (luma is linear); 0 without one. */
export function fieldLuminance(image: RgbImage): number {
  const mean = fieldMeanColour(image);
  return mean ? luma(...mean) : 0;
}

/** Reasons the photograph itself cannot be graded (before any model runs). */
export function imageReasons(m: ImageMeasures, t: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS): QualityReason[] {
  const reasons: QualityReason[] = [];
  if (m.field < t.minField || m.redness < t.minRedness) reasons.push('no-fundus-field');
  if (m.field >= t.minField && m.luminance < t.minLuminance) reasons.push('under-exposed');
  if (m.luminance > t.maxLuminance || m.clipped > t.maxClipped) reasons.push('over-exposed');
  if (m.field >= t.minField && m.sharpness < t.minSharpness) reasons.push('out-of-focus');
  return reasons;
}

/** The gate's verdict: the photograph's own reasons plus what the model found (or did not). */
export function qualityVerdict(
  measures: ImageMeasures | null,
  model: { readonly discFound: boolean; readonly uncertainty: number | null },
  t: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS,
): QualityVerdict {
  const reasons = measures ? imageReasons(measures, t) : [];
  if (!model.discFound) reasons.push('disc-not-found');
  if (model.uncertainty !== null && model.uncertainty > t.maxUncertainty) reasons.push('too-uncertain');
  return { gradable: reasons.length === 0, reasons, measures };
}
