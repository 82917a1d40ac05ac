// Is a fine-tuned model better than its parent? Both are scored on the same
// held-back cases, so the question is about the per-case differences: their
// mean, with a percentile bootstrap interval that resamples cases (the pairs
// stay together, so what both models find hard cancels out). A verdict is given
// only when there are enough cases and the interval excludes 0; otherwise the
// honest answer is "too few cases to tell".
import { createRng } from '../random';

/** The mean per-case difference child − parent, with its bootstrap interval. */
export interface PairedDifference {
  /** Cases where both models have a value. */
  readonly n: number;
  readonly child: number;
  readonly parent: number;
  /** Mean of child − parent over the cases. */
  readonly difference: number;
  /** Percentile bootstrap interval of the mean difference. */
  readonly low: number;
  readonly high: number;
}

export interface BootstrapOptions {
  /** Bootstrap resamples (default 2000). */
  readonly resamples?: number;
  /** Two-sided confidence (default 0.95). */
  readonly confidence?: number;
  /** The resampling is seeded: the same scores always give the same interval. */
  readonly seed?: number;
}

/** The value at quantile q of sorted values (linear interpolation between order statistics). */
function quantileSorted(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * Paired percentile bootstrap of the mean difference child[i] − parent[i].
 * Pairs where either value is missing (null, NaN) are left out. Null when no
 * pair is left.
 */
export function pairedBootstrapDifference(
  child: readonly (number | null)[],
  parent: readonly (number | null)[],
  options: BootstrapOptions = {},
): PairedDifference | null {
  if (child.length !== parent.length) throw new RangeError(`paired scores differ in length: ${child.length} child, ${parent.length} parent`);
  const pairs: [number, number][] = [];
  for (let i = 0; i < child.length; i++) {
    const c = child[i];
    const p = parent[i];
    if (c !== null && c !== undefined && p !== null && p !== undefined && Number.isFinite(c) && Number.isFinite(p)) pairs.push([c, p]);
  }
  const n = pairs.length;
  if (n === 0) return null;
  const diffs = pairs.map(([c, p]) => c - p);
  const meanOf = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const rng = createRng(options.seed ?? 1);
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[rng.int(n)]!;
    means[r] = sum / n;
  }
  means.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    n,
    child: meanOf(pairs.map(([c]) => c)),
    parent: meanOf(pairs.map(([, p]) => p)),
    difference: meanOf(diffs),
    low: quantileSorted(means, tail),
    high: quantileSorted(means, 1 - tail),
  };
}

/**
 * 'better' / 'worse': the interval lies wholly on one side of 0 (in the
 * metric's good direction or not); 'too-few-cases': fewer held-back cases than
 * `minimumCases`, or an interval that spans 0 — the data cannot tell.
 */
export type ComparisonVerdict = 'better' | 'worse' | 'too-few-cases';

export interface MetricComparison {
  readonly verdict: ComparisonVerdict;
  /** Null when there are fewer than `minimumCases` pairs: no number is shown then. */
  readonly result: PairedDifference | null;
}

export function compareModels(
  child: readonly (number | null)[],
  parent: readonly (number | null)[],
  options: BootstrapOptions & { readonly higherIsBetter: boolean; readonly minimumCases: number },
): MetricComparison {
  const result = pairedBootstrapDifference(child, parent, options);
  if (result === null || result.n < options.minimumCases) return { verdict: 'too-few-cases', result: null };
  const sign = options.higherIsBetter ? 1 : -1;
  if (sign * result.low > 0 && sign * result.high > 0) return { verdict: 'better', result };
  if (sign * result.low < 0 && sign * result.high < 0) return { verdict: 'worse', result };
  return { verdict: 'too-few-cases', result };
}
