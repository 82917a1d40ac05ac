// vCDR and glaucoma probability of a label map, by the same rules as screening:
// vCDR by the REFUGE rule (vertical diameters as the most mask pixels in one
// column), the probability as the mean of the available scores (the network's
// glaucoma output for the case, and the model's logistic regression on vCDR),
// decision at 0.5. When the expert edits the disc or cup, the network's score
// (computed from the photograph) stays what it was and the regression moves
// with the edited vCDR; their mean is what screening would report.
import { verticalCupToDiscRatio } from '../masks/measure';
import { vcdrProbability } from '../infer/vcdr-regression';
import type { LabelMapDto } from '../contract/contract';
import { decodeLabelRuns, masksFromLabels } from '../contract/label-map';

export const DECISION_THRESHOLD = 0.5;

export interface Assessment {
  readonly vcdr: number | null;
  readonly probability: number | null;
  readonly decision: 'glaucoma' | 'normal' | null;
}

/** vCDR of a label map (null without a disc). */
export function vcdrOfLabels(labels: LabelMapDto): number | null {
  const { od, oc } = masksFromLabels(decodeLabelRuns(labels));
  const { width, height } = labels;
  return verticalCupToDiscRatio({ width, height, data: od }, { width, height, data: oc });
}

/** Combines the network's score and the vCDR regression's into the probability and decision. */
export function assessVcdr(vcdr: number | null, network: number | null, regression: { intercept: number; slope: number } | null): Assessment {
  const scores: number[] = [];
  if (network !== null && Number.isFinite(network)) scores.push(network);
  if (regression && vcdr !== null) scores.push(vcdrProbability(regression, vcdr));
  if (scores.length === 0) return { vcdr, probability: null, decision: null };
  const probability = scores.reduce((a, b) => a + b, 0) / scores.length;
  return { vcdr, probability, decision: probability >= DECISION_THRESHOLD ? 'glaucoma' : 'normal' };
}
