// Fits the glaucoma decision model on cross-validated scores: each image's
// measurements come from the segmentation of a fold model that did not train on
// it, so the rule learns the model's real behaviour (its biases included).
import { selectDecisionModel, type DecisionCase } from '../decision/select';
import type { DecisionModel } from '../decision/model';
import type { ImageScore } from '../infer/evaluate';

/** Out-of-fold image scores -> the decision model's cases (labelled images only). */
export function decisionCases(scores: readonly ImageScore[]): DecisionCase[] {
  return scores.flatMap((s) => (s.glaucoma === null ? [] : [{ id: s.id, label: s.glaucoma, features: s.measurements, network: s.networkProbability }]));
}

/**
 * The decision model, or null (with the reason logged) when the scores cannot
 * support one: too few cases of a class with a disc found.
 */
export function fitDecisionFromScores(scores: readonly ImageScore[], note: string, log: (message: string) => void): DecisionModel | null {
  try {
    const model = selectDecisionModel(decisionCases(scores), { note });
    const auc = model.validation.auc;
    const op = model.operatingPoint;
    log(
      `decision model: ${model.id} (cross-validated AUC ${auc.value.toFixed(3)}, 95 % CI ${auc.low.toFixed(3)}-${auc.high.toFixed(3)}; ` +
        `at specificity ${op.targetSpecificity}: threshold ${op.threshold.toFixed(3)}, sensitivity ${op.sensitivity.value.toFixed(2)}, specificity ${op.specificity.value.toFixed(2)})`,
    );
    return model;
  } catch (error) {
    log(`no decision model fitted (the paper's rule is used): ${(error as Error).message}`);
    return null;
  }
}
