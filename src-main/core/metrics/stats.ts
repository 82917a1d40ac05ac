// Summary statistics for reporting cross-validation results as "mean ± sd",
// the way the paper reports its five folds.
import { assertFinite } from './validate';

/** Arithmetic mean; throws on an empty list or a non-finite value. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean: no values');
  assertFinite(values, 'mean', 'values');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Median (the mean of the two middle values for an even count); throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) {
    if (values.length === 1) assertFinite(values, 'sampleSd', 'values');
    return 0;
  }
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}

/**
 * "mean ± sd" of the values times `scale`, both with `digits` decimals:
 * formatMeanSd([0.9580, 0.9772], 2, 100) -> "96.76 ± 1.36".
 */
export function formatMeanSd(values: readonly number[], digits = 2, scale = 1): string {
  return `${(mean(values) * scale).toFixed(digits)} ± ${(sampleSd(values) * scale).toFixed(digits)}`;
}
