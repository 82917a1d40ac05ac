import { describe, expect, it } from 'vitest';
import { scaleChannels } from '../../../src-main/core/quality/colour-balance';
import { fieldLuminance, imageReasons, measureImage, qualityVerdict, reduceImage } from '../../../src-main/core/quality/image-quality';
import type { RgbImage } from '../../../src-main/core/types';

const W = 200;
const H = 160;

function image(f: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(f(x, y).map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * W + x) * 3);
  return { width: W, height: H, data };
}

/** A fundus-like picture: a red-orange circular field on black with vessel-like stripes and a bright disc. */
function fundus(gain = 1): RgbImage {
  return image((x, y) => {
    if ((x - 100) ** 2 + (y - 80) ** 2 > 75 ** 2) return [0, 0, 0];
    const disc = (x - 130) ** 2 + (y - 80) ** 2 < 15 ** 2 ? 60 : 0;
    const vessel = Math.abs(((x * 7 + y * 3) % 23) - 11) < 2 ? -35 : 0;
    const texture = ((x * 13 + y * 29) % 17) - 8;
    return [(150 + disc + vessel + texture) * gain, (70 + disc + vessel + texture) * gain, (25 + disc / 2) * gain];
  });
}

describe('image-quality gate', () => {
  it('grades a fundus-like picture', () => {
    const m = measureImage(fundus());
    expect(m.redness).toBeGreaterThan(0.6);
    expect(m.field).toBeGreaterThan(0.4);
    expect(imageReasons(m)).toEqual([]);
  });

  it('finds no fundus field in a grey, a white or a noise picture', () => {
    expect(imageReasons(measureImage(image(() => [128, 128, 128])))).toContain('no-fundus-field');
    expect(imageReasons(measureImage(image(() => [255, 255, 255])))).toEqual(expect.arrayContaining(['no-fundus-field', 'over-exposed']));
    let s = 1;
    const noise = image(() => [(s = (s * 16807) % 2147483647) % 256, (s = (s * 16807) % 2147483647) % 256, (s = (s * 16807) % 2147483647) % 256]);
    expect(imageReasons(measureImage(noise))).toContain('no-fundus-field');
  });

  it('calls a four-fold over-exposure over-exposed and a black frame no field', () => {
    expect(imageReasons(measureImage(fundus(4)))).toContain('over-exposed');
    expect(imageReasons(measureImage(fundus(0.05)))).toContain('no-fundus-field');
  });

  it('calls a picture without fine detail out of focus', () => {
    // The same field and colours, no texture or vessels.
    const flat = image((x, y) => ((x - 100) ** 2 + (y - 80) ** 2 > 75 ** 2 ? [0, 0, 0] : [150 + (x - 100) / 2, 70 + (y - 80) * 0.8, 25]));
    expect(imageReasons(measureImage(flat))).toContain('out-of-focus');
  });

  it('adds what the model found: no disc, too uncertain', () => {
    const m = measureImage(fundus());
    expect(qualityVerdict(m, { discFound: true, uncertainty: 0.05 })).toMatchObject({ gradable: true, reasons: [] });
    expect(qualityVerdict(m, { discFound: false, uncertainty: 0.5 })).toMatchObject({ gradable: false, reasons: ['disc-not-found', 'too-uncertain'] });
  });

  it('reduces large pictures by whole factors and leaves small ones alone', () => {
    const big: RgbImage = { width: 1100, height: 900, data: new Uint8Array(1100 * 900 * 3).fill(90) };
    const r = reduceImage(big);
    expect([r.width, r.height]).toEqual([366, 300]);
    expect(r.data[0]).toBe(90);
    const small = fundus();
    expect(reduceImage(small)).toBe(small);
  });

  it('measures the field luminance and scales exposure', () => {
    const f = fundus();
    const lum = fieldLuminance(f);
    expect(lum).toBeGreaterThan(60);
    expect(fieldLuminance(scaleChannels(f, [0.5, 0.5, 0.5]))).toBeCloseTo(lum / 2, -0.5);
    expect(scaleChannels(f, [1, 1, 1])).toBe(f);
  });
});
