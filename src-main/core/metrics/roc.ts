// Glaucoma classification metrics as the official REFUGE evaluation computes them
// (ignaciorlando/refuge-evaluation, evaluation_metrics/evaluation_metrics_for_classification.py:
// get_roc_curve = sklearn roc_curve + roc_auc_score, get_sensitivity_at_given_specificity =
// scipy interp1d(1 - fpr, tpr)(0.85)).
import { assertFinite, assertPaired } from './validate';

/**
 * ROC curve with one point per distinct score, from (0, 0) to (1, 1).
 * thresholds[k] is the score at or above which samples are called positive to
 * reach point k; thresholds[0] = Infinity (no sample positive).
 */
export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  readonly thresholds: number[];
}

export interface RocOptions {
  /**
   * Drop points in the middle of a run of equal steps, as sklearn's roc_curve
   * does by default (drop_intermediate = True): a point k is kept when the step
   * into it differs from the step out of it in fp or tp. The area is the same
   * either way, but the official reference sensitivity is not (see
   * sensitivityAtSpecificity), so the default follows sklearn.
   */
  readonly dropIntermediate?: boolean;
}

/**
 * Builds the ROC curve as sklearn.metrics.roc_curve (1.2 and the current source):
 * scores sorted from high to low, tied scores enter together as one step (a
 * diagonal segment when a tie mixes classes), fpr = fp / negatives,
 * tpr = tp / positives, then (0, 0) prepended with threshold Infinity.
 * labels: 1 = glaucoma (positive), 0 = normal; both classes must be present
 * (sklearn's roc_auc_score refuses a single class too).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, options: RocOptions = {}): RocCurve {
  assertPaired(scores, labels, 'rocCurve', ['scores', 'labels']);
  assertFinite(scores, 'rocCurve', 'scores');
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new RangeError(`rocCurve: labels[${i}] is ${l}; labels must be 0 (normal) or 1 (glaucoma)`);
    positives += l;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`rocCurve: only one class present (${positives} glaucoma, ${negatives} normal); ROC and AUC need both`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  // Cumulative counts after each group of tied scores.
  const fps: number[] = [];
  const tps: number[] = [];
  const cut: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    fps.push(fp);
    tps.push(tp);
    cut.push(scores[i]!);
  }
  let keep = fps.map((_, k) => k);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    keep = keep.filter(
      (k) => k === 0 || k === fps.length - 1 || fps[k + 1]! - 2 * fps[k]! + fps[k - 1]! !== 0 || tps[k + 1]! - 2 * tps[k]! + tps[k - 1]! !== 0,
    );
  }
  return {
    fpr: [0, ...keep.map((k) => fps[k]! / negatives)],
    tpr: [0, ...keep.map((k) => tps[k]! / positives)],
    thresholds: [Infinity, ...keep.map((k) => cut[k]!)],
  };
}

/**
 * Area under the ROC curve by the trapezoid rule on rocCurve (sklearn's
 * roc_auc_score: auc(fpr, tpr)). Ties count half, as in the Mann-Whitney U.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return areaUnderCurve(rocCurve(scores, labels));
}

/** Trapezoid area of a curve given as (fpr, tpr) points in order. */
export function areaUnderCurve(curve: Pick<RocCurve, 'fpr' | 'tpr'>): number {
  const { fpr, tpr } = curve;
  let area = 0;
  for (let k = 1; k < fpr.length; k++) area += ((fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!)) / 2;
  return area;
}

/**
 * Sensitivity at a given specificity (REFUGE's "reference sensitivity" at 0.85),
 * by linear interpolation on the ROC curve exactly as the official code does:
 * scipy's interp1d(specificity = 1 - fpr, sensitivity = tpr) on sklearn's
 * roc_curve (drop_intermediate = True); interp1d sorts the points by
 * specificity with a stable sort (SciPy >= 1.6) and evaluates with numpy.interp.
 * Checked against scikit-learn 1.2.1 / SciPy 1.10.1 on 300 random cases with
 * ties (differences below 1e-12). Where several ROC points share one
 * specificity (a vertical step of the curve) that means:
 * - when the target specificity equals such a value exactly, the answer is the
 *   highest sensitivity at it (the top of the step);
 * - otherwise the line runs from the point with the highest sensitivity at the
 *   next lower specificity to the point with the lowest sensitivity at the next
 *   higher one. Where steps are involved this is not the ROC's own segment (which
 *   joins the top of the higher-specificity step to the bottom of the lower
 *   one); it is what the official code computes, so it is what we report.
 *   For the same reason the result depends on which collinear points sklearn
 *   drops, and a curve built with dropIntermediate = false can give another value.
 * With 360 normal images (REFUGE test) specificity 0.85 is hit exactly at
 * 54 false positives, so the first rule is the usual case.
 */
export function sensitivityAtSpecificity(scores: ArrayLike<number>, labels: ArrayLike<number>, specificity = 0.85): number {
  return sensitivityAtSpecificityOnCurve(rocCurve(scores, labels), specificity);
}

/** sensitivityAtSpecificity on a curve already computed. */
export function sensitivityAtSpecificityOnCurve(curve: Pick<RocCurve, 'fpr' | 'tpr'>, specificity = 0.85): number {
  if (!(specificity >= 0 && specificity <= 1)) {
    throw new RangeError(`sensitivityAtSpecificity: specificity must be in [0, 1], got ${specificity}`);
  }
  // Points sorted by ascending specificity, stable: the curve runs in descending
  // specificity, so reverse the groups of equal specificity but keep each
  // group's own order (ascending sensitivity).
  const m = curve.fpr.length;
  const xs: number[] = [];
  const ys: number[] = [];
  let end = m;
  while (end > 0) {
    const spec = 1 - curve.fpr[end - 1]!;
    let start = end - 1;
    while (start > 0 && 1 - curve.fpr[start - 1]! === spec) start--;
    for (let k = start; k < end; k++) {
      xs.push(spec);
      ys.push(curve.tpr[k]!);
    }
    end = start;
  }
  return numpyInterp(specificity, xs, ys);
}

/** numpy.interp(x, xp, fp) for ascending xp (ties allowed: the last of equal xp wins at x). */
function numpyInterp(x: number, xp: readonly number[], fp: readonly number[]): number {
  const n = xp.length;
  if (x < xp[0]!) return fp[0]!;
  if (x > xp[n - 1]!) return fp[n - 1]!;
  // j = last index with xp[j] <= x.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  const j = lo;
  if (j === n - 1 || xp[j] === x) return fp[j]!;
  const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
  return slope * (x - xp[j]!) + fp[j]!;
}
