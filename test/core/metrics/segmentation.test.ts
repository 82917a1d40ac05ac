import { describe, expect, it } from 'vitest';
import { encodeRefugeMask } from '../../../src-main/core/masks/refuge-mask';
import { evaluateRefugeMasks, evaluateSegmentation, meanSegmentationScores } from '../../../src-main/core/metrics/segmentation';
import { maskFromRows } from '../masks/ascii-mask';

const gtOd = maskFromRows([
  '.###.', //
  '.###.',
  '.###.',
  '.....',
]);
const gtOc = maskFromRows([
  '.....', //
  '..#..',
  '..#..',
  '.....',
]);
const predOd = maskFromRows([
  '.###.', //
  '.###.',
  '.###.',
  '.###.',
]);
const predOc = maskFromRows([
  '..#..', //
  '..#..',
  '..#..',
  '.....',
]);

describe('evaluateSegmentation', () => {
  it('scores one image as the official evaluate_binary_segmentation', () => {
    const scores = evaluateSegmentation({ od: predOd, oc: predOc }, { od: gtOd, oc: gtOc });
    // Disc: 12 vs 9 pixels, 9 shared -> 18/21. Cup: 3 vs 2, 2 shared -> 4/5.
    expect(scores.discDice).toBeCloseTo(18 / 21, 15);
    expect(scores.cupDice).toBeCloseTo(4 / 5, 15);
    // vCDR: prediction 3 / 4, reference 2 / 3 (each divided by diameter + 1e-7).
    expect(scores.vcdrAbsoluteError).toBeCloseTo(3 / 4 - 2 / 3, 6);
    expect(scores.vcdrAbsoluteError).toBe(Math.abs(3 / (4 + 1e-7) - 2 / (3 + 1e-7)));
  });

  it('gives the same scores from REFUGE-encoded grey masks', () => {
    const fromGrey = evaluateRefugeMasks(encodeRefugeMask(predOd, predOc), encodeRefugeMask(gtOd, gtOc));
    expect(fromGrey).toEqual(evaluateSegmentation({ od: predOd, oc: predOc }, { od: gtOd, oc: gtOc }));
  });

  it('averages per-image scores column by column', () => {
    const mean = meanSegmentationScores([
      { cupDice: 0.8, discDice: 0.9, vcdrAbsoluteError: 0.1 },
      { cupDice: 0.6, discDice: 1, vcdrAbsoluteError: 0.3 },
    ]);
    expect(mean.cupDice).toBeCloseTo(0.7, 12);
    expect(mean.discDice).toBeCloseTo(0.95, 12);
    expect(mean.vcdrAbsoluteError).toBeCloseTo(0.2, 12);
  });
});
