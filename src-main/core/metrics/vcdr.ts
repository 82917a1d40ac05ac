// vCDR as the official REFUGE evaluation computes it
// (ignaciorlando/refuge-evaluation, evaluation_metrics/evaluation_metrics_for_segmentation.py:
// vertical_diameter, vertical_cup_to_disc_ratio, absolute_error; the score is the mean).
import { assertLayout, assertSameSize } from '../masks/mask';
import { verticalDiameter } from '../masks/measure';
import type { BinaryMask } from '../types';
import { assertFinite, assertPaired } from './validate';

/** The official code's EPS, added to the disc diameter so an empty disc gives 0 instead of a division by zero. */
export const REFUGE_EPS = 1e-7;

/**
 * cup diameter / (disc diameter + 1e-7), diameters by the REFUGE column rule.
 * The official code reads the disc as pixel < 255, which includes every cup
 * pixel, so the disc here is od OR oc. An empty disc gives 0, as there.
 * (masks/measure.ts verticalCupToDiscRatio is the plain ratio, null without a disc.)
 */
export function refugeVerticalCupToDiscRatio(od: BinaryMask, oc: BinaryMask): number {
  assertLayout(od, 'refugeVerticalCupToDiscRatio (disc)');
  assertLayout(oc, 'refugeVerticalCupToDiscRatio (cup)');
  assertSameSize(od, oc, 'refugeVerticalCupToDiscRatio');
  const disc = new Uint8Array(od.data.length);
  for (let i = 0; i < disc.length; i++) disc[i] = od.data[i] !== 0 || oc.data[i] !== 0 ? 1 : 0;
  return verticalDiameter(oc) / (verticalDiameter({ width: od.width, height: od.height, data: disc }) + REFUGE_EPS);
}

/** |predicted - reference| per image. */
export function vcdrAbsoluteErrors(predicted: readonly number[], reference: readonly number[]): number[] {
  assertPaired(predicted, reference, 'vcdrAbsoluteErrors', ['predicted', 'reference']);
  assertFinite(predicted, 'vcdrAbsoluteErrors', 'predicted');
  assertFinite(reference, 'vcdrAbsoluteErrors', 'reference');
  return predicted.map((p, i) => Math.abs(p - reference[i]!));
}

/** Mean of |predicted - reference| (the REFUGE vCDR score, lower is better). */
export function meanAbsoluteError(predicted: readonly number[], reference: readonly number[]): number {
  const errors = vcdrAbsoluteErrors(predicted, reference);
  let sum = 0;
  for (const e of errors) sum += e;
  return sum / errors.length;
}
