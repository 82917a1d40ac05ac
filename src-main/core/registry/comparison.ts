// A fine-tuned version against its parent on the same held-back cases, as the
// app stores and shows it: per measure, the paired difference with its
// interval (metrics/paired-comparison) and a verdict, or "too few cases to
// tell" when that is the truth.
import { COMPARISON_METRICS, type ComparisonMetric, type HeldBackComparison, type PairedCaseScores } from '../contract/contract';
import { compareModels } from '../metrics/paired-comparison';

/** Fewer held-back cases than this and no comparison is shown: "too few cases to tell". */
export const MIN_HELD_BACK_FOR_COMPARISON = 5;

const HIGHER_IS_BETTER: Readonly<Record<ComparisonMetric, boolean>> = { odDice: true, ocDice: true, vcdrError: false };

export function heldBackComparison(scores: readonly PairedCaseScores[], minimumCases = MIN_HELD_BACK_FOR_COMPARISON): HeldBackComparison {
  return {
    cases: scores.length,
    minimumCases,
    metrics: COMPARISON_METRICS.map((key) => {
      const higherIsBetter = HIGHER_IS_BETTER[key];
      const { verdict, result } = compareModels(
        scores.map((s) => s.child[key]),
        scores.map((s) => s.parent[key]),
        { higherIsBetter, minimumCases, seed: 20_260_101 },
      );
      return { key, higherIsBetter, verdict, result: result ? { ...result } : null };
    }),
  };
}
