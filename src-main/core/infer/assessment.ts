// The glaucoma assessment: the one place where the scores become a probability
// and a decision. The predictor calls it on a photograph's prediction; the API
// calls it again when the expert edits disc or cup (the network's score,
// computed from the photograph, stays what it was; the measurements move with
// the edit), so a corrected case is assessed by the same rule as a screened one.
//
// The rule is the model package's decision model (chosen by cross-validation,
// core/decision) at its operating point for a target specificity; packages
// without one, and `--fusion paper`, use the paper's rule: the mean of the
// network's output and a logistic regression on vCDR, decision at 0.5.
// An ungradable photograph (core/quality), or one outside the field of view the
// rule was validated on, keeps its scores but gets no decision (`withheld` says why).
import { decodeLabelRuns, labelVerticalCupToDiscRatio } from '../contract/label-map';
import type { LabelMapDto } from '../contract/contract';
import { discCupFeatures, type DiscCupFeatures } from '../decision/features';
import { decisionOperatingPoint, outsideDomain, paperFusion, ruleProbability, vcdrProbability, type DecisionModel } from '../decision/model';
import type { VcdrRegression } from '../model/package';
import type { BinaryMask } from '../types';
import type { GlaucomaDecision, GlaucomaScores } from './types';

export const DECISION_THRESHOLD = 0.5;

/** What the API reports for a (corrected) case: its vCDR with the fused probability and decision. */
export interface Assessment {
  readonly vcdr: number | null;
  readonly probability: number | null;
  readonly decision: GlaucomaDecision | null;
}

/** How to decide: the package's decision model or the paper's rule, and at which specificity. */
export interface DecisionSettings {
  /** 'model' (default): the package's decision model when it has one, else the paper's rule. */
  readonly fusion?: 'model' | 'paper';
  /** Target specificity of the operating point (default: the one stored with the decision model, 0.85). */
  readonly specificity?: number;
}

/** What a package contributes to the assessment. */
export interface AssessmentSource {
  readonly vcdrRegression: Pick<VcdrRegression, 'intercept' | 'slope'> | null;
  readonly decision?: DecisionModel | null;
}

export interface AssessmentInputs {
  /** The network's glaucoma output (null without a glaucoma head). */
  readonly network: number | null;
  readonly vcdr: number | null;
  /** Measurements of disc and cup (null without a disc). */
  readonly measurements: DiscCupFeatures | null;
  /** False for an ungradable photograph: scores are kept, no decision is made. */
  readonly gradable?: boolean;
  /** Why the photograph is ungradable, in words (for `withheld`). */
  readonly ungradableReason?: string;
}

/** The probability, the decision and the operating point it was made at. */
export function assessGlaucoma(source: AssessmentSource, inputs: AssessmentInputs, settings: DecisionSettings = {}): GlaucomaScores {
  const network = inputs.network !== null && Number.isFinite(inputs.network) ? inputs.network : null;
  const fromVcdr = source.vcdrRegression && inputs.vcdr !== null ? vcdrProbability(source.vcdrRegression, inputs.vcdr) : null;
  const model = settings.fusion === 'paper' ? null : (source.decision ?? null);
  let probability: number | null;
  let threshold = DECISION_THRESHOLD;
  let targetSpecificity: number | null = null;
  let withheld: string | null = inputs.gradable === false ? (inputs.ungradableReason ?? 'ungradable') : null;
  if (model) {
    withheld ??= outsideDomain(model, inputs.measurements);
    probability = ruleProbability(model.rule, { features: inputs.measurements, network });
    const point = decisionOperatingPoint(model, settings.specificity);
    threshold = point.threshold;
    targetSpecificity = point.targetSpecificity;
  } else {
    probability = paperFusion(network, fromVcdr);
  }
  const decision: GlaucomaDecision | null = probability === null || withheld !== null ? null : probability >= threshold ? 'glaucoma' : 'normal';
  return { network: inputs.network, vcdrRegression: fromVcdr, probability, decision, rule: model ? model.id : 'paper', threshold, targetSpecificity, withheld };
}

/** Disc (rim and cup) and cup masks of a label map. */
export function masksOfLabels(labels: LabelMapDto): { od: BinaryMask; oc: BinaryMask } {
  const values = decodeLabelRuns(labels);
  const od = new Uint8Array(values.length);
  const oc = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    od[i] = values[i]! > 0 ? 1 : 0;
    oc[i] = values[i] === 2 ? 1 : 0;
  }
  return { od: { width: labels.width, height: labels.height, data: od }, oc: { width: labels.width, height: labels.height, data: oc } };
}

/** Measurements of an (edited) label map; null without a disc. */
export function measurementsOfLabels(labels: LabelMapDto): DiscCupFeatures | null {
  const { od, oc } = masksOfLabels(labels);
  return discCupFeatures(od, oc);
}

/** The assessment of a corrected case: the network's score stays, vCDR and measurements are the edited label map's. */
export function assessCorrected(source: AssessmentSource, network: number | null, vcdr: number | null, measurements: DiscCupFeatures | null, settings: DecisionSettings = {}): Assessment {
  const { probability, decision } = assessGlaucoma(source, { network, vcdr, measurements }, settings);
  return { vcdr, probability, decision };
}

/** vCDR of a label map (null without a disc). */
export function vcdrOfLabels(labels: LabelMapDto): number | null {
  return labelVerticalCupToDiscRatio(decodeLabelRuns(labels), labels.width, labels.height);
}

/**
 * The same scores decided at another operating point of the same decision
 * model: the probability does not depend on the threshold, so only the
 * threshold, its target specificity and the decision change. Scores made by
 * another rule (the paper's, `--fusion paper`, another model's) are returned
 * as they are; a withheld decision stays withheld.
 */
export function decideAtOperatingPoint(scores: GlaucomaScores, model: DecisionModel | null, specificity: number | undefined): GlaucomaScores {
  if (!model || scores.rule !== model.id) return scores;
  const point = decisionOperatingPoint(model, specificity);
  const decision: GlaucomaDecision | null = scores.probability === null || scores.withheld ? null : scores.probability >= point.threshold ? 'glaucoma' : 'normal';
  return { ...scores, threshold: point.threshold, targetSpecificity: point.targetSpecificity, decision };
}
