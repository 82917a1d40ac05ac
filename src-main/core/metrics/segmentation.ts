// Per-image segmentation scores exactly as the official REFUGE evaluation
// (ignaciorlando/refuge-evaluation, evaluation_metrics/evaluation_metrics_for_segmentation.py,
// evaluate_binary_segmentation and get_mean_values_from_table).
import { assertLayout, assertSameSize } from '../masks/mask';
import type { BinaryMask, GreyImage } from '../types';
import { type DiceOptions, dice } from './dice';
import { mean } from './stats';
import { refugeVerticalCupToDiscRatio } from './vcdr';

export interface DiscCup {
  readonly od: BinaryMask;
  readonly oc: BinaryMask;
}

export interface SegmentationScores {
  readonly cupDice: number;
  readonly discDice: number;
  /** |vCDR(prediction) - vCDR(reference)|, both by refugeVerticalCupToDiscRatio. */
  readonly vcdrAbsoluteError: number;
}

/**
 * Scores one image. As in the official code the disc is everything that is not
 * background, so od OR oc (a cup pixel outside od still counts as disc).
 * `options` applies to both Dice values (see DiceOptions for empty masks).
 */
export function evaluateSegmentation(prediction: DiscCup, reference: DiscCup, options: DiceOptions = {}): SegmentationScores {
  const predDisc = union(prediction.od, prediction.oc);
  const refDisc = union(reference.od, reference.oc);
  return {
    cupDice: dice(prediction.oc, reference.oc, options),
    discDice: dice(predDisc, refDisc, options),
    vcdrAbsoluteError: Math.abs(refugeVerticalCupToDiscRatio(predDisc, prediction.oc) - refugeVerticalCupToDiscRatio(refDisc, reference.oc)),
  };
}

/**
 * Scores one image given as two REFUGE-convention grey masks (0 = cup, 128 = rim,
 * 255 = background), reading them as the official code does: cup = 0, disc < 255.
 * Any other value counts as disc, so a JPEG-damaged file is scored as it is;
 * decode it with decodeMaskAuto first to snap it.
 */
export function evaluateRefugeMasks(segmentation: GreyImage, groundTruth: GreyImage, options: DiceOptions = {}): SegmentationScores {
  return evaluateSegmentation(splitRefuge(segmentation, 'segmentation'), splitRefuge(groundTruth, 'ground truth'), options);
}

/** Column means, as get_mean_values_from_table. */
export function meanSegmentationScores(scores: readonly SegmentationScores[]): SegmentationScores {
  if (scores.length === 0) throw new RangeError('meanSegmentationScores: no images');
  return {
    cupDice: mean(scores.map((s) => s.cupDice)),
    discDice: mean(scores.map((s) => s.discDice)),
    vcdrAbsoluteError: mean(scores.map((s) => s.vcdrAbsoluteError)),
  };
}

function union(a: BinaryMask, b: BinaryMask): BinaryMask {
  assertLayout(a, 'evaluateSegmentation (disc)');
  assertLayout(b, 'evaluateSegmentation (cup)');
  assertSameSize(a, b, 'evaluateSegmentation');
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] !== 0 || b.data[i] !== 0 ? 1 : 0;
  return { width: a.width, height: a.height, data };
}

function splitRefuge(grey: GreyImage, what: string): DiscCup {
  assertLayout(grey, `evaluateRefugeMasks (${what})`);
  const od = new Uint8Array(grey.data.length);
  const oc = new Uint8Array(grey.data.length);
  for (let i = 0; i < od.length; i++) {
    const v = grey.data[i]!;
    od[i] = v < 255 ? 1 : 0;
    oc[i] = v === 0 ? 1 : 0;
  }
  return { od: { width: grey.width, height: grey.height, data: od }, oc: { width: grey.width, height: grey.height, data: oc } };
}
