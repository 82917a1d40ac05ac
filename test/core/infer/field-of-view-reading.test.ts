// The field-of-view conditions `train --field-of-view` and the robustness benchmark read, on a drawn photograph
// whose disc and cup are known, with readers whose limits are known: the geometry moves the masks with the image,
// each condition is scored against them, and the domain a decision gets covers only the disc sizes read well.
import { describe, expect, it } from 'vitest';
import { fieldOfViewDomain } from '../../../src-main/core/decision/field-of-view';
import { DOMAIN_MARGIN } from '../../../src-main/core/decision/model';
import {
  balancedSelection,
  discCentredCrop,
  FIELD_OF_VIEW_CONDITIONS,
  readFieldOfView,
  zoomedOut,
  type FieldOfViewPrediction,
  type LabelledPhotograph,
  type PhotographReader,
} from '../../../src-main/core/infer/field-of-view-reading';
import { boundingBox } from '../../../src-main/core/masks/measure';
import type { BinaryMask, RgbImage } from '../../../src-main/core/types';

const W = 480;
const H = 400;
const DISC = { x: 300, y: 190, r: 40 };

/** A dim field with a bright disc and a brighter cup half its radius; the masks are the circles. */
function photograph(r = DISC.r): LabelledPhotograph {
  const CUP_R = r / 2;
  const data = new Uint8Array(W * H * 3);
  const od = new Uint8Array(W * H);
  const oc = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - DISC.x, y - DISC.y);
      const v = d <= CUP_R ? 250 : d <= r ? 200 : 80;
      data.set([v, v, v], (y * W + x) * 3);
      od[y * W + x] = d <= r ? 1 : 0;
      oc[y * W + x] = d <= CUP_R ? 1 : 0;
    }
  }
  return { image: { width: W, height: H, data }, od: { width: W, height: H, data: od }, oc: { width: W, height: H, data: oc } };
}

const threshold = (image: RgbImage, level: number): BinaryMask => {
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i * 3]! > level ? 1 : 0;
  return { width: image.width, height: image.height, data };
};

/** Reads disc and cup by brightness, which survives any zoom; `largest` caps the disc size it can find. */
function brightnessReader(largest = 1): PhotographReader {
  return async (image) => {
    const od = threshold(image, 150);
    const oc = threshold(image, 225);
    const disc = boundingBox(od);
    const cup = boundingBox(oc);
    const height = disc ? disc.y1 - disc.y0 : 0;
    const found = disc !== null && height / Math.min(image.width, image.height) <= largest;
    const empty = { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
    const p: FieldOfViewPrediction = {
      od: found ? od : empty,
      oc: found ? oc : empty,
      summary: { width: image.width, height: image.height, vcdr: found && cup ? (cup.y1 - cup.y0) / height : null, disc: { found, verticalDiameterPx: found ? height : 0 } },
    };
    return p;
  };
}

const centre = { x: DISC.x, y: DISC.y };
const discHeight = (m: BinaryMask): number => {
  const b = boundingBox(m)!;
  return b.y1 - b.y0;
};

describe('field-of-view conditions', () => {
  it('zooms out into a black frame and crops around the disc, the masks moving with the image', () => {
    const p = photograph();
    const far = zoomedOut(p, 2);
    expect(far.image.width).toBe(W);
    expect(far.image.height).toBe(W);
    // The disc is half as tall on a square of the photograph's longer side: 80 px at scale 1/2.
    expect(discHeight(far.od)).toBeGreaterThanOrEqual(39);
    expect(discHeight(far.od)).toBeLessThanOrEqual(41);
    expect(far.image.data[0]).toBe(0);
    const crop = discCentredCrop(p, 2, centre);
    expect(crop.image.width).toBe(800);
    // The disc fills half the crop's side.
    expect(discHeight(crop.od) / 800).toBeCloseTo(0.5, 1);
    expect(() => discCentredCrop({ ...p, od: { ...p.od, data: new Uint8Array(W * H) } }, 2, centre)).toThrow("the experts' disc");
  });

  it('scores every condition against the moved masks, in order, unshifted first', async () => {
    const photo = photograph();
    const readings = await readFieldOfView(brightnessReader(), [{ photograph: photo, centre }]);
    expect(readings.map((r) => r.condition)).toEqual(FIELD_OF_VIEW_CONDITIONS.map((c) => c.name));
    expect(readings[0]!.condition).toBe('clean');
    for (const r of readings) {
      expect(r.discFound, r.condition).toBe(1);
      expect(r.odDice!, r.condition).toBeGreaterThan(0.9);
      expect(r.vcdrMae!, r.condition).toBeLessThan(0.06);
    }
    // The unshifted disc spans 80 of 400 px; zoomed out x2.2 about a fifth of that (the frame is the longer side).
    expect(readings[0]!.discSpan![0]).toBeCloseTo(0.2, 2);
    expect(readings.find((r) => r.condition.includes('x2.2'))!.discSpan![1]).toBeLessThan(0.09);
    expect(readings.find((r) => r.condition.includes('1.5x'))!.discSpan![0]).toBeGreaterThan(0.6);
  });

  it('gives a decision the disc sizes its reader reads well at, joined up from the unshifted ones, never across a gap', async () => {
    // Discs spanning 15 %, 22.5 % and 33.5 % of the shorter side.
    const photos = [30, 45, 67].map((r) => ({ photograph: photograph(r), centre }));
    const everywhere = fieldOfViewDomain([await readFieldOfView(brightnessReader(), photos)]);
    // Zoomed out down to x2.2 (discs of 7 %) and the 3x crop (33 %) join the span; the tighter crops read well, but
    // their discs (50 %, 67 %) are a gap away from it.
    expect(everywhere.measured.verdicts.map((v) => v.holds)).toEqual([true, true, true, true, true, false, false]);
    expect(everywhere.measured.verdicts[5]!.why).toBe('within tolerance, but its disc sizes do not join the span');
    // x2.2 into a square of the longer side: the smallest disc, 61 px of 400, becomes 61 of 480 x 2.2.
    expect(everywhere.domain.discSize.low).toBeCloseTo(61 / (480 * 2.2) / DOMAIN_MARGIN, 2);
    expect(everywhere.domain.discSize.high).toBeCloseTo(0.335 * DOMAIN_MARGIN, 2);
    expect(everywhere.domain.evidence).toMatch(/^measured by the robustness benchmark on 1 model and 3 photographs they did not train on/);
    expect(everywhere.domain.evidence).toContain('zoomed out x2.2 into a black frame');
    // A reader that finds no disc filling more than 36 % of the frame: the tighter crops fail outright.
    const capped = fieldOfViewDomain([await readFieldOfView(brightnessReader(0.36), photos)]);
    expect(capped.measured.verdicts.map((v) => v.holds)).toEqual([true, true, true, true, true, false, false]);
    expect(capped.measured.verdicts[5]!.why).toMatch(/^disc found in 0 %/);
  });

  it('picks half normal eyes where the labels allow', () => {
    const s = (id: string, glaucoma: 0 | 1 | undefined) => ({ id, glaucoma });
    expect(balancedSelection([s('g1', 1), s('g2', 1), s('g3', 1), s('n1', 0), s('n2', 0)], 4).map((x) => x.id)).toEqual(['n1', 'n2', 'g1', 'g2']);
    expect(balancedSelection([s('g1', 1), s('g2', 1), s('n1', 0)], 4).map((x) => x.id)).toEqual(['n1', 'g1', 'g2']);
    expect(balancedSelection([s('a', undefined), s('b', undefined)], 1).map((x) => x.id)).toEqual(['a']);
  });
});
