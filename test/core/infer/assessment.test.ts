import { describe, expect, it } from 'vitest';
import { assessGlaucoma, assessVcdr, vcdrOfLabels } from '../../../src-main/core/infer/assessment';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { sigmoid } from '../../../src-main/core/infer/vcdr-regression';

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

  it('averages the available scores and decides at 0.5', () => {
    const regression = { intercept: -3, slope: 5 };
    expect(assessVcdr(0.6, 0.2, regression)).toEqual({ vcdr: 0.6, probability: (0.2 + sigmoid(0)) / 2, decision: 'normal' });
    expect(assessVcdr(0.8, null, regression).probability).toBeCloseTo(sigmoid(1), 12);
    expect(assessVcdr(null, 0.9, regression)).toEqual({ vcdr: null, probability: 0.9, decision: 'glaucoma' });
    expect(assessVcdr(0.5, null, null)).toEqual({ vcdr: 0.5, probability: null, decision: null });
    expect(assessVcdr(0.6, 0.5, regression).decision).toBe('glaucoma'); // exactly 0.5 is glaucoma
  });

  it('assessGlaucoma keeps both scores beside the fused probability (what the predictor reports)', () => {
    const regression = { intercept: -3, slope: 5 };
    expect(assessGlaucoma(0.2, 0.6, regression)).toEqual({ network: 0.2, vcdrRegression: sigmoid(0), probability: (0.2 + sigmoid(0)) / 2, decision: 'normal' });
    expect(assessGlaucoma(null, null, regression)).toEqual({ network: null, vcdrRegression: null, probability: null, decision: null });
    expect(assessGlaucoma(0.7, 0.6, null)).toEqual({ network: 0.7, vcdrRegression: null, probability: 0.7, decision: 'glaucoma' });
  });
});
