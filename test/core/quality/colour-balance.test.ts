import { describe, expect, it } from 'vitest';
import { colourBalance, colourGains, MAX_COLOUR_GAIN, medianFieldColour, scaleChannels, type Rgb } from '../../../src-main/core/quality/colour-balance';
import { fieldLuminance, fieldMeanColour } from '../../../src-main/core/quality/image-quality';
import type { RgbImage } from '../../../src-main/core/types';

/** A 4x2 picture: a black (outside the field) column, the rest fundus-coloured pixels. */
function picture(colour: Rgb): RgbImage {
  const data = new Uint8Array(4 * 2 * 3);
  for (let p = 0; p < 8; p++) if (p % 4 !== 0) data.set(colour, p * 3);
  return { width: 4, height: 2, data };
}

const ratios = (c: Rgb): number[] => [c[0] / c[1], c[2] / c[1]];

describe('colour balance (grey-world relative to a reference)', () => {
  it('takes the mean colour over the field only (black pixels outside it)', () => {
    expect(fieldMeanColour(picture([150, 70, 30]))).toEqual([150, 70, 30]);
    expect(fieldMeanColour(picture([0, 0, 0]))).toBeNull();
  });

  it("gives a colour-cast field the reference's proportions at the field's own luminance", () => {
    const reference: Rgb = [160, 80, 25];
    // The benchmark's strong cast: red x0.65, blue x1.6.
    const cast = picture([Math.round(160 * 0.65), 80, Math.round(25 * 1.6)]);
    const balanced = scaleChannels(cast, colourBalance(cast, reference));
    const mean = fieldMeanColour(balanced)!;
    expect(ratios(mean)[0]).toBeCloseTo(ratios(reference)[0]!, 1);
    expect(ratios(mean)[1]).toBeCloseTo(ratios(reference)[1]!, 1);
    // The exposure gain is computed from luminance: colour balance leaves it (to rounding).
    expect(Math.abs(fieldLuminance(balanced) - fieldLuminance(cast))).toBeLessThan(1);
  });

  it('leaves a field already of the reference colour alone, at any brightness', () => {
    const g = colourGains([80, 40, 12.5], [160, 80, 25]);
    for (const v of g) expect(v).toBeCloseTo(1, 6);
  });

  it('bounds each gain and leaves an empty channel, a picture without a field, or no reference alone', () => {
    const g = colourGains([150, 70, 1], [150, 70, 30]);
    expect(g[2]).toBe(MAX_COLOUR_GAIN);
    expect(colourGains([150, 70, 0], [150, 70, 30])[2]).toBe(1);
    expect(colourBalance(picture([0, 0, 0]), [150, 70, 30])).toEqual([1, 1, 1]);
    expect(colourBalance(picture([150, 70, 30]), null)).toEqual([1, 1, 1]);
    const p = picture([150, 70, 30]);
    expect(scaleChannels(p, [1, 1, 1])).toBe(p);
  });

  it('takes a colour target as the per-channel median of the mean field colours', () => {
    expect(medianFieldColour([picture([100, 50, 10]), picture([160, 40, 30]), picture([120, 60, 20])])).toEqual([120, 50, 20]);
    expect(medianFieldColour([picture([0, 0, 0])])).toBeNull();
  });

  it('scales each channel by its own gain, clipped at 255', () => {
    const out = scaleChannels(picture([200, 70, 30]), [1.5, 1, 0.5]);
    expect([...out.data.subarray(3, 6)]).toEqual([255, 70, 15]);
  });
});
