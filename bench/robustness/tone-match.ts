// A test-time tone-curve normalisation measured by the benchmark (run.ts --tone-match image|folder): the field's
// luminance median and 90th percentile (of one photograph, or the median over a folder's) are brought to the training
// photographs' by one power law and one gain, out = 255 g (in / 255)^gamma on every channel. Exposure normalisation (a gain alone) cannot undo another
// camera's tone curve: a gamma of 0.45 brightens the mid-tones, which lifts the field's mean, and the gain then darkens
// the disc. Pure functions; not part of the pipeline unless measured to help (docs/robustness.md).
import { DARK, luma } from '../../src-main/core/quality/image-quality';
import type { RgbImage } from '../../src-main/core/types';

/** The power law is kept within these bounds: beyond them the photograph is the quality gate's business. */
const GAMMA_RANGE = [0.4, 2.5] as const;

export interface ToneReference {
  readonly median: number;
  readonly high: number;
}

/** The field's luminance median and 90th percentile (0-255); null without a field. */
export function fieldTone(image: RgbImage): ToneReference | null {
  const histogram = new Float64Array(256);
  let n = 0;
  for (let i = 0; i < image.data.length; i += 3) {
    const r = image.data[i]!;
    const g = image.data[i + 1]!;
    const b = image.data[i + 2]!;
    if (Math.max(r, g, b) <= DARK) continue;
    histogram[Math.min(255, Math.round(luma(r, g, b)))]!++;
    n++;
  }
  if (n === 0) return null;
  const quantile = (q: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v]!;
      if (seen >= q * n) return Math.max(1, v);
    }
    return 255;
  };
  return { median: quantile(0.5), high: quantile(0.9) };
}

/** The per-photograph reference: the median of several photographs' medians and 90th percentiles. */
export function medianTone(tones: readonly ToneReference[]): ToneReference {
  const median = (values: number[]): number => {
    const s = [...values].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return { median: median(tones.map((t) => t.median)), high: median(tones.map((t) => t.high)) };
}

/** The power law and gain that take this photograph's tone to the reference's. */
export function toneCurve(tone: ToneReference, reference: ToneReference): { gamma: number; gain: number } {
  const l = (v: number): number => Math.log(Math.min(254, Math.max(1, v)) / 255);
  const spread = l(tone.high) - l(tone.median);
  const raw = spread > 1e-3 ? (l(reference.high) - l(reference.median)) / spread : 1;
  const gamma = Math.min(GAMMA_RANGE[1], Math.max(GAMMA_RANGE[0], raw));
  const gain = Math.exp(l(reference.median) - gamma * l(tone.median));
  return { gamma, gain };
}

/**
 * The photograph with a tone brought to the reference's: its own (per photograph), or a folder's (one curve for a
 * camera's photographs, which keeps their differences from each other); unchanged without a field.
 */
export function toneMatched(image: RgbImage, reference: ToneReference, folderTone?: ToneReference): RgbImage {
  const tone = folderTone ?? fieldTone(image);
  if (!tone) return image;
  const { gamma, gain } = toneCurve(tone, reference);
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.min(255, Math.round(255 * gain * Math.pow(v / 255, gamma)));
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = table[image.data[i]!]!;
  return { width: image.width, height: image.height, data };
}
