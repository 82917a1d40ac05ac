import { describe, expect, it } from 'vitest';
import { refugeRanking } from '../../../src-main/core/metrics/ranking';

describe('refugeRanking', () => {
  const teams = [
    { name: 'A', ocDice: 0.8, odDice: 0.95, vcdrMae: 0.05, auc: 0.9, foveaDistance: 10 },
    { name: 'B', ocDice: 0.85, odDice: 0.95, vcdrMae: 0.06, auc: 0.85 },
    { name: 'C', ocDice: 0.8, odDice: 0.93, vcdrMae: 0.05, auc: 0.95, foveaDistance: 10 },
  ];

  it('weights the segmentation ranks 0.35 / 0.25 / 0.4 and breaks ties as the official argsort', () => {
    // Cup Dice, best first (reversed ascending argsort, so the tied C beats A): B, C, A.
    // Disc Dice: B, A, C (tied A/B: B is later, so better). MAE (ascending, tied A/C: A first): A, C, B.
    // 0-based: A = 0.35*2 + 0.25*1 + 0.4*0 = 0.95; B = 0 + 0 + 0.4*2 = 0.8; C = 0.35 + 0.5 + 0.4 = 1.25.
    const { segmentation } = refugeRanking(teams);
    expect(segmentation.map((s) => s.name)).toEqual(['B', 'A', 'C']);
    // The official table prints score + 1.
    const expected = [1.8, 1.95, 2.25];
    segmentation.forEach((s, i) => expect(s.score).toBeCloseTo(expected[i]!, 12));
    expect(segmentation.find((s) => s.name === 'A')).toMatchObject({ rank: 2, ocDiceRank: 3, odDiceRank: 2, vcdrMaeRank: 1 });
  });

  it('ranks classification by AUC and the final by 0.6 segmentation + 0.4 classification rank', () => {
    const { classification, final } = refugeRanking(teams);
    expect(classification.map((c) => c.name)).toEqual(['C', 'A', 'B']);
    // A: 0.6*2 + 0.4*2 = 2.0, B: 0.6*1 + 0.4*3 = 1.8, C: 0.6*3 + 0.4*1 = 2.2
    expect(final.map((f) => f.name)).toEqual(['B', 'A', 'C']);
    expect(final.map((f) => f.score)).toEqual([0.6 * 1 + 0.4 * 3, 0.6 * 2 + 0.4 * 2, 0.6 * 3 + 0.4 * 1]);
    expect(final[0]).toMatchObject({ rank: 1, segmentationRank: 1, classificationRank: 3 });
  });

  it('keeps the fovea leaderboard separate and skips teams without a distance', () => {
    const { fovea } = refugeRanking(teams);
    expect(fovea).toEqual([
      { name: 'A', rank: 1, foveaDistance: 10 },
      { name: 'C', rank: 2, foveaDistance: 10 },
    ]);
  });

  it('leaves teams without segmentation out of it and of the final, keeping their classification rank', () => {
    const { segmentation, classification, final } = refugeRanking([
      { name: 'P', ocDice: 0.8, odDice: 0.9, vcdrMae: 0.1, auc: 0.7 },
      { name: 'Q', ocDice: 0.7, odDice: 0.8, vcdrMae: 0.2, auc: 0.9 },
      { name: 'R', ocDice: Number.NaN, odDice: Number.NaN, vcdrMae: Number.NaN, auc: 0.8 },
    ]);
    expect(segmentation.map((s) => s.name)).toEqual(['P', 'Q']);
    expect(classification.map((c) => [c.name, c.rank])).toEqual([
      ['Q', 1],
      ['R', 2],
      ['P', 3],
    ]);
    // P: 0.6*1 + 0.4*3 = 1.8, Q: 0.6*2 + 0.4*1 = 1.6
    expect(final.map((f) => [f.name, f.segmentationRank, f.classificationRank])).toEqual([
      ['Q', 2, 1],
      ['P', 1, 3],
    ]);
  });

  it('refuses duplicate team names', () => {
    expect(() => refugeRanking([teams[0]!, teams[0]!])).toThrow(/appears twice/);
  });
});
