import { describe, expect, it } from 'vitest';
import { meanAbsoluteError, refugeVerticalCupToDiscRatio, vcdrAbsoluteErrors } from '../../../src-main/core/metrics/vcdr';
import { maskFromRows } from '../masks/ascii-mask';

describe('refugeVerticalCupToDiscRatio', () => {
  it('divides by disc diameter + 1e-7 and counts the cup as disc', () => {
    const od = maskFromRows([
      '.#..', //
      '###.',
      '###.',
      '.#..',
    ]);
    const oc = maskFromRows([
      '....', //
      '.#..',
      '.#.#', // the cup pixel at (3,2) is outside od: the official code counts it as disc
      '....',
    ]);
    // cup columns: 0, 2, 0, 1 -> 2; disc (od or oc) columns: 2, 4, 2, 1 -> 4
    expect(refugeVerticalCupToDiscRatio(od, oc)).toBe(2 / (4 + 1e-7));
  });

  it('is 0 without a disc', () => {
    const empty = maskFromRows(['...']);
    expect(refugeVerticalCupToDiscRatio(empty, empty)).toBe(0);
  });
});

describe('vcdrAbsoluteErrors / meanAbsoluteError', () => {
  it('gives |predicted - reference| and its mean', () => {
    expect(vcdrAbsoluteErrors([0.5, 0.3], [0.4, 0.6]).map((v) => Number(v.toFixed(12)))).toEqual([0.1, 0.3]);
    expect(meanAbsoluteError([0.5, 0.3], [0.4, 0.6])).toBeCloseTo(0.2, 12);
  });

  it('refuses mismatched, empty or non-finite input', () => {
    expect(() => meanAbsoluteError([0.5], [0.4, 0.6])).toThrow(/predicted has 1 values but reference has 2/);
    expect(() => meanAbsoluteError([], [])).toThrow(/no values/);
    expect(() => vcdrAbsoluteErrors([Number.NaN], [0.4])).toThrow(/predicted\[0\] is NaN/);
  });
});
