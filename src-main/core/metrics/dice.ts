// Dice coefficient as the official REFUGE evaluation computes it
// (ignaciorlando/refuge-evaluation, evaluation_metrics/evaluation_metrics_for_segmentation.py,
// dice_coefficient): any non-zero pixel is inside; 2 |A n B| / (|A| + |B|).
import { assertLayout, assertSameSize } from '../masks/mask';
import type { BinaryMask } from '../types';
import { mean } from './stats';

export interface DiceOptions {
  /**
   * Value to return when both masks are empty. The official code computes
   * 2 * 0.0 / (0.0 + 0.0) on Python floats, which raises ZeroDivisionError and
   * stops the evaluation; without this option dice() throws the same way.
   */
  readonly ifBothEmpty?: number;
}

/** Dice of two masks of the same size, in [0, 1]. */
export function dice(a: BinaryMask, b: BinaryMask, options: DiceOptions = {}): number {
  assertLayout(a, 'dice (first mask)');
  assertLayout(b, 'dice (second mask)');
  assertSameSize(a, b, 'dice');
  let na = 0;
  let nb = 0;
  let both = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) {
    const inA = da[i] !== 0;
    const inB = db[i] !== 0;
    if (inA) na++;
    if (inB) nb++;
    if (inA && inB) both++;
  }
  if (na + nb === 0) {
    if (options.ifBothEmpty !== undefined) return options.ifBothEmpty;
    throw new RangeError('dice: both masks are empty, Dice is undefined (the official REFUGE code fails with a division by zero here)');
  }
  return (2 * both) / (na + nb);
}

/** Mean Dice over images (the REFUGE score: Dice per image, then averaged). */
export function meanDice(predicted: readonly BinaryMask[], reference: readonly BinaryMask[], options: DiceOptions = {}): number {
  if (predicted.length !== reference.length) {
    throw new RangeError(`meanDice: ${predicted.length} predicted masks but ${reference.length} reference masks`);
  }
  if (predicted.length === 0) throw new RangeError('meanDice: no images');
  return mean(predicted.map((p, i) => dice(p, reference[i]!, options)));
}
