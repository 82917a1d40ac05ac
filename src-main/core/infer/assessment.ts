// The glaucoma assessment: the one place where the scores become a probability
// and a decision. The predictor calls it on a photograph's prediction; the API
// calls it again when the expert edits disc or cup (the network's score,
// computed from the photograph, stays what it was; the vCDR regression moves
// with the edited vCDR), so a corrected case is assessed by the same rule as a
// screened one. Today's rule is the paper's: the mean of the available scores
// (the network's glaucoma output and the logistic regression on vCDR), decision
// at 0.5. A different rule (a fitted decision model) replaces assessGlaucoma.
import { decodeLabelRuns, labelVerticalCupToDiscRatio } from '../contract/label-map';
import type { LabelMapDto } from '../contract/contract';
import type { VcdrRegression } from '../model/package';
import type { GlaucomaDecision, GlaucomaScores } from './types';
import { vcdrProbability } from './vcdr-regression';

export const DECISION_THRESHOLD = 0.5;

/** What the API reports for a (corrected) case: its vCDR with the fused probability and decision. */
export interface Assessment {
  readonly vcdr: number | null;
  readonly probability: number | null;
  readonly decision: GlaucomaDecision | null;
}

/**
 * Fuses the network's glaucoma score (null when the model has no glaucoma head)
 * and the vCDR regression's (null without a regression or a vCDR) into the
 * probability and decision.
 */
export function assessGlaucoma(network: number | null, vcdr: number | null, regression: Pick<VcdrRegression, 'intercept' | 'slope'> | null): GlaucomaScores {
  const networkScore = network !== null && Number.isFinite(network) ? network : null;
  const fromVcdr = regression && vcdr !== null ? vcdrProbability(regression, vcdr) : null;
  const scores = [networkScore, fromVcdr].filter((p): p is number => p !== null);
  const probability = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  return {
    network,
    vcdrRegression: fromVcdr,
    probability,
    decision: probability === null ? null : probability >= DECISION_THRESHOLD ? 'glaucoma' : 'normal',
  };
}

/** The assessment of a case whose vCDR may have been edited: assessGlaucoma, reported with the vCDR. */
export function assessVcdr(vcdr: number | null, network: number | null, regression: Pick<VcdrRegression, 'intercept' | 'slope'> | null): Assessment {
  const { probability, decision } = assessGlaucoma(network, vcdr, regression);
  return { vcdr, probability, decision };
}

/** vCDR of a label map (null without a disc). */
export function vcdrOfLabels(labels: LabelMapDto): number | null {
  return labelVerticalCupToDiscRatio(decodeLabelRuns(labels), labels.width, labels.height);
}
