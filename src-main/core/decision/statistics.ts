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
 * AUC with a stratified percentile bootstrap interval (95 %): positives and
 * negatives are resampled separately, so every resample has both classes.
 */
export function aucWithInterval(scores: readonly number[], labels: readonly (0 | 1)[], resamples = 2000, seed = 1): Interval {
  const value = auc(scores, labels);
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  const rng = createRng(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const p = Array.from({ length: pos.length }, () => pos[rng.int(pos.length)]!);
    const n = Array.from({ length: neg.length }, () => neg[rng.int(neg.length)]!);
    draws.push(auc([...p, ...n], [...p.map(() => 1 as const), ...n.map(() => 0 as const)]));
  }
  draws.sort((a, b) => a - b);
  const at = (q: number): number => draws[Math.min(draws.length - 1, Math.max(0, Math.round(q * (draws.length - 1))))]!;
  return { value, low: at(0.025), high: at(0.975) };
}

/**
 * The difference AUC(a) − AUC(b) of two scorings of the same cases, with a paired stratified percentile bootstrap
 * interval (95 %): each resample draws the same positives and negatives for both, so what both find hard cancels out.
 * Whether one segmentation ranks glaucoma better than another on the same images (bench/robustness/compare-scores.ts).
 */
export function pairedAucDifference(a: readonly number[], b: readonly number[], labels: readonly (0 | 1)[], resamples = 2000, seed = 1): Interval {
  if (a.length !== b.length || a.length !== labels.length) throw new RangeError(`paired scores differ in length: ${a.length}, ${b.length}, ${labels.length} labels`);
  const pos = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const neg = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  if (pos.length === 0 || neg.length === 0) throw new RangeError('an AUC needs both classes');
  const difference = (idx: readonly number[]): number => {
    const y = idx.map((i) => labels[i]!);
    return auc(idx.map((i) => a[i]!), y) - auc(idx.map((i) => b[i]!), y);
  };
  const rng = createRng(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    draws.push(difference([...pos.map(() => pos[rng.int(pos.length)]!), ...neg.map(() => neg[rng.int(neg.length)]!)]));
  }
  draws.sort((x, y) => x - y);
  const at = (q: number): number => draws[Math.min(draws.length - 1, Math.max(0, Math.round(q * (draws.length - 1))))]!;
  return { value: difference([...pos, ...neg]), low: at(0.025), high: at(0.975) };
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
