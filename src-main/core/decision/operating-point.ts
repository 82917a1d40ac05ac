// The operating point: the probability threshold that reaches a target
// specificity on cross-validated (out-of-fold) probabilities, with the
// sensitivity and specificity expected there and their 95 % intervals.
// The package keeps the out-of-fold ROC counts, so any target specificity can be
// turned into a threshold later (`screen --specificity 0.9`, the app's setting).
import { rocCurve } from '../metrics/roc';
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
 * The lowest threshold whose specificity is at least the target (the most
 * sensitive such point). A threshold between two observed scores is placed
 * half-way, so a new case scoring exactly like a training normal is not pushed
 * across by rounding.
 */
export function operatingPointFor(roc: RocCounts, targetSpecificity: number): OperatingPoint {
  if (!(targetSpecificity > 0 && targetSpecificity < 1)) throw new RangeError(`specificity must be between 0 and 1 (got ${targetSpecificity})`);
  if (roc.positives === 0 || roc.negatives === 0) throw new RangeError('an operating point needs both glaucoma and normal cases');
  const allowedFp = Math.floor(roc.negatives * (1 - targetSpecificity) + 1e-9);
  // Points are ordered by decreasing threshold, so fp only grows.
  let k = -1;
  for (let i = 0; i < roc.thresholds.length; i++) if (roc.falsePositives[i]! <= allowedFp) k = i;
  const tp = k >= 0 ? roc.truePositives[k]! : 0;
  const fp = k >= 0 ? roc.falsePositives[k]! : 0;
  const at = k >= 0 ? roc.thresholds[k]! : 1;
  const below = roc.thresholds[k + 1];
  const threshold = k < 0 ? Math.min(1, roc.thresholds[0]! + 1e-6) : below === undefined ? at : (at + below) / 2;
  return {
    targetSpecificity,
    threshold,
    sensitivity: wilsonInterval(tp, roc.positives),
    specificity: wilsonInterval(roc.negatives - fp, roc.negatives),
  };
}
