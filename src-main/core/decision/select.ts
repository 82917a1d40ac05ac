// Chooses the glaucoma decision rule by cross-validation. The inputs are
// measurements of segmentations made by models that did not train on the image
// (out-of-fold), so the rule is fitted on what the model will really produce,
// with its biases, not on the experts' masks.
//
// Candidates go from the simplest to the richest; each is scored by the mean
// pooled out-of-fold AUC over repeated stratified k-fold splits, and the best
// eligible one is refitted on all cases. Nested cross-validation (the choice
// repeated inside each outer fold) gives the procedure's own, unbiased AUC.
import { auc } from '../metrics/roc';
import { stratifiedFolds } from '../data/folds';
import { FEATURE_NAMES, type FeatureName } from './features';
import { fitLogistic } from './logistic';
import { DEFAULT_TARGET_SPECIFICITY, discSizeDomain, inputRow, ruleProbability, type DecisionCaseInputs, type DecisionInput, type DecisionModel, type DecisionRule } from './model';
import { DEFAULT_THRESHOLD_RULE, operatingPointFor, rocCounts } from './operating-point';
import { aucWithInterval, reliability } from './statistics';

export interface DecisionCase extends DecisionCaseInputs {
  readonly id: string;
  readonly label: 0 | 1;
}

export interface Candidate {
  readonly id: string;
  readonly label: string;
  /** Rules on camera-specific measurements are scored for the record but never chosen. */
  readonly eligible: boolean;
  readonly needsNetwork: boolean;
  fit(cases: readonly DecisionCase[]): DecisionRule;
}

/** The measurements that mean the same on any camera (all but disc size). */
export const TRANSFERABLE_FEATURES = FEATURE_NAMES.filter((f): f is Exclude<FeatureName, 'discSize'> => f !== 'discSize');

/** Ridge penalty on standardised inputs: strong enough for ~100 cases and ten correlated measurements. */
export const DECISION_RIDGE = 1;

function logisticCandidate(id: string, label: string, inputs: readonly DecisionInput[], eligible = true): Candidate {
  return {
    id,
    label,
    eligible,
    needsNetwork: inputs.includes('networkLogit'),
    fit(cases) {
      const rows = cases.map((c) => inputRow(inputs, c)!);
      const model = fitLogistic(rows, cases.map((c) => c.label), DECISION_RIDGE);
      return { kind: 'logistic', logistic: { inputs: [...inputs], ...model, means: [...model.means], sds: [...model.sds], weights: [...model.weights] } };
    },
  };
}

const PAPER: Candidate = {
  id: 'paper',
  label: "the paper's rule: mean of the network's probability and a vCDR logistic regression",
  eligible: true,
  needsNetwork: true,
  fit(cases) {
    // A nearly unpenalised regression on raw vCDR, as the paper fits it.
    const m = fitLogistic(cases.map((c) => [c.features!.vcdr]), cases.map((c) => c.label), 1e-3);
    const slope = m.weights[0]! / m.sds[0]!;
    return { kind: 'paper', vcdr: { slope, intercept: m.intercept - slope * m.means[0]! } };
  },
};

/** The candidates, simplest first (a tie goes to the simpler rule). */
export function decisionCandidates(withNetwork: boolean): Candidate[] {
  const all = [
    logisticCandidate('vcdr', 'vCDR alone (logistic regression)', ['vcdr']),
    PAPER,
    logisticCandidate('network', "the network's glaucoma output alone (calibrated)", ['networkLogit']),
    logisticCandidate('measurements', 'cup-to-disc ratios, rim widths per ISNT sector and the ISNT rule (logistic regression)', TRANSFERABLE_FEATURES),
    logisticCandidate('measurements+network', "the measurements and the network's glaucoma output (logistic regression)", [...TRANSFERABLE_FEATURES, 'networkLogit']),
    logisticCandidate('measurements+disc-size', 'the measurements and disc size (camera-specific: not eligible)', [...TRANSFERABLE_FEATURES, 'discSize'], false),
  ];
  return all.filter((c) => withNetwork || !c.needsNetwork);
}

export interface SelectionOptions {
  readonly folds?: number;
  readonly repeats?: number;
  readonly seed?: number;
  readonly targetSpecificity?: number;
  /** Words for the record: what the cases are. */
  readonly note: string;
}

/** Out-of-fold probabilities of one candidate for one k-fold split. */
function outOfFold(candidate: Candidate, cases: readonly DecisionCase[], k: number, seed: number): number[] {
  const fold = stratifiedFolds(cases.map((c) => c.label), k, seed);
  const out = new Array<number>(cases.length).fill(Number.NaN);
  for (let f = 0; f < k; f++) {
    const train = cases.filter((_, i) => fold[i] !== f);
    const rule = candidate.fit(train);
    cases.forEach((c, i) => {
      if (fold[i] === f) out[i] = ruleProbability(rule, c)!;
    });
  }
  return out;
}

/** A candidate's mean AUC over the repeats, and its out-of-fold probabilities of the first repeat (split `seed`). */
interface CvScore {
  readonly meanAuc: number;
  readonly firstRepeat: number[];
}

function cvScore(candidate: Candidate, cases: readonly DecisionCase[], k: number, repeats: number, seed: number): CvScore {
  const labels = cases.map((c) => c.label);
  const firstRepeat = outOfFold(candidate, cases, k, seed);
  let sum = auc(firstRepeat, labels);
  for (let r = 1; r < repeats; r++) sum += auc(outOfFold(candidate, cases, k, seed + r * 101), labels);
  return { meanAuc: sum / repeats, firstRepeat };
}

function choose(candidates: readonly Candidate[], cases: readonly DecisionCase[], k: number, repeats: number, seed: number): { best: Candidate; scores: Map<string, CvScore> } {
  const scores = new Map<string, CvScore>();
  let best: Candidate | null = null;
  for (const c of candidates) {
    const s = cvScore(c, cases, k, repeats, seed);
    scores.set(c.id, s);
    if (c.eligible && (best === null || s.meanAuc > scores.get(best.id)!.meanAuc + 1e-9)) best = c;
  }
  if (!best) throw new Error('no eligible decision rule');
  return { best, scores };
}

/** Cases a rule set can use: a disc was found, and the network output is there when any candidate needs it. */
export function usableCases(cases: readonly DecisionCase[], withNetwork: boolean): DecisionCase[] {
  return cases.filter((c) => c.features !== null && (!withNetwork || c.network !== null));
}

/**
 * Fits the decision model. Cases without a disc (or without the network's
 * output when the model has a glaucoma head) cannot be scored by any rule and
 * are left out; the record says how many were used.
 */
export function selectDecisionModel(all: readonly DecisionCase[], options: SelectionOptions): DecisionModel {
  const withNetwork = all.some((c) => c.network !== null);
  const cases = usableCases(all, withNetwork);
  const positives = cases.filter((c) => c.label === 1).length;
  const k = options.folds ?? 5;
  const repeats = options.repeats ?? 10;
  const seed = options.seed ?? 1;
  if (positives < k || cases.length - positives < k) {
    throw new Error(`a decision model needs at least ${k} glaucoma and ${k} normal cases with a disc found (got ${positives} and ${cases.length - positives})`);
  }
  const candidates = decisionCandidates(withNetwork);
  const labels = cases.map((c) => c.label);
  const { best, scores } = choose(candidates, cases, k, repeats, seed);

  // Nested cross-validation: choose again inside each outer training part.
  const outer = stratifiedFolds(labels, k, seed + 7777);
  const nested = new Array<number>(cases.length).fill(Number.NaN);
  for (let f = 0; f < k; f++) {
    const train = cases.filter((_, i) => outer[i] !== f);
    const innerOk = train.filter((c) => c.label === 1).length >= k && train.filter((c) => c.label === 0).length >= k;
    const pick = innerOk ? choose(candidates, train, k, 3, seed + f).best : best;
    const rule = pick.fit(train);
    cases.forEach((c, i) => {
      if (outer[i] === f) nested[i] = ruleProbability(rule, c)!;
    });
  }

  // The first repeat's split gives each candidate's interval, and the chosen one's calibration and ROC.
  const intervals = new Map(candidates.map((c) => [c.id, aucWithInterval(scores.get(c.id)!.firstRepeat, labels, 2000, seed)]));
  const oof = scores.get(best.id)!.firstRepeat;
  const calibration = reliability(oof, labels);
  const roc = rocCounts(oof, labels);
  const rule = best.fit(cases);
  const candidateResults = candidates.map((c) => ({ id: c.id, label: c.label, eligible: c.eligible, cases: cases.length, auc: { ...intervals.get(c.id)!, value: scores.get(c.id)!.meanAuc } }));
  return {
    version: 1,
    id: best.id,
    label: best.label,
    rule,
    selection: {
      protocol: `${repeats}x repeated stratified ${k}-fold cross-validation of each candidate on the same out-of-fold measurements (AUC = mean over repeats, interval = stratified bootstrap of the first repeat); nested ${k}-fold cross-validation of the choice`,
      candidates: candidateResults,
      nestedAuc: auc(nested, labels),
    },
    validation: {
      note: options.note,
      cases: cases.length,
      positives,
      auc: intervals.get(best.id)!,
      brier: calibration.brier,
      ece: calibration.ece,
      reliability: calibration.bins,
    },
    domain: { discSize: discSizeDomain(cases.map((c) => c.features!.discSize)) },
    roc: { ...roc, thresholds: [...roc.thresholds], truePositives: [...roc.truePositives], falsePositives: [...roc.falsePositives] },
    operatingPoint: operatingPointFor(roc, options.targetSpecificity ?? DEFAULT_TARGET_SPECIFICITY, DEFAULT_THRESHOLD_RULE),
  };
}
