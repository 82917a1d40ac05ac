// Interval estimates for the decision model's figures: a seeded percentile
// bootstrap for the AUC and Wilson score intervals for proportions
// (sensitivity, specificity). Pure functions.
import { auc } from '../metrics/roc';
import { createRng } from '../random';

export interface Interval {
  readonly value: number;
  /** 95 % interval. */
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval of a proportion successes / trials (95 %). */
export function wilsonInterval(successes: number, trials: number, z = 1.959964): Interval {
  if (!(trials > 0)) return { value: Number.NaN, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * A statistic of cases on all of them, with a stratified percentile bootstrap interval (95 %): each resample draws as
 * many positives and as many negatives (by index, with replacement) as there are, so every resample has both classes.
 */
function stratifiedBootstrap(labels: readonly (0 | 1)[], statistic: (cases: readonly number[]) => number, resamples: number, seed: number): Interval {
  const pos = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const neg = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const rng = createRng(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const p = pos.map(() => pos[rng.int(pos.length)]!);
    const n = neg.map(() => neg[rng.int(neg.length)]!);
    draws.push(statistic([...p, ...n]));
  }
  draws.sort((a, b) => a - b);
  const at = (q: number): number => draws[Math.min(draws.length - 1, Math.max(0, Math.round(q * (draws.length - 1))))]!;
  return { value: statistic([...pos, ...neg]), low: at(0.025), high: at(0.975) };
}

/**
 * AUC with a stratified percentile bootstrap interval (95 %): positives and
 * negatives are resampled separately, so every resample has both classes.
 */
export function aucWithInterval(scores: readonly number[], labels: readonly (0 | 1)[], resamples = 2000, seed = 1): Interval {
  const value = auc(scores, labels);
  const interval = stratifiedBootstrap(labels, (cases) => auc(cases.map((i) => scores[i]!), cases.map((i) => labels[i]!)), resamples, seed);
  // The value on the cases in their own order (the AUC does not depend on it).
  return { ...interval, value };
}

/**
 * The difference AUC(a) − AUC(b) of two scorings of the same cases, with a paired stratified percentile bootstrap
 * interval (95 %): each resample draws the same positives and negatives for both, so what both find hard cancels out.
 * Whether one segmentation ranks glaucoma better than another on the same images (bench/robustness/compare-scores.ts).
 */
export function pairedAucDifference(a: readonly number[], b: readonly number[], labels: readonly (0 | 1)[], resamples = 2000, seed = 1): Interval {
  if (a.length !== b.length || a.length !== labels.length) throw new RangeError(`paired scores differ in length: ${a.length}, ${b.length}, ${labels.length} labels`);
  if (!labels.includes(1) || !labels.includes(0)) throw new RangeError('an AUC needs both classes');
  const difference = (cases: readonly number[]): number => {
    const y = cases.map((i) => labels[i]!);
    return auc(cases.map((i) => a[i]!), y) - auc(cases.map((i) => b[i]!), y);
  };
  return stratifiedBootstrap(labels, difference, resamples, seed);
}

export interface ReliabilityBin {
  /** Probability range of the bin, [low, high). */
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Mean predicted probability and observed glaucoma fraction in the bin (null when empty). */
  readonly predicted: number | null;
  readonly observed: number | null;
}

/** Reliability (calibration) table in equal-width probability bins, the Brier score and the expected calibration error. */
export function reliability(probabilities: readonly number[], labels: readonly (0 | 1)[], bins = 5): { bins: ReliabilityBin[]; brier: number; ece: number } {
  const table: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const low = b / bins;
    const high = (b + 1) / bins;
    const idx = probabilities.flatMap((p, i) => (p >= low && (p < high || (b === bins - 1 && p <= 1)) ? [i] : []));
    const predicted = idx.length ? idx.reduce((s, i) => s + probabilities[i]!, 0) / idx.length : null;
    const observed = idx.length ? idx.reduce((s, i) => s + labels[i]!, 0) / idx.length : null;
    if (predicted !== null && observed !== null) ece += (idx.length / probabilities.length) * Math.abs(predicted - observed);
    table.push({ low, high, count: idx.length, predicted, observed });
  }
  const brier = probabilities.reduce((s, p, i) => s + (p - labels[i]!) ** 2, 0) / probabilities.length;
  return { bins: table, brier, ece };
}
