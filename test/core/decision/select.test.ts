import { describe, expect, it } from 'vitest';
import type { DiscCupFeatures } from '../../../src-main/core/decision/features';
import { DecisionModelSchema, decisionOperatingPoint, ruleProbability } from '../../../src-main/core/decision/model';
import { selectDecisionModel, type DecisionCase } from '../../../src-main/core/decision/select';
import { createRng } from '../../../src-main/core/random';

function features(vcdr: number, rim: number): DiscCupFeatures {
  return {
    vcdr,
    hcdr: vcdr,
    areaCdr: vcdr * vcdr,
    rimToDisc: rim,
    rimInferior: rim,
    rimSuperior: rim,
    rimHorizontalWide: rim,
    rimHorizontalNarrow: rim,
    isntRule: 1,
    discSize: 0.2,
  };
}

/** Cases where vCDR carries the label and the network output is noise. */
function cases(n: number, seed: number): DecisionCase[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 3 === 0 ? 0 : 1) as 0 | 1;
    const vcdr = (label ? 0.65 : 0.45) + (rng.next() - 0.5) * 0.3;
    return { id: `c${i}`, label, features: features(vcdr, (1 - vcdr) / 2 + (rng.next() - 0.5) * 0.05), network: rng.next() };
  });
}

describe('selectDecisionModel', () => {
  const all = cases(90, 3);
  const model = selectDecisionModel(all, { note: 'synthetic' });

  it('chooses a rule on the measurements, not the noisy network output, and says how well it does', () => {
    expect(model.id).not.toBe('network');
    expect(model.id).not.toBe('paper');
    const network = model.selection.candidates.find((c) => c.id === 'network')!;
    expect(network.auc!.value).toBeLessThan(0.7);
    expect(model.validation.auc.value).toBeGreaterThan(0.8);
    expect(model.validation.auc.low).toBeLessThan(model.validation.auc.value);
    expect(model.validation.auc.high).toBeGreaterThanOrEqual(model.validation.auc.value);
    expect(model.selection.nestedAuc!).toBeGreaterThan(0.75);
    expect(model.selection.candidates.find((c) => c.id === 'measurements+disc-size')!.eligible).toBe(false);
    expect(() => DecisionModelSchema.parse(JSON.parse(JSON.stringify(model)))).not.toThrow();
  });

  it('sets its threshold at the normal cases\' estimated target-specificity quantile (Harrell-Davis), and a stricter one the same way', () => {
    const p = model.operatingPoint;
    expect(p.targetSpecificity).toBe(0.85);
    expect(p.rule).toBe('harrell-davis');
    // An estimate of the population's quantile: counted on the cases themselves, near the target, not always above it.
    expect(p.specificity.value).toBeGreaterThanOrEqual(0.8);
    const strict = decisionOperatingPoint(model, 0.95);
    expect(strict.rule).toBe('harrell-davis');
    expect(strict.threshold).toBeGreaterThan(p.threshold);
    expect(strict.specificity.value).toBeGreaterThanOrEqual(0.9);
    expect(strict.sensitivity.value).toBeLessThanOrEqual(p.sensitivity.value);
  });

  it('scores new cases with the refitted rule, and none without a disc', () => {
    const high = ruleProbability(model.rule, { features: features(0.8, 0.1), network: 0.5 })!;
    const low = ruleProbability(model.rule, { features: features(0.3, 0.35), network: 0.5 })!;
    expect(high).toBeGreaterThan(0.5);
    expect(low).toBeLessThan(0.5);
    expect(ruleProbability(model.rule, { features: null, network: 0.5 })).toBeNull();
  });

  it('leaves out cases without a disc and refuses too few of a class', () => {
    const withMissing = [...all, { id: 'x', label: 1 as const, features: null, network: 0.9 }];
    expect(selectDecisionModel(withMissing, { note: 's', repeats: 2 }).validation.cases).toBe(90);
    expect(() => selectDecisionModel(all.filter((c) => c.label === 1).concat(all.filter((c) => c.label === 0).slice(0, 3)), { note: 's' })).toThrow(/at least 5/);
  });
});
