// The benchmark's tone-curve matching (measured, not kept): a photograph's own tone leaves it as it is, and a power
// law applied to a photograph is undone by matching it back to the original's tone.
import { describe, expect, it } from 'vitest';
import { fieldTone, medianTone, toneCurve, toneMatched } from '../../bench/robustness/tone-match';
import type { RgbImage } from '../../src-main/core/types';

/** A dark frame around a field whose luminance ramps from 30 to 150. */
function field(): RgbImage {
  const w = 120;
  const h = 40;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 20; x < w; x++) data.fill(30 + Math.round((120 * (x - 20)) / (w - 21)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { width: w, height: h, data };
}

const powerLaw = (image: RgbImage, gamma: number): RgbImage => ({ ...image, data: image.data.map((v) => Math.round(255 * Math.pow(v / 255, gamma))) });

describe('tone-curve matching', () => {
  it('reads the field only, and leaves a photograph at its own tone unchanged', () => {
    const image = field();
    const tone = fieldTone(image)!;
    expect(tone.median).toBeGreaterThan(80);
    expect(tone.median).toBeLessThan(100);
    expect(toneCurve(tone, tone)).toEqual({ gamma: 1, gain: 1 });
    expect(toneMatched(image, tone).data).toEqual(image.data);
    expect(fieldTone({ width: 2, height: 1, data: new Uint8Array(6) })).toBeNull();
  });

  it('undoes a power law (a brighter mid-tone camera) by matching to the original tone', () => {
    const image = field();
    const reference = fieldTone(image)!;
    const brighter = powerLaw(image, 0.6);
    const { gamma } = toneCurve(fieldTone(brighter)!, reference);
    expect(gamma).toBeGreaterThan(1.5);
    expect(gamma).toBeLessThan(1.85);
    const back = toneMatched(brighter, reference);
    let worst = 0;
    for (let i = 0; i < image.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i]! - image.data[i]!));
    expect(worst).toBeLessThanOrEqual(8);
    // One curve for a folder: the folder's tone, not each photograph's.
    expect(medianTone([reference, fieldTone(brighter)!, fieldTone(brighter)!])).toEqual(fieldTone(brighter));
  });
});
