import { describe, expect, it } from 'vitest';
import type { ImageScore } from '../../../src-main/core/infer/evaluate';
import { caseScores } from '../../../src-main/core/jobs/held-back-scores';

const score = (over: Partial<ImageScore>): ImageScore => ({
  id: 'c',
  file: '/c.png',
  glaucoma: null,
  probability: null,
  networkProbability: null,
  regressionProbability: null,
  odDice: 0.9,
  ocDice: 0.7,
  vcdr: 0.55,
  vcdrTrue: 0.4,
  foveaErrorPx: null,
  measurements: null,
  ...over,
});

describe('a held-back case scored for the paired comparison', () => {
  it('keeps disc and cup Dice and gives the absolute vCDR error against the expert', () => {
    const s = caseScores(score({}));
    expect(s.odDice).toBe(0.9);
    expect(s.ocDice).toBe(0.7);
    expect(s.vcdrError).toBeCloseTo(0.15, 12);
    expect(caseScores(score({ vcdr: 0.3, vcdrTrue: 0.4 })).vcdrError).toBeCloseTo(0.1, 12);
  });

  it('has no value where a measure does not apply or the model could not score the case', () => {
    expect(caseScores(score({ vcdrTrue: null })).vcdrError).toBeNull();
    expect(caseScores(undefined)).toEqual({ odDice: null, ocDice: null, vcdrError: null });
  });
});
