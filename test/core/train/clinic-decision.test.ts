// A fine-tune refits the glaucoma decision rule on the clinic's own graded
// corrections when there are enough of them, at the parent's target specificity.
import { describe, expect, it } from 'vitest';
import type { DiscCupFeatures } from '../../../src-main/core/decision/features';
import { createRng } from '../../../src-main/core/random';
import { CLINIC_DECISION_MINIMUM, clinicDecisionFromScores } from '../../../src-main/core/train/finetune';

function features(vcdr: number): DiscCupFeatures {
  const rim = (1 - vcdr) / 2;
  return { vcdr, hcdr: vcdr, areaCdr: vcdr * vcdr, rimToDisc: rim, rimInferior: rim, rimSuperior: rim, rimHorizontalWide: rim, rimHorizontalNarrow: rim, isntRule: 1, discSize: 0.2 };
}

/** Graded cases whose vCDR (as the fine-tuned model measures it) separates the clinic's grades. */
function graded(glaucoma: number, normal: number, seed = 4) {
  const rng = createRng(seed);
  const one = (label: 0 | 1, i: number) => ({
    id: `${label ? 'g' : 'n'}${i}`,
    glaucoma: label,
    networkProbability: rng.next(),
    measurements: features((label ? 0.7 : 0.45) + (rng.next() - 0.5) * 0.2),
  });
  return [...Array.from({ length: glaucoma }, (_, i) => one(1, i)), ...Array.from({ length: normal }, (_, i) => one(0, i))];
}

describe("the clinic's decision rule", () => {
  it('is refitted on the graded corrections, at the target specificity asked for, saying what it was fitted on', () => {
    const logs: string[] = [];
    const model = clinicDecisionFromScores([...graded(8, 12), { id: 'ungraded', glaucoma: null, networkProbability: 0.5, measurements: features(0.9) }], 0.9, (m) => logs.push(m));
    expect(model).not.toBeNull();
    expect(model!.validation.cases).toBe(20);
    expect(model!.validation.positives).toBe(8);
    expect(model!.validation.note).toMatch(/20 expert-graded corrections of this clinic \(8 glaucoma, 12 normal\)/);
    expect(model!.operatingPoint.targetSpecificity).toBe(0.9);
    expect(model!.validation.auc.value).toBeGreaterThan(0.8);
  });

  it(`keeps the parent's rule below ${CLINIC_DECISION_MINIMUM} graded cases of a class, and says so`, () => {
    const logs: string[] = [];
    expect(clinicDecisionFromScores(graded(CLINIC_DECISION_MINIMUM - 1, 20), 0.85, (m) => logs.push(m))).toBeNull();
    expect(logs.join('\n')).toMatch(/decision rule kept from the parent: 4 glaucoma and 20 normal graded cases; .* at least 5 of each/);
  });
});
