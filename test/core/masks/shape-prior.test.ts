import { describe, expect, it } from 'vitest';
import { area } from '../../../src-main/core/masks/measure';
import { applyShapePrior, convexHullFill, ellipseFill, shapeDiscAndCup } from '../../../src-main/core/masks/shape-prior';
import type { BinaryMask } from '../../../src-main/core/types';
import { maskFromRows, rowsFromMask } from './ascii-mask';

/** A filled, axis-aligned or rotated ellipse (pixel centres inside). */
function ellipse(width: number, height: number, cx: number, cy: number, a: number, b: number, angle = 0): BinaryMask {
  const data = new Uint8Array(width * height);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x - cx) * c + (y - cy) * s;
      const v = -(x - cx) * s + (y - cy) * c;
      if ((u / a) ** 2 + (v / b) ** 2 <= 1) data[y * width + x] = 1;
    }
  }
  return { width, height, data };
}

function iou(a: BinaryMask, b: BinaryMask): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] && b.data[i]) inter++;
    if (a.data[i] || b.data[i]) union++;
  }
  return union ? inter / union : 1;
}

/** Pixels of `inner` outside `outer`. */
function outside(inner: BinaryMask, outer: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < inner.data.length; i++) if (inner.data[i] && !outer.data[i]) n++;
  return n;
}

/** A disc with a wedge cut out of its right side (a vessel's bite). */
function notchedDisc(): BinaryMask {
  const disc = ellipse(80, 80, 40, 40, 25, 25);
  for (let y = 0; y < 80; y++) for (let x = 0; x < 80; x++) if (x > 45 && Math.abs(y - 40) < (x - 45) * 0.4) disc.data[y * 80 + x] = 0;
  return disc;
}

describe('convexHullFill', () => {
  it('fills the concave side of an L into a triangle', () => {
    const mask = maskFromRows([
      '#....', //
      '#....',
      '#....',
      '#####',
    ]);
    expect(rowsFromMask(convexHullFill(mask))).toEqual(['#....', '##...', '###..', '#####']);
  });

  it('leaves a convex shape (an ellipse) unchanged', () => {
    const e = ellipse(60, 50, 30, 25, 20, 12, 0.5);
    expect(rowsFromMask(convexHullFill(e))).toEqual(rowsFromMask(e));
  });

  it('fills a notched disc and keeps every pixel of it', () => {
    const notched = notchedDisc();
    const full = ellipse(80, 80, 40, 40, 25, 25);
    const hull = convexHullFill(notched);
    expect(outside(notched, hull)).toBe(0);
    expect(area(full) - area(notched)).toBeGreaterThan(50);
    // The notch is closed up to the chord across its mouth: only a sliver of the rim stays out.
    expect(area(full) - area(hull)).toBeLessThan(0.2 * (area(full) - area(notched)));
  });

  it('keeps one pixel and a line as they are, and an empty mask empty', () => {
    const dot = maskFromRows(['...', '.#.', '...']);
    expect(rowsFromMask(convexHullFill(dot))).toEqual(['...', '.#.', '...']);
    const line = maskFromRows(['#...', '.#..', '..#.']);
    expect(rowsFromMask(convexHullFill(line))).toEqual(['#...', '.#..', '..#.']);
    expect(area(convexHullFill(maskFromRows(['....', '....'])))).toBe(0);
  });
});

describe('ellipseFill', () => {
  it('gives an ellipse back as the same ellipse (rotated too)', () => {
    for (const angle of [0, 0.6]) {
      const e = ellipse(100, 90, 48, 44, 30, 18, angle);
      expect(iou(ellipseFill(e), e)).toBeGreaterThan(0.97);
    }
  });

  it('turns a square into the ellipse of its moments: a centred disc of nearly the same area', () => {
    const square = maskFromRows(Array.from({ length: 21 }, (_, y) => Array.from({ length: 21 }, (_, x) => (x >= 5 && x <= 15 && y >= 5 && y <= 15 ? '#' : '.')).join('')));
    const fitted = ellipseFill(square);
    // A square of side s has variance s²/12, so the radius is s/sqrt(3): area pi s²/3, 1.05 s².
    expect(area(fitted) / area(square)).toBeGreaterThan(0.95);
    expect(area(fitted) / area(square)).toBeLessThan(1.15);
    expect(fitted.data[10 * 21 + 10]).toBe(1);
    expect(fitted.data[5 * 21 + 5]).toBe(0); // the corners go
  });

  it('keeps one pixel and an empty mask as they are', () => {
    expect(rowsFromMask(ellipseFill(maskFromRows(['...', '.#.', '...'])))).toEqual(['...', '.#.', '...']);
    expect(area(ellipseFill(maskFromRows(['...', '...'])))).toBe(0);
  });
});

describe('applyShapePrior', () => {
  it("'ellipse' fits the hull, so a notched disc comes back as the full disc", () => {
    const full = ellipse(80, 80, 40, 40, 25, 25);
    const notched = notchedDisc();
    expect(iou(notched, full)).toBeLessThan(0.95);
    expect(iou(applyShapePrior(notched, 'ellipse'), full)).toBeGreaterThan(0.97);
  });
});

describe("the 'filled' prior", () => {
  it('fills a hole inside the disc and keeps its outline, notches included', () => {
    const notched = notchedDisc();
    const holed = notchedDisc();
    // A crescent-shaped hole well inside the disc, as a polar network's reading of another camera left one.
    for (let y = 0; y < 80; y++) for (let x = 0; x < 80; x++) if ((x - 36) ** 2 + (y - 44) ** 2 < 64 && (x - 36) ** 2 + (y - 40) ** 2 >= 36) holed.data[y * 80 + x] = 0;
    expect(area(holed)).toBeLessThan(area(notched));
    expect(applyShapePrior(holed, 'filled')).toEqual(notched);
    // The notch is open to the outside, so it is no hole: only hull and ellipse close it.
    expect(applyShapePrior(notched, 'filled')).toEqual(notched);
  });

  it('fills a hole in the disc but leaves a crescent cup a crescent, inside the disc', () => {
    const od = ellipse(80, 80, 40, 40, 25, 25);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 80; x++) if ((x - 40) ** 2 + (y - 40) ** 2 < 36) od.data[y * 80 + x] = 0;
    const crescent = ellipse(80, 80, 40, 44, 14, 10);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 80; x++) if ((x - 40) ** 2 + (y - 38) ** 2 < 120) crescent.data[y * 80 + x] = 0;
    const shaped = shapeDiscAndCup(od, crescent, 'filled');
    expect(shaped.od).toEqual(ellipse(80, 80, 40, 40, 25, 25));
    expect(shaped.oc).toEqual(crescent);
  });
});

describe('shapeDiscAndCup', () => {
  it("'none' returns the masks untouched", () => {
    const od = notchedDisc();
    const oc = ellipse(80, 80, 40, 40, 10, 10);
    const shaped = shapeDiscAndCup(od, oc, 'none');
    expect(shaped.od).toBe(od);
    expect(shaped.oc).toBe(oc);
  });

  it('keeps the cup inside the disc after shaping, even when the cup overhangs the disc', () => {
    const od = notchedDisc();
    // A cup reaching past the disc's left edge: its ellipse would too.
    const oc = ellipse(80, 80, 22, 40, 12, 8);
    for (const prior of ['hull', 'ellipse'] as const) {
      const shaped = shapeDiscAndCup(od, oc, prior);
      expect(area(shaped.od)).toBeGreaterThan(area(od) + 50); // the notch is filled
      expect(area(shaped.oc)).toBeGreaterThan(0);
      expect(outside(shaped.oc, shaped.od)).toBe(0);
      expect(shaped.od).toEqual(applyShapePrior(od, prior));
    }
  });

  it('shapes only the largest piece: a stray blob is not bridged to the disc', () => {
    const od = ellipse(80, 80, 30, 40, 15, 15);
    od.data[5 * 80 + 75] = 1;
    const shaped = shapeDiscAndCup(od, ellipse(80, 80, 30, 40, 5, 5), 'hull');
    expect(shaped.od.data[5 * 80 + 75]).toBe(0);
    expect(rowsFromMask(shaped.od)).toEqual(rowsFromMask(ellipse(80, 80, 30, 40, 15, 15)));
  });

  it('leaves an empty disc and cup empty', () => {
    const empty = (): BinaryMask => ({ width: 10, height: 10, data: new Uint8Array(100) });
    for (const prior of ['hull', 'ellipse'] as const) {
      const shaped = shapeDiscAndCup(empty(), empty(), prior);
      expect(area(shaped.od) + area(shaped.oc)).toBe(0);
    }
  });
});
