import { describe, expect, it } from 'vitest';
import { DIRECT_CROP_MIN_DISC, readAsDiscCrop } from '../../../src-main/core/infer/predictor';
import type { BinaryMask } from '../../../src-main/core/types';

const size = { width: 100, height: 100 };

/** A square disc of side `d` pixels in a 100 x 100 photograph. */
function disc(d: number): BinaryMask {
  const data = new Uint8Array(100 * 100);
  for (let y = 0; y < d; y++) for (let x = 0; x < d; x++) data[(y + 2) * 100 + x + 2] = 1;
  return { width: 100, height: 100, data };
}

describe('readAsDiscCrop: when the disc-crop network reads the whole photograph', () => {
  it('replaces a two-stage result that found no disc', () => {
    expect(readAsDiscCrop({ od: disc(40), disagreement: [0.05] }, { od: disc(0), disagreement: [0.05] }, size)).toBe(true);
  });

  it('keeps the two-stage result while the direct reading sees a disc within its training scales', () => {
    // 45-55 % of the input is what the crop network always sees: it reports that size whatever the truth.
    expect(readAsDiscCrop({ od: disc(50), disagreement: [0.01] }, { od: disc(40), disagreement: [0.1] }, size)).toBe(false);
  });

  it('replaces it when the direct reading sees a disc larger than those scales: the photograph is a tight disc crop', () => {
    expect(readAsDiscCrop({ od: disc(Math.ceil(100 * DIRECT_CROP_MIN_DISC)), disagreement: [0.1] }, { od: disc(40), disagreement: [0.05] }, size)).toBe(true);
  });

  it('replaces a two-stage result too uncertain to grade only by a less uncertain reading', () => {
    expect(readAsDiscCrop({ od: disc(45), disagreement: [0.05] }, { od: disc(30), disagreement: [0.3, 0.2] }, size)).toBe(true);
    expect(readAsDiscCrop({ od: disc(45), disagreement: [0.4] }, { od: disc(30), disagreement: [0.3, 0.2] }, size)).toBe(false);
  });

  it('replaces a two-stage result built on a doubtful first disc that no zoomed-out view confirmed', () => {
    // A tight crop: the whole-image network settled on a speck; the crop network reads the real disc.
    expect(readAsDiscCrop({ od: disc(50), disagreement: [0.05] }, { od: disc(3), disagreement: [0.05] }, size, true)).toBe(true);
    // The same readings where the wider search did find a disc (or never ran): the two stages stand.
    expect(readAsDiscCrop({ od: disc(50), disagreement: [0.05] }, { od: disc(3), disagreement: [0.05] }, size, false)).toBe(false);
    expect(readAsDiscCrop({ od: disc(50), disagreement: [0.05] }, { od: disc(3), disagreement: [0.05] }, size)).toBe(false);
  });

  it('does not let a confident reading of another disc size replace an uncertain two-stage result: both must see the same disc', () => {
    // A full photograph: the two stages find the real disc (17 %), uncertainly; the crop network reads its training size.
    expect(readAsDiscCrop({ od: disc(50), disagreement: [0.05] }, { od: disc(17), disagreement: [0.3, 0.2] }, size)).toBe(false);
    expect(readAsDiscCrop({ od: disc(30), disagreement: [0.05] }, { od: disc(17), disagreement: [0.3, 0.2] }, size)).toBe(true);
  });
});
