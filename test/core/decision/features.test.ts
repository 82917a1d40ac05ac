import { describe, expect, it } from 'vitest';
import { discCupFeatures } from '../../../src-main/core/decision/features';
import type { BinaryMask } from '../../../src-main/core/types';

function disc(width: number, height: number, cx: number, cy: number, r: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) data[y * width + x] = 1;
  return { width, height, data };
}

describe('discCupFeatures', () => {
  it('measures a centred cup of half the disc diameter', () => {
    const f = discCupFeatures(disc(101, 101, 50, 50, 20), disc(101, 101, 50, 50, 10))!;
    expect(f.vcdr).toBeCloseTo(21 / 41, 3);
    expect(f.hcdr).toBeCloseTo(21 / 41, 3);
    expect(f.areaCdr).toBeCloseTo(0.25, 1);
    // Rim 10 px everywhere on a 41 px disc.
    for (const rim of [f.rimInferior, f.rimSuperior, f.rimHorizontalWide, f.rimHorizontalNarrow, f.rimToDisc]) expect(rim).toBeCloseTo(10 / 41, 1);
    expect(f.discSize).toBeCloseTo(41 / 101, 3);
  });

  it('sees a thin superior rim when the cup sits high, and the ISNT rule broken', () => {
    const f = discCupFeatures(disc(101, 101, 50, 50, 20), disc(101, 101, 50, 42, 10))!;
    expect(f.rimSuperior).toBeLessThan(f.rimInferior - 0.2);
    expect(f.rimToDisc).toBeLessThan(0.1);
    expect(f.isntRule).toBe(0);
  });

  it('tells the wider and the narrower horizontal rim apart', () => {
    // Cup shifted right: the right rim is the narrower horizontal one; inferior = superior.
    const f = discCupFeatures(disc(101, 101, 50, 50, 20), disc(101, 101, 55, 50, 10))!;
    expect(f.rimHorizontalNarrow).toBeLessThan(f.rimHorizontalWide);
    expect(f.rimInferior).toBeCloseTo(f.rimSuperior, 2);
  });

  it('gives ratios of 0 with no cup and null with no disc', () => {
    const empty = { width: 101, height: 101, data: new Uint8Array(101 * 101) };
    const f = discCupFeatures(disc(101, 101, 50, 50, 20), empty)!;
    expect(f.vcdr).toBe(0);
    expect(f.areaCdr).toBe(0);
    expect(f.rimToDisc).toBeGreaterThan(0.45);
    expect(discCupFeatures(empty, empty)).toBeNull();
  });
});
