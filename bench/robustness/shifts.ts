// Synthetic camera shifts for the robustness benchmark: what another camera, another
// operator or another field of view does to a photograph, at graded severities.
// Pure functions on RGB images (and the masks that move with them). Each is one
// step; the benchmark applies one at a time to Drishti-GS1 photographs.
import { DISC_CROP_MULTIPLES, discCentredCrop, ZOOM_OUT_FACTORS, zoomedOut, type LabelledPhotograph } from '../../src-main/core/infer/field-of-view-reading';
import { blur } from '../../src-main/core/quality/blur';
import type { RgbImage } from '../../src-main/core/types';

export const SEVERITIES = ['mild', 'moderate', 'strong'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A photograph and its masks, which geometric shifts move with it. */
export type Shifted = LabelledPhotograph;

/** A shift: photometric ones leave the masks alone; geometric ones move them with the image. */
export interface Shift {
  readonly name: string;
  readonly describe: (s: Severity) => string;
  readonly apply: (input: Shifted, s: Severity, discCentre: { x: number; y: number }) => Shifted | Promise<Shifted>;
}

const level = <T>(s: Severity, values: readonly [T, T, T]): T => values[SEVERITIES.indexOf(s)]!;

function mapPixels(image: RgbImage, f: (r: number, g: number, b: number, x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0, i = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++, i += 3) {
      const [r, g, b] = f(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!, x, y);
      data[i] = Math.max(0, Math.min(255, Math.round(r)));
      data[i + 1] = Math.max(0, Math.min(255, Math.round(g)));
      data[i + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return { width: image.width, height: image.height, data };
}

export const SHIFTS: readonly Shift[] = [
  {
    name: 'colour cast',
    describe: (s) => `red x${level(s, [0.9, 0.8, 0.65])}, blue x${level(s, [1.15, 1.35, 1.6])}`,
    apply: (i, s) => {
      const r = level(s, [0.9, 0.8, 0.65]);
      const b = level(s, [1.15, 1.35, 1.6]);
      return { ...i, image: mapPixels(i.image, (R, G, B) => [R * r, G, B * b]) };
    },
  },
  {
    name: 'gamma',
    describe: (s) => `gamma ${level(s, [0.8, 0.6, 0.45])} (brighter mid-tones)`,
    apply: (i, s) => {
      const g = level(s, [0.8, 0.6, 0.45]);
      const lut = Array.from({ length: 256 }, (_, v) => 255 * (v / 255) ** g);
      return { ...i, image: mapPixels(i.image, (R, G, B) => [lut[R]!, lut[G]!, lut[B]!]) };
    },
  },
  {
    name: 'dark exposure',
    describe: (s) => `x${level(s, [0.75, 0.55, 0.4])}`,
    apply: (i, s) => {
      const f = level(s, [0.75, 0.55, 0.4]);
      return { ...i, image: mapPixels(i.image, (R, G, B) => [R * f, G * f, B * f]) };
    },
  },
  {
    name: 'blur',
    describe: (s) => `Gaussian sigma ${level(s, [0.1, 0.25, 0.5])} % of the width`,
    apply: (i, s) => ({ ...i, image: blur(i.image, (level(s, [0.1, 0.25, 0.5]) / 100) * i.image.width) }),
  },
  {
    name: 'vignetting',
    describe: (s) => `edges at x${level(s, [0.8, 0.6, 0.4])} of the centre`,
    apply: (i, s) => {
      const edge = level(s, [0.8, 0.6, 0.4]);
      const cx = (i.image.width - 1) / 2;
      const cy = (i.image.height - 1) / 2;
      const rmax = Math.hypot(cx, cy);
      return {
        ...i,
        image: mapPixels(i.image, (R, G, B, x, y) => {
          const f = 1 - (1 - edge) * (Math.hypot(x - cx, y - cy) / rmax) ** 2;
          return [R * f, G * f, B * f];
        }),
      };
    },
  },
  // The two geometric shifts are the field-of-view conditions `train --field-of-view` measures (core/infer).
  {
    name: 'wider field (smaller disc)',
    describe: (s) => `zoomed out x${level(s, ZOOM_OUT_FACTORS)} into a black frame`,
    apply: (i, s) => zoomedOut(i, level(s, ZOOM_OUT_FACTORS)),
  },
  {
    name: 'disc-centred crop',
    describe: (s) => `a square crop ${level(s, DISC_CROP_MULTIPLES)}x the disc diameter (the disc fills ${Math.round(100 / level(s, DISC_CROP_MULTIPLES))} %)`,
    apply: (i, s, centre) => discCentredCrop(i, level(s, DISC_CROP_MULTIPLES), centre),
  },
];

/** Only for the JPEG shift, which needs a codec: the qualities per severity. */
export const JPEG_QUALITY: Readonly<Record<Severity, number>> = { mild: 60, moderate: 30, strong: 12 };

