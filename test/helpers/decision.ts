// A minimal decision model for the tests of the rules around it (its domain, its inheritance): only the fields those
// rules read carry meaning.
import type { DecisionModel } from '../../src-main/core/decision/model';

export function decisionWithDomain(domain: DecisionModel['domain']): DecisionModel {
  const interval = { value: 0.8, low: 0.7, high: 0.9 };
  return {
    version: 1,
    id: 'vcdr',
    label: 'vCDR alone',
    rule: { kind: 'logistic', logistic: { inputs: ['vcdr'], means: [0.6], sds: [0.1], weights: [1], intercept: 0 } },
    selection: { protocol: 'test', candidates: [], nestedAuc: null },
    validation: { note: 'test', cases: 10, positives: 5, auc: interval, brier: 0.2, ece: 0.05, reliability: [] },
    roc: { thresholds: [0.5], truePositives: [4], falsePositives: [1], positives: 5, negatives: 5 },
    ...(domain ? { domain } : {}),
    operatingPoint: { targetSpecificity: 0.85, threshold: 0.5, sensitivity: interval, specificity: interval },
  };
}
