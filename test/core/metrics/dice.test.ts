import { describe, expect, it } from 'vitest';
import { dice, meanDice } from '../../../src-main/core/metrics/dice';
import { maskFromRows } from '../masks/ascii-mask';

const a = maskFromRows(['##..', '##..']); // 4 pixels
const b = maskFromRows(['.#..', '.##.']); // 3 pixels, 2 shared with a

describe('dice', () => {
  it('is 2|A n B| / (|A| + |B|)', () => {
    expect(dice(a, b)).toBeCloseTo(4 / 7, 15);
    expect(dice(a, a)).toBe(1);
  });

  it('is 0 when only one mask is empty', () => {
    expect(dice(a, maskFromRows(['....', '....']))).toBe(0);
  });

  it('throws when both are empty, like the official code, unless told what to return', () => {
    const empty = maskFromRows(['..']);
    expect(() => dice(empty, empty)).toThrow(/both masks are empty/);
    expect(dice(empty, empty, { ifBothEmpty: 1 })).toBe(1);
  });

  it('treats any non-zero value as inside', () => {
    const grey = { width: 4, height: 2, data: Uint8Array.from([255, 7, 0, 0, 1, 128, 0, 0]) };
    expect(dice(grey, a)).toBe(1);
  });

  it('refuses masks of different sizes', () => {
    expect(() => dice(a, maskFromRows(['##', '##']))).toThrow(/sizes differ/);
  });
});

describe('meanDice', () => {
  it('averages the Dice of each image', () => {
    expect(meanDice([a, a], [b, a])).toBeCloseTo((4 / 7 + 1) / 2, 15);
  });

  it('refuses lists of different lengths', () => {
    expect(() => meanDice([a], [a, b])).toThrow(/1 predicted masks but 2 reference masks/);
  });
});
