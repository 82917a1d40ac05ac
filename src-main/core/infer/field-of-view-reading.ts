// How well a package reads other fields of view, measured on labelled photographs it did not train on: each
// photograph read as it is, zoomed out into a black frame (a wider field: a smaller disc) and cut to disc-centred
// crops (a disc that fills more of the frame), the disc and cup scored against the experts' masks moved with it.
// decision/field-of-view.ts turns these readings into the disc sizes a decision may decide on. `train
// --field-of-view` runs them on each fold model's held-out photographs; the robustness benchmark (bench/robustness)
// runs the same two geometric shifts beside its photometric ones.
import type { Sample } from '../data/sample';
import type { SquareCrop } from '../geometry/crop';
import { resampleMaskRegion, resampleRgbRegion } from '../geometry/resample-region';
import { UNSHIFTED, type ShiftReading } from '../decision/field-of-view';
import { boundingBox } from '../masks/measure';
import { dice } from '../metrics/dice';
import { refugeVerticalCupToDiscRatio } from '../metrics/vcdr';
import type { BinaryMask, RgbImage } from '../types';
import { letterboxedPhotograph, type PredictOptions, type Predictor } from './predictor';
import type { CasePrediction } from './types';

/** A photograph with the experts' disc and cup, which move with it under a geometric shift. */
export interface LabelledPhotograph {
  readonly image: RgbImage;
  readonly od: BinaryMask;
  readonly oc: BinaryMask;
}

/** How far the wider-field condition zooms out (mild, moderate, strong): discs some 1.3-2.2 times smaller. */
export const ZOOM_OUT_FACTORS = [1.3, 1.7, 2.2] as const;
/** The disc-centred crops' sides in disc diameters (mild, moderate, strong): the disc fills a third to two thirds. */
export const DISC_CROP_MULTIPLES = [3, 2, 1.5] as const;

/** A square region of the photograph resampled to `side` pixels, with its masks. */
function region(input: LabelledPhotograph, crop: SquareCrop, side: number): LabelledPhotograph {
  return { image: resampleRgbRegion(input.image, crop, side), od: resampleMaskRegion(input.od, crop, side), oc: resampleMaskRegion(input.oc, crop, side) };
}

/** The photograph zoomed out by `factor` into a black frame, at its own longer side: a wider field of view. */
export function zoomedOut(input: LabelledPhotograph, factor: number): LabelledPhotograph {
  const side = Math.max(input.image.width, input.image.height);
  const big = Math.round(side * factor);
  return region(input, { x0: Math.round((input.image.width - big) / 2), y0: Math.round((input.image.height - big) / 2), side: big }, side);
}

/** A square crop `multiple` times the experts' disc height around `centre`, resampled to 800 pixels. */
export function discCentredCrop(input: LabelledPhotograph, multiple: number, centre: { x: number; y: number }): LabelledPhotograph {
  const box = boundingBox(input.od);
  if (!box) throw new Error('a disc-centred crop needs the experts\' disc');
  // The box is exclusive of y1: its height is the disc's in rows.
  const side = Math.round((box.y1 - box.y0) * multiple);
  return region(input, { x0: Math.round(centre.x - side / 2), y0: Math.round(centre.y - side / 2), side }, 800);
}

/** The experts' disc centre: the dataset's own where it has one, else the middle of the disc's box. */
export function discCentreOf(sample: Pick<Sample, 'discCenter'>, od: BinaryMask): { x: number; y: number } {
  const box = boundingBox(od);
  return sample.discCenter ?? (box ? { x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2 } : { x: od.width / 2, y: od.height / 2 });
}

/** One of the conditions: its description (the evidence names it) and how it changes a photograph. */
export interface FieldOfViewCondition {
  readonly name: string;
  readonly apply: (input: LabelledPhotograph, centre: { x: number; y: number }) => LabelledPhotograph;
}

/** The unshifted photograph, then each zoom level, then each crop: the order the readings come out in. */
export const FIELD_OF_VIEW_CONDITIONS: readonly FieldOfViewCondition[] = [
  { name: UNSHIFTED, apply: (input) => input },
  ...ZOOM_OUT_FACTORS.map((z) => ({ name: `zoomed out x${z} into a black frame`, apply: (input: LabelledPhotograph) => zoomedOut(input, z) })),
  ...DISC_CROP_MULTIPLES.map((f) => ({
    name: `a square crop ${f}x the disc diameter (the disc fills ${Math.round(100 / f)} %)`,
    apply: (input: LabelledPhotograph, centre: { x: number; y: number }) => discCentredCrop(input, f, centre),
  })),
];

/** What the field-of-view measure needs of a prediction. */
export type FieldOfViewPrediction = Pick<CasePrediction, 'od' | 'oc'> & {
  readonly summary: { readonly width: number; readonly height: number; readonly vcdr: number | null; readonly disc: { readonly found: boolean; readonly verticalDiameterPx: number } };
};

/** One photograph's reading under one condition, scored against the experts' masks moved with it. */
export interface ShiftedScore {
  /** The disc's height as a fraction of the image's shorter side; null when no disc was found. */
  readonly discSpan: number | null;
  readonly odDice: number;
  readonly ocDice: number;
  /** REFUGE scores a missing disc as vCDR 0. */
  readonly vcdrError: number;
}

export function scoreShifted(p: FieldOfViewPrediction, truth: LabelledPhotograph): ShiftedScore {
  const s = p.summary;
  return {
    discSpan: s.disc.found ? s.disc.verticalDiameterPx / Math.min(s.width, s.height) : null,
    odDice: dice(p.od, truth.od, { ifBothEmpty: 1 }),
    ocDice: dice(p.oc, truth.oc, { ifBothEmpty: 1 }),
    vcdrError: Math.abs((s.vcdr ?? 0) - refugeVerticalCupToDiscRatio(truth.od, truth.oc)),
  };
}

const meanOf = (values: readonly number[]): number | null => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

/** A condition's photographs summarised as decision/field-of-view.ts reads them. */
export function summariseCondition(condition: string, scores: readonly ShiftedScore[]): ShiftReading {
  const spans = scores.flatMap((s) => (s.discSpan === null ? [] : [s.discSpan]));
  return {
    condition,
    images: scores.length,
    discFound: scores.length ? spans.length / scores.length : 0,
    odDice: meanOf(scores.map((s) => s.odDice)),
    ocDice: meanOf(scores.map((s) => s.ocDice)),
    vcdrMae: meanOf(scores.map((s) => s.vcdrError)),
    discSpan: spans.length ? [Math.min(...spans), Math.max(...spans)] : null,
  };
}

/** A photograph read whole, as `screen` reads a file (letterboxed to the network, the original for the crops). */
export type PhotographReader = (image: RgbImage) => Promise<FieldOfViewPrediction>;

/** The predictor as a reader; its whole prediction, which the benchmark reads more of than the field of view does. */
export function predictorReader(predictor: Predictor, options: PredictOptions): (image: RgbImage) => Promise<CasePrediction> {
  return (image) => {
    const p = letterboxedPhotograph(image, predictor.inputSize);
    return predictor.predictLetterboxed(p.image, p.original, p.readOriginal, options);
  };
}

/** Every condition's reading of these photographs, in FIELD_OF_VIEW_CONDITIONS' order. */
export async function readFieldOfView(
  read: PhotographReader,
  photographs: readonly { readonly photograph: LabelledPhotograph; readonly centre: { x: number; y: number } }[],
  signal?: AbortSignal,
): Promise<ShiftReading[]> {
  const readings: ShiftReading[] = [];
  for (const condition of FIELD_OF_VIEW_CONDITIONS) {
    const scores: ShiftedScore[] = [];
    for (const { photograph, centre } of photographs) {
      signal?.throwIfAborted();
      const shifted = condition.apply(photograph, centre);
      scores.push(scoreShifted(await read(shifted.image), shifted));
    }
    readings.push(summariseCondition(condition.name, scores));
  }
  return readings;
}

/** Up to `n` photographs, half of them normal eyes where the labels allow (the benchmark's ten: five and five). */
export function balancedSelection<T extends Pick<Sample, 'glaucoma'>>(samples: readonly T[], n: number): T[] {
  if (samples.every((s) => s.glaucoma === undefined)) return samples.slice(0, n);
  const normal = samples.filter((s) => s.glaucoma === 0);
  const glaucoma = samples.filter((s) => s.glaucoma === 1);
  const k = Math.min(Math.floor(n / 2), normal.length);
  return [...normal.slice(0, k), ...glaucoma.slice(0, n - k)];
}
