// Cup-size augmentation: the cup grows or shrinks toward the drawn size, the
// disc's outline stays, and image and masks move by the same map.
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../../src-main/core/random';
import { augmentExample, DISC_CUPS_AUGMENTATION, NO_AUGMENTATION } from '../../../src-main/core/train/augment';
import { resizeCup, sourceRadius } from '../../../src-main/core/train/cup-resize';
import type { TrainingExample } from '../../../src-main/core/train/example';

const SIZE = 96;

/** A disc (ellipse) with an off-centre cup; the image paints them in three colours so its pixels say which mask they belong to. */
function discExample(cupRx: number, cupRy: number): TrainingExample {
  const od = new Uint8Array(SIZE * SIZE);
  const oc = new Uint8Array(SIZE * SIZE);
  const image = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      od[i] = ((x - 48) / 30) ** 2 + ((y - 46) / 33) ** 2 <= 1 ? 1 : 0;
      oc[i] = od[i] && ((x - 50) / cupRx) ** 2 + ((y - 45) / cupRy) ** 2 <= 1 ? 1 : 0;
      image.set(oc[i] ? [240, 220, 200] : od[i] ? [200, 120, 80] : [60, 20, 10], i * 3);
    }
  }
  return { id: 'disc', size: SIZE, image, od, oc, glaucoma: 1 };
}

/** The draws resizeCup makes: apply or not, then where in the range the cup's radius falls. */
function draws(...values: number[]): Rng {
  let i = 0;
  return { next: () => values[i++] ?? 0.5, normal: () => 0, int: () => 0 } as unknown as Rng;
}

function verticalExtent(mask: Uint8Array): number {
  let top = SIZE;
  let bottom = -1;
  mask.forEach((v, i) => {
    if (!v) return;
    const y = Math.floor(i / SIZE);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  });
  return bottom - top + 1;
}

const count = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);

describe('cup-size augmentation', () => {
  it('maps the disc edge and everything outside it to itself, the cup edge to k times its radius', () => {
    expect(sourceRadius(1, 0.6, 0.5)).toBeCloseTo(1, 12);
    expect(sourceRadius(1.3, 0.6, 0.5)).toBe(1.3);
    expect(sourceRadius(0.3, 0.6, 0.5)).toBeCloseTo(0.6, 12);
    expect(sourceRadius(0.9, 0.6, 1.5)).toBeCloseTo(0.6, 12);
    for (let r = 0; r < 1; r += 0.05) expect(sourceRadius(r + 0.05, 0.6, 0.5)).toBeGreaterThan(sourceRadius(r, 0.6, 0.5));
  });

  it('shrinks a large cup and enlarges a small one, keeping the disc', () => {
    const large = discExample(22, 25);
    const ratio = (e: TrainingExample): number => verticalExtent(e.oc!) / verticalExtent(e.od!);
    const shrunk = resizeCup(large, [0.3, 0.9], 1, draws(0, 0));
    const small = discExample(10, 11);
    const grown = resizeCup(small, [0.3, 0.9], 1, draws(0, 1));
    expect(ratio(large)).toBeGreaterThan(0.7);
    // The rim may be stretched at most 3x: a 0.75 cup can shrink to about 0.3 of the disc.
    expect(ratio(shrunk)).toBeLessThan(0.45);
    expect(ratio(small)).toBeLessThan(0.4);
    expect(ratio(grown)).toBeGreaterThan(0.8);
    for (const e of [shrunk, grown]) {
      let moved = 0;
      e.od!.forEach((v, i) => (moved += v === large.od![i] ? 0 : 1));
      expect(moved / count(large.od!)).toBeLessThan(0.01);
    }
  });

  it('moves image and masks together', () => {
    for (const e of [resizeCup(discExample(22, 25), [0.3, 0.9], 1, draws(0, 0)), resizeCup(discExample(10, 11), [0.3, 0.9], 1, draws(0, 1))]) {
      let agree = 0;
      for (let i = 0; i < SIZE * SIZE; i++) {
        const red = e.image[i * 3]!;
        const painted = red > 220 ? 'cup' : red > 130 ? 'rim' : 'outside';
        const label = e.oc![i] ? 'cup' : e.od![i] ? 'rim' : 'outside';
        if (painted === label) agree++;
      }
      // Only the edges' bilinear blend may disagree with the nearest-neighbour masks.
      expect(agree / (SIZE * SIZE)).toBeGreaterThan(0.98);
    }
  });

  it('leaves the example alone when not drawn, without masks, or without a cup', () => {
    const e = discExample(15, 16);
    expect(resizeCup(e, [0.3, 0.9], 0.5, draws(0.7, 0))).toBe(e);
    const noCup = { ...e, oc: undefined };
    expect(resizeCup(noCup, [0.3, 0.9], 1, draws(0, 0))).toBe(noCup);
    const emptyCup = { ...e, oc: new Uint8Array(SIZE * SIZE) };
    expect(resizeCup(emptyCup, [0.3, 0.9], 1, draws(0, 0))).toBe(emptyCup);
  });

  it('is part of the disc-cups augmentation only, so other configurations keep their random streams', () => {
    const e = discExample(22, 25);
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) sizes.add(verticalExtent(augmentExample(e, { ...NO_AUGMENTATION, cupRadius: DISC_CUPS_AUGMENTATION.cupRadius! }, createRng(seed)).oc!));
    expect(sizes.size).toBeGreaterThan(2);
    expect(augmentExample(e, NO_AUGMENTATION, createRng(1)).oc).toEqual(e.oc);
  });
});
