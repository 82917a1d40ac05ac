// The operating point: the probability threshold that reaches a target
// specificity on cross-validated (out-of-fold) probabilities, with the
// sensitivity and specificity expected there and their 95 % intervals.
// The package keeps the out-of-fold ROC counts, so any target specificity can be
// turned into a threshold later (`screen --specificity 0.9`, the app's setting).
import { rocCurve } from '../metrics/roc';
import { harrellDavisQuantile } from './quantile';
import type { ThresholdRule } from '../types';
import { wilsonInterval, type Interval } from './statistics';

/** Out-of-fold ROC counts: at threshold t[k], tp[k] positives and fp[k] negatives score >= t[k]. */
export interface RocCounts {
  readonly thresholds: readonly number[];
  readonly truePositives: readonly number[];
  readonly falsePositives: readonly number[];
  readonly positives: number;
  readonly negatives: number;
}

export interface OperatingPoint {
  readonly targetSpecificity: number;
  /** Call glaucoma when probability >= threshold. */
  readonly threshold: number;
  /** How the threshold was set (absent: 'lowest-passing'). */
  readonly rule?: ThresholdRule;
  readonly sensitivity: Interval;
  readonly specificity: Interval;
}

/** Counts at every distinct score, highest first: the ROC curve (every point kept) in counts. */
export function rocCounts(probabilities: readonly number[], labels: readonly (0 | 1)[]): RocCounts {
  const curve = rocCurve(probabilities, labels, { dropIntermediate: false });
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  // Point 0 of the curve is (0, 0) at threshold Infinity: no case called positive.
  return {
    thresholds: curve.thresholds.slice(1),
    truePositives: curve.tpr.slice(1).map((t) => Math.round(t * positives)),
    falsePositives: curve.fpr.slice(1).map((f) => Math.round(f * negatives)),
    positives,
    negatives,
  };
}

/**
 * The rule new decision models are fitted with. How a threshold is set for a target specificity (THRESHOLD_RULES):
 * - 'lowest-passing': the lowest threshold with at most (1 - target) x negatives above it, half-way between two
 *   observed scores. Its specificity on the cases is at least the target, but it rests on one normal eye.
 * - 'harrell-davis': the Harrell-Davis estimate of the normal cases' target-specificity quantile, from all of them.
 *   On the bundled model's 31 cross-validated normal eyes it lowered the bootstrap spread of the expected sensitivity
 *   by a quarter to a third, at a specificity 0.01-0.03 lower on average (docs/screening.md, "How the threshold is set");
 *   its specificity counted on the same cases may fall just below the target.
 * A package records its rule (absent: 'lowest-passing', the only one before), so a new target specificity is set the
 * same way as the stored one.
 */
export const DEFAULT_THRESHOLD_RULE: ThresholdRule = 'harrell-davis';

/** Each case's score and label, recovered from the counts (they grow by the cases at each score): rocCounts undone. */
export function casesOfRoc(roc: RocCounts): { score: number; label: 0 | 1 }[] {
  return roc.thresholds.flatMap((t, k) => {
    const tp = roc.truePositives[k]! - (k > 0 ? roc.truePositives[k - 1]! : 0);
    const fp = roc.falsePositives[k]! - (k > 0 ? roc.falsePositives[k - 1]! : 0);
    return [...Array.from({ length: tp }, () => ({ score: t, label: 1 as const })), ...Array.from({ length: fp }, () => ({ score: t, label: 0 as const }))];
  });
}

/** The negative cases' scores. */
function negativeScores(roc: RocCounts): number[] {
  return casesOfRoc(roc).flatMap((c) => (c.label === 0 ? [c.score] : []));
}

/** The operating point for a target specificity under a threshold rule, with the sensitivity and specificity counted there. */
export function operatingPointFor(roc: RocCounts, targetSpecificity: number, rule: ThresholdRule = 'lowest-passing'): OperatingPoint {
  if (!(targetSpecificity > 0 && targetSpecificity < 1)) throw new RangeError(`specificity must be between 0 and 1 (got ${targetSpecificity})`);
  if (roc.positives === 0 || roc.negatives === 0) throw new RangeError('an operating point needs both glaucoma and normal cases');
  const threshold = rule === 'harrell-davis' ? harrellDavisQuantile(negativeScores(roc), targetSpecificity) : lowestPassingThreshold(roc, targetSpecificity);
  // Points are ordered by decreasing threshold: the last one at or above the threshold counts the cases called glaucoma.
  let k = -1;
  while (k + 1 < roc.thresholds.length && roc.thresholds[k + 1]! >= threshold) k++;
  const tp = k >= 0 ? roc.truePositives[k]! : 0;
  const fp = k >= 0 ? roc.falsePositives[k]! : 0;
  return {
    targetSpecificity,
    threshold,
    ...(rule === 'lowest-passing' ? {} : { rule }),
    sensitivity: wilsonInterval(tp, roc.positives),
    specificity: wilsonInterval(roc.negatives - fp, roc.negatives),
  };
}

/**
 * The lowest threshold whose specificity is at least the target (the most sensitive such point). A threshold between
 * two observed scores is placed half-way, so a new case scoring exactly like a training normal is not pushed across
 * by rounding.
 */
function lowestPassingThreshold(roc: RocCounts, targetSpecificity: number): number {
  const allowedFp = Math.floor(roc.negatives * (1 - targetSpecificity) + 1e-9);
  // Points are ordered by decreasing threshold, so fp only grows.
  let k = -1;
  for (let i = 0; i < roc.thresholds.length; i++) if (roc.falsePositives[i]! <= allowedFp) k = i;
  if (k < 0) return Math.min(1, roc.thresholds[0]! + 1e-6);
  const at = roc.thresholds[k]!;
  const below = roc.thresholds[k + 1];
  return below === undefined ? at : (at + below) / 2;
}
