import { describe, expect, it } from 'vitest';
import { assessCorrected, assessGlaucoma, measurementsOfLabels, vcdrOfLabels, type AssessmentSource } from '../../../src-main/core/infer/assessment';
import type { DiscCupFeatures } from '../../../src-main/core/decision/features';
import { selectDecisionModel, type DecisionCase } from '../../../src-main/core/decision/select';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { sigmoid } from '../../../src-main/core/decision/logistic';

describe('assessment', () => {
  it('measures vCDR by columns: the tallest column of cup over the tallest column of disc', () => {
    // 4 x 6; disc in columns 1 (rows 0-5: 6 px) and 2 (rows 1-4); cup in column 2, rows 2-3 (2 px).
    const w = 4;
    const labels = new Uint8Array(24);
    for (let y = 0; y < 6; y++) labels[y * w + 1] = 1;
    for (let y = 1; y < 5; y++) labels[y * w + 2] = 1;
    labels[2 * w + 2] = 2;
    labels[3 * w + 2] = 2;
    expect(vcdrOfLabels(encodeLabelRuns(labels, 4, 6))).toBeCloseTo(2 / 6, 12);
    expect(vcdrOfLabels(encodeLabelRuns(new Uint8Array(24), 4, 6))).toBeNull();
  });

  const paper = (regression: AssessmentSource['vcdrRegression']): AssessmentSource => ({ vcdrRegression: regression, decision: null });

  it("without a decision model: the paper's rule, the mean of the available scores at 0.5", () => {
    const regression = { intercept: -3, slope: 5 };
    expect(assessCorrected(paper(regression), 0.2, 0.6, null)).toEqual({ vcdr: 0.6, probability: (0.2 + sigmoid(0)) / 2, decision: 'normal' });
    expect(assessCorrected(paper(regression), null, 0.8, null).probability).toBeCloseTo(sigmoid(1), 12);
    expect(assessCorrected(paper(regression), 0.9, null, null)).toEqual({ vcdr: null, probability: 0.9, decision: 'glaucoma' });
    expect(assessCorrected(paper(null), null, 0.5, null)).toEqual({ vcdr: 0.5, probability: null, decision: null });
    expect(assessCorrected(paper(regression), 0.5, 0.6, null).decision).toBe('glaucoma'); // exactly 0.5 is glaucoma
  });

  it('assessGlaucoma keeps both scores beside the fused probability and names the rule and threshold', () => {
    const regression = { intercept: -3, slope: 5 };
    const at = (network: number | null, vcdr: number | null, r: AssessmentSource['vcdrRegression']) => assessGlaucoma(paper(r), { network, vcdr, measurements: null });
    expect(at(0.2, 0.6, regression)).toEqual({ network: 0.2, vcdrRegression: sigmoid(0), probability: (0.2 + sigmoid(0)) / 2, decision: 'normal', rule: 'paper', threshold: 0.5, targetSpecificity: null, withheld: null });
    expect(at(null, null, regression)).toMatchObject({ network: null, vcdrRegression: null, probability: null, decision: null });
    expect(at(0.7, 0.6, null)).toMatchObject({ network: 0.7, vcdrRegression: null, probability: 0.7, decision: 'glaucoma' });
  });

  describe('with a decision model', () => {
    const f = (vcdr: number): DiscCupFeatures => ({ vcdr, hcdr: vcdr, areaCdr: vcdr ** 2, rimToDisc: (1 - vcdr) / 2, rimInferior: (1 - vcdr) / 2, rimSuperior: (1 - vcdr) / 2, rimHorizontalWide: (1 - vcdr) / 2, rimHorizontalNarrow: (1 - vcdr) / 2, isntRule: 1, discSize: 0.2 });
    // vCDR carries the label; the network output is noise.
    const cases: DecisionCase[] = Array.from({ length: 60 }, (_, i) => {
      const label = (i % 2) as 0 | 1;
      const vcdr = (label ? 0.6 : 0.4) + ((i * 37) % 11) / 50 - 0.1;
      return { id: String(i), label, features: f(vcdr), network: ((i * 53) % 17) / 17 };
    });
    const decision = selectDecisionModel(cases, { note: 'test', repeats: 2 });
    const source: AssessmentSource = { vcdrRegression: { intercept: -3, slope: 5 }, decision };

    it('uses the fitted rule at its operating point, and the paper rule on request', () => {
      const high = assessGlaucoma(source, { network: 0.2, vcdr: 0.75, measurements: f(0.75) });
      expect(high.rule).toBe(decision.id);
      expect(high.threshold).toBe(decision.operatingPoint.threshold);
      expect(high.targetSpecificity).toBe(0.85);
      expect(high.decision).toBe('glaucoma');
      expect(assessGlaucoma(source, { network: 0.9, vcdr: 0.25, measurements: f(0.25) }).decision).toBe('normal');
      const paperRule = assessGlaucoma(source, { network: 0.2, vcdr: 0.75, measurements: f(0.75) }, { fusion: 'paper' });
      expect(paperRule).toMatchObject({ rule: 'paper', threshold: 0.5, probability: (0.2 + sigmoid(-3 + 5 * 0.75)) / 2 });
    });

    it('moves the threshold with the target specificity', () => {
      const strict = assessGlaucoma(source, { network: 0.5, vcdr: 0.5, measurements: f(0.5) }, { specificity: 0.99 });
      expect(strict.targetSpecificity).toBe(0.99);
      expect(strict.threshold!).toBeGreaterThanOrEqual(decision.operatingPoint.threshold);
    });

    it('makes no decision for an ungradable photograph, and none without measurements', () => {
      const g = assessGlaucoma(source, { network: 0.2, vcdr: 0.75, measurements: f(0.75), gradable: false });
      expect(g.probability).not.toBeNull();
      expect(g.decision).toBeNull();
      expect(assessGlaucoma(source, { network: 0.2, vcdr: null, measurements: null }).decision).toBeNull();
    });

    it("assesses a corrected label map on its own measurements", () => {
      // 50 x 50: a disc of 10 rows (a fifth of the frame, as the cases), a cup of 8 rows inside it (vCDR 0.8).
      const w = 50;
      const labels = new Uint8Array(w * w);
      for (let y = 20; y < 30; y++) for (let x = 20; x < 30; x++) labels[y * w + x] = y >= 21 && y < 29 && x >= 22 && x < 28 ? 2 : 1;
      const map = encodeLabelRuns(labels, w, w);
      expect(measurementsOfLabels(map)!.vcdr).toBeCloseTo(0.8, 9);
      const a = assessCorrected(source, 0.2, vcdrOfLabels(map), measurementsOfLabels(map));
      expect(a.decision).toBe('glaucoma');
    });

    it('withholds the decision outside the field of view it was validated on, and says why', () => {
      const big = { ...f(0.75), discSize: 0.6 };
      const g = assessGlaucoma(source, { network: 0.2, vcdr: 0.75, measurements: big });
      expect(g.probability).not.toBeNull();
      expect(g.decision).toBeNull();
      expect(g.withheld).toMatch(/outside the field of view.*60 %/);
      const ungradable = assessGlaucoma(source, { network: 0.2, vcdr: 0.75, measurements: f(0.75), gradable: false, ungradableReason: 'ungradable: out of focus' });
      expect(ungradable.withheld).toBe('ungradable: out of focus');
    });
  });
});
