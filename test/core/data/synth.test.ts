import { describe, expect, it } from 'vitest';
import { generateFundus } from '../../../src-main/core/data/synth';
import { verticalCupToDiscRatio, verticalDiameter } from '../../../src-main/core/masks/measure';
import type { Point, RgbImage } from '../../../src-main/core/types';

function meanRgb(image: RgbImage, where: (x: number, y: number) => boolean): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!where(x, y)) continue;
      for (let c = 0; c < 3; c++) sum[c]! += image.data[(y * image.width + x) * 3 + c]!;
      n++;
    }
  }
  return sum.map((s) => s / Math.max(n, 1)) as [number, number, number];
}

const near = (p: Point, r: number) => (x: number, y: number) => Math.hypot(x - p.x, y - p.y) <= r;

describe('generateFundus', () => {
  it('is deterministic: the same seed gives the same bytes, another seed another image', () => {
    const a = generateFundus(11);
    const b = generateFundus(11);
    const c = generateFundus(12);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(Buffer.from(a.od.data).equals(Buffer.from(b.od.data))).toBe(true);
    expect(a.fovea).toEqual(b.fovea);
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
  });

  it('defaults to 256x248 and returns consistent ground truth', () => {
    for (let seed = 0; seed < 12; seed++) {
      const f = generateFundus(seed);
      expect(f.image).toMatchObject({ width: 256, height: 248 });
      expect(f.image.data.length).toBe(256 * 248 * 3);
      let odArea = 0;
      let ocArea = 0;
      for (let i = 0; i < f.od.data.length; i++) {
        odArea += f.od.data[i]!;
        ocArea += f.oc.data[i]!;
        if (f.oc.data[i] && !f.od.data[i]) throw new Error(`seed ${seed}: cup pixel ${i} outside the disc`);
      }
      expect(ocArea).toBeGreaterThan(0);
      expect(odArea).toBeGreaterThan(ocArea);
      expect(f.vcdr).toBe(verticalCupToDiscRatio(f.od, f.oc));
      // Layout: the fovea about 2-2.7 disc diameters from the disc, on the side the eye says, outside the disc.
      const dd = verticalDiameter(f.od);
      const distance = Math.hypot(f.fovea.x - f.discCenter.x, f.fovea.y - f.discCenter.y) / dd;
      expect(distance).toBeGreaterThan(1.5);
      expect(distance).toBeLessThan(3.2);
      expect(f.eye === 'right' ? f.discCenter.x > f.fovea.x : f.discCenter.x < f.fovea.x).toBe(true);
      expect(f.od.data[Math.round(f.fovea.y) * 256 + Math.round(f.fovea.x)]).toBe(0);
    }
  });

  it('looks like a fundus: black corners, a bright disc, a darker fovea, an orange-red retina', () => {
    for (let seed = 0; seed < 6; seed++) {
      const f = generateFundus(seed);
      const corner = meanRgb(f.image, (x, y) => x < 8 && y < 8);
      expect(Math.max(...corner)).toBeLessThan(3);
      const odIndex = (x: number, y: number): boolean => f.od.data[y * 256 + x] === 1;
      const disc = meanRgb(f.image, odIndex);
      const around = meanRgb(f.image, (x, y) => !odIndex(x, y) && near(f.discCenter, 60)(x, y) && !near(f.discCenter, 30)(x, y));
      expect(disc[0] + disc[1]).toBeGreaterThan(around[0] + around[1] + 60);
      const fovea = meanRgb(f.image, near(f.fovea, 2));
      const macularRing = meanRgb(f.image, (x, y) => near(f.fovea, 30)(x, y) && !near(f.fovea, 20)(x, y));
      expect(fovea[1]).toBeLessThan(macularRing[1]);
      const retina = meanRgb(f.image, (x, y) => near({ x: 128, y: 124 }, 100)(x, y) && !odIndex(x, y));
      expect(retina[0]).toBeGreaterThan(retina[1] * 1.4); // red dominates
      expect(retina[1]).toBeGreaterThan(retina[2]); // then green, then blue: orange, not purple
    }
  });

  it('ties glaucoma to the cup: vCDR about 0.7 for glaucoma, 0.4 for normals', () => {
    const mean = (glaucoma: 0 | 1): number => {
      let sum = 0;
      for (let seed = 0; seed < 24; seed++) sum += generateFundus(seed, { glaucoma, width: 128, height: 128 }).vcdr;
      return sum / 24;
    };
    const g = mean(1);
    const n = mean(0);
    expect(g).toBeGreaterThan(0.6);
    expect(g).toBeLessThan(0.8);
    expect(n).toBeGreaterThan(0.3);
    expect(n).toBeLessThan(0.5);
  });

  it('draws about 10 % positives by default, and follows positiveRate', () => {
    let positives = 0;
    let positivesHalf = 0;
    for (let seed = 0; seed < 200; seed++) {
      positives += generateFundus(seed, { width: 32, height: 32 }).glaucoma;
      positivesHalf += generateFundus(seed, { width: 32, height: 32, positiveRate: 0.5 }).glaucoma;
    }
    expect(positives).toBeGreaterThan(8);
    expect(positives).toBeLessThan(36);
    expect(positivesHalf).toBeGreaterThan(70);
    expect(positivesHalf).toBeLessThan(130);
  });

  it('works at 64x64 and 1024x1000, and refuses silly sizes', () => {
    const small = generateFundus(3, { width: 64, height: 64 });
    expect(small.image.data.length).toBe(64 * 64 * 3);
    expect(small.od.data.some((v) => v === 1)).toBe(true);
    const large = generateFundus(3, { width: 1024, height: 1000 });
    expect(large.od).toMatchObject({ width: 1024, height: 1000 });
    expect(verticalDiameter(large.od)).toBeGreaterThan(80);
    expect(() => generateFundus(1, { width: 16, height: 64 })).toThrow(RangeError);
    expect(() => generateFundus(1, { width: 100.5 })).toThrow(RangeError);
  });
});
