// The glaucoma decision model stored in a model package: which rule was chosen
// by cross-validation, its fitted parameters, how well it did (with intervals),
// its calibration, and the out-of-fold ROC counts from which the operating
// point for any target specificity is derived.
import { z } from 'zod';
import { FEATURE_NAMES, type DiscCupFeatures } from './features';
import { logisticProbability, logit, sigmoid } from './logistic';
import { THRESHOLD_RULES } from '../types';
import { operatingPointFor, type OperatingPoint } from './operating-point';

/** Inputs a decision rule may use: the segmentation's measurements and the network's glaucoma logit. */
export const DECISION_INPUTS = [...FEATURE_NAMES, 'networkLogit'] as const;
export type DecisionInput = (typeof DECISION_INPUTS)[number];

/** REFUGE's operating point: sensitivity is reported at 85 % specificity. */
export const DEFAULT_TARGET_SPECIFICITY = 0.85;

const IntervalSchema = z.object({ value: z.number(), low: z.number(), high: z.number() });

/** The disc sizes a rule decides on; `evidence` is absent when they are the rule's own cases' (widened by a tenth). */
export const DecisionDomainSchema = z
  .object({
    discSize: z.object({ low: z.number().positive(), high: z.number().positive() }),
    evidence: z.string().min(1).optional(),
    /**
     * The package whose networks the evidence was measured on, when they are not this package's: a fine-tuned
     * package keeps its parent's rule and measured range, but its networks have changed since the measurement.
     */
    measuredOn: z.string().min(1).optional(),
  })
  .refine((d) => d.discSize.low < d.discSize.high, { message: 'discSize.low must be below discSize.high' });
export type DecisionDomain = z.infer<typeof DecisionDomainSchema>;

const LogisticSchema = z.object({
  inputs: z.array(z.enum(DECISION_INPUTS)).min(1),
  means: z.array(z.number()),
  sds: z.array(z.number().positive()),
  weights: z.array(z.number()),
  intercept: z.number(),
});

const RuleSchema = z.discriminatedUnion('kind', [
  /** A ridge logistic regression on the listed inputs. */
  z.object({ kind: z.literal('logistic'), logistic: LogisticSchema }),
  /** The paper's rule: the mean of the network's probability and a logistic regression on vCDR alone. */
  z.object({ kind: z.literal('paper'), vcdr: z.object({ intercept: z.number(), slope: z.number() }) }),
]);

const CandidateResultSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** False for rules that lean on camera-specific measurements (disc size in pixels of the frame): reported, never chosen. */
  eligible: z.boolean(),
  cases: z.number().int().nonnegative(),
  auc: IntervalSchema.nullable(),
});

export const DecisionModelSchema = z.object({
  version: z.literal(1),
  /** The chosen candidate. */
  id: z.string(),
  label: z.string(),
  rule: RuleSchema,
  /** How it was chosen: the candidates' cross-validated AUCs on the same out-of-fold measurements. */
  selection: z.object({
    protocol: z.string(),
    candidates: z.array(CandidateResultSchema),
    /** AUC of the whole procedure (choice included) under nested cross-validation: the honest estimate. */
    nestedAuc: z.number().nullable(),
  }),
  /** The chosen rule's out-of-fold figures. */
  validation: z.object({
    note: z.string(),
    cases: z.number().int().positive(),
    positives: z.number().int().nonnegative(),
    auc: IntervalSchema,
    brier: z.number(),
    ece: z.number(),
    reliability: z.array(z.object({ low: z.number(), high: z.number(), count: z.number().int(), predicted: z.number().nullable(), observed: z.number().nullable() })),
  }),
  roc: z.object({
    thresholds: z.array(z.number()),
    truePositives: z.array(z.number().int()),
    falsePositives: z.array(z.number().int()),
    positives: z.number().int().positive(),
    negatives: z.number().int().positive(),
  }),
  /**
   * The field of view the rule was validated on: the range of disc sizes (disc
   * diameter / the image's shorter side) of its cases, widened by a tenth each
   * way, or the range the robustness benchmark measured reading to hold over
   * (`evidence` says how: decision/field-of-view.ts). Outside it the
   * measurements come from a scale the model was not shown to read, so no
   * decision is made (absent in older packages: no check).
   */
  domain: DecisionDomainSchema.optional(),
  /** The default operating point (target specificity 0.85). */
  operatingPoint: z.object({ targetSpecificity: z.number(), threshold: z.number(), rule: z.enum(THRESHOLD_RULES).optional(), sensitivity: IntervalSchema, specificity: IntervalSchema }),
});
export type DecisionModel = z.infer<typeof DecisionModelSchema>;
export type DecisionRule = DecisionModel['rule'];

/** What a rule reads for one image. */
export interface DecisionCaseInputs {
  readonly features: DiscCupFeatures | null;
  /** The network's glaucoma probability, or null without a glaucoma head. */
  readonly network: number | null;
}

/** The rule's inputs for one image, or null when one is missing (no disc, no network output). */
export function inputRow(inputs: readonly DecisionInput[], c: DecisionCaseInputs): number[] | null {
  const row: number[] = [];
  for (const name of inputs) {
    if (name === 'networkLogit') {
      if (c.network === null) return null;
      row.push(logit(c.network));
    } else {
      if (!c.features) return null;
      row.push(c.features[name]);
    }
  }
  return row;
}

/** P(glaucoma | vCDR) under a one-variable logistic regression (the paper's second score). */
export function vcdrProbability(regression: { readonly intercept: number; readonly slope: number }, vcdr: number): number {
  return sigmoid(regression.intercept + regression.slope * vcdr);
}

/** The paper's fusion: the mean of the scores that are there (the network's, the vCDR regression's); null with neither. */
export function paperFusion(network: number | null, fromVcdr: number | null): number | null {
  const parts = [network, fromVcdr].filter((p): p is number => p !== null);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}

/** P(glaucoma) under a rule; null when its inputs are missing. */
export function ruleProbability(rule: DecisionRule, c: DecisionCaseInputs): number | null {
  if (rule.kind === 'paper') return paperFusion(c.network, c.features ? vcdrProbability(rule.vcdr, c.features.vcdr) : null);
  const row = inputRow(rule.logistic.inputs, c);
  return row ? logisticProbability(rule.logistic, row) : null;
}

/** The operating point for a target specificity (the stored default when none is given). */
export function decisionOperatingPoint(model: DecisionModel, targetSpecificity?: number): OperatingPoint {
  if (targetSpecificity === undefined || targetSpecificity === model.operatingPoint.targetSpecificity) return model.operatingPoint;
  return operatingPointFor(model.roc, targetSpecificity, model.operatingPoint.rule);
}

/** How far the validated disc-size range is widened each way (a factor). */
export const DOMAIN_MARGIN = 1.1;

/** The validated disc-size range of a set of cases. */
export function discSizeDomain(sizes: readonly number[]): DecisionDomain['discSize'] {
  return { low: Math.min(...sizes) / DOMAIN_MARGIN, high: Math.max(...sizes) * DOMAIN_MARGIN };
}

/** What a range without evidence of its own is (decision/select.ts sets it). */
export const CASES_SPAN_EVIDENCE = 'the span of the cases its decision was fitted on, widened by a tenth';

/** How a decision's disc-size range was set, in words: its evidence, and whose networks that evidence was measured on. */
export function domainEvidence(domain: DecisionDomain): string {
  if (!domain.evidence) return CASES_SPAN_EVIDENCE;
  return domain.measuredOn ? `${domain.evidence}; measured on the networks of ${domain.measuredOn}, from which this package's networks were fine-tuned` : domain.evidence;
}

/**
 * A parent's decision as a fine-tuned child keeps it: the same rule and range, a measured range marked as measured
 * on the networks of the package it was measured on (the parent's, or further up when the parent inherited it).
 */
export function inheritedDecision(decision: DecisionModel, parentId: string): DecisionModel {
  const domain = decision.domain;
  if (!domain?.evidence || domain.measuredOn) return decision;
  return { ...decision, domain: { ...domain, measuredOn: parentId } };
}

/** Why the rule should not decide on these measurements (outside its validated field of view), or null. */
export function outsideDomain(model: Pick<DecisionModel, 'domain'>, features: DiscCupFeatures | null): string | null {
  const range = model.domain?.discSize;
  if (!range || !features) return null;
  if (features.discSize >= range.low && features.discSize <= range.high) return null;
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  return `outside the field of view the decision was validated on: the disc spans ${pct(features.discSize)} of the image, validated ${pct(range.low)}-${pct(range.high)} (another camera or field: correct and fine-tune on your own images first)`;
}
