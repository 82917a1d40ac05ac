// The blur shared by the robustness benchmark's camera shift and training
// augmentation: a flat image stays flat, an edge spreads about as far as sigma says.
import { describe, expect, it } from 'vitest';
import { blur } from '../../../src-main/core/quality/blur';

const W = 40;
const edge = { width: W, height: 4, data: Uint8Array.from({ length: W * 4 * 3 }, (_, i) => (Math.floor(i / 3) % W < W / 2 ? 0 : 200)) };

describe('blur', () => {
  it('leaves a flat image flat and returns the image itself for sigma 0', () => {
    const flat = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(120) };
    expect(blur(flat, 2).data.every((v) => v === 120)).toBe(true);
    expect(blur(edge, 0)).toBe(edge);
  });

  it('spreads an edge over a width that grows with sigma', () => {
    const rampWidth = (sigma: number) => {
      const row = blur(edge, sigma).data.filter((_, i) => i % 3 === 0).slice(0, W);
      return row.filter((v) => v > 10 && v < 190).length;
    };
    expect(rampWidth(1)).toBeGreaterThan(0);
    expect(rampWidth(3)).toBeGreaterThan(rampWidth(1));
  });
});
