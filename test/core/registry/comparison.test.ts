import { describe, expect, it } from 'vitest';
import type { PairedCaseScores } from '../../../src-main/core/contract/contract';
import { heldBackComparison, MIN_HELD_BACK_FOR_COMPARISON } from '../../../src-main/core/registry/comparison';

/** n cases: the child's cup Dice `gain` above the parent's, its vCDR error `gain` below; disc Dice the same. */
function cases(n: number, gain: number): PairedCaseScores[] {
  return Array.from({ length: n }, (_, i) => {
    const base = 0.6 + (i % 4) * 0.05;
    return {
      id: `c${i}`,
      child: { odDice: 0.9, ocDice: base + gain + (i % 2) * 0.01, vcdrError: 0.2 - gain + (i % 3) * 0.01 },
      parent: { odDice: 0.9, ocDice: base, vcdrError: 0.2 + (i % 3) * 0.01 },
    };
  });
}

describe('held-back comparison of a fine-tune with its parent', () => {
  it('gives intervals and verdicts per measure once enough cases are held back', () => {
    const c = heldBackComparison(cases(8, 0.1));
    expect(c).toMatchObject({ cases: 8, minimumCases: MIN_HELD_BACK_FOR_COMPARISON });
    const by = Object.fromEntries(c.metrics.map((m) => [m.key, m]));
    expect(by['ocDice']).toMatchObject({ verdict: 'better', higherIsBetter: true });
    expect(by['ocDice']!.result!.difference).toBeCloseTo(0.105, 10);
    expect(by['ocDice']!.result!.low).toBeGreaterThan(0);
    // A lower vCDR error is better.
    expect(by['vcdrError']).toMatchObject({ verdict: 'better', higherIsBetter: false });
    expect(by['vcdrError']!.result!.high).toBeLessThan(0);
    // No change at all: the interval is [0, 0], which does not exclude 0.
    expect(by['odDice']).toMatchObject({ verdict: 'too-few-cases', result: { difference: 0, low: 0, high: 0 } });
  });

  it('says "too few cases to tell", with no numbers, below the minimum', () => {
    const c = heldBackComparison(cases(MIN_HELD_BACK_FOR_COMPARISON - 1, 0.3));
    expect(c.metrics.map((m) => [m.key, m.verdict, m.result])).toEqual([
      ['odDice', 'too-few-cases', null],
      ['ocDice', 'too-few-cases', null],
      ['vcdrError', 'too-few-cases', null],
    ]);
  });
});
