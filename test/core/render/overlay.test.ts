import { describe, expect, it } from 'vitest';
import { defaultLineWidth, drawOverlay, drawOverlayInPlace } from '../../../src-main/core/render/overlay';
import type { RgbImage } from '../../../src-main/core/types';
import { maskFromRows } from '../masks/ascii-mask';

function grey(width: number, height: number, value: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const o = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(o, o + 3));
}

const RED = [255, 0, 0] as const;
const BLUE = [0, 0, 255] as const;

describe('drawOverlay', () => {
  const od = maskFromRows([
    '.......', //
    '.#####.',
    '.#####.',
    '.#####.',
    '.#####.',
    '.#####.',
    '.......',
  ]);

  it('draws a one-pixel outline on the mask boundary and leaves the input alone', () => {
    const image = grey(7, 7, 100);
    const out = drawOverlay(image, { od, odColor: RED, lineWidth: 1 });
    expect(pixel(out, 1, 1)).toEqual([...RED]); // boundary
    expect(pixel(out, 3, 5)).toEqual([...RED]);
    expect(pixel(out, 3, 3)).toEqual([100, 100, 100]); // interior
    expect(pixel(out, 0, 0)).toEqual([100, 100, 100]); // outside
    expect(pixel(image, 1, 1)).toEqual([100, 100, 100]);
  });

  it('can draw in place, into the given buffer', () => {
    const image = grey(7, 7, 100);
    expect(drawOverlayInPlace(image, { od, odColor: RED, lineWidth: 1 })).toBe(image);
    expect(pixel(image, 1, 1)).toEqual([...RED]);
  });

  it('widens the outline to both sides with lineWidth 3', () => {
    const out = drawOverlay(grey(7, 7, 100), { od, odColor: RED, lineWidth: 3 });
    expect(pixel(out, 0, 3)).toEqual([...RED]); // one outside
    expect(pixel(out, 2, 3)).toEqual([...RED]); // one inside
    expect(pixel(out, 3, 3)).toEqual([100, 100, 100]); // centre, two inside
  });

  it('blends a fill and draws the cup over the disc', () => {
    const oc = maskFromRows(['.......', '.......', '.......', '...#...', '.......', '.......', '.......']);
    const out = drawOverlay(grey(7, 7, 100), { od, oc, odColor: RED, ocColor: BLUE, lineWidth: 1, fillOpacity: 0.5 });
    // Disc interior: 0.5 * 100 + 0.5 * (255, 0, 0), rounded.
    expect(pixel(out, 2, 2)).toEqual([178, 50, 50]);
    // The one-pixel cup is all boundary: cup colour on top.
    expect(pixel(out, 3, 3)).toEqual([...BLUE]);
  });

  it('marks the fovea with a ring and a cross', () => {
    const out = drawOverlay(grey(240, 240, 0), { fovea: { x: 100, y: 120 }, foveaColor: [255, 255, 0], lineWidth: 1 });
    // ring radius max(4, round(240 / 60)) = 4, cross arms 2.4
    expect(pixel(out, 100, 120)).toEqual([255, 255, 0]);
    expect(pixel(out, 104, 120)).toEqual([255, 255, 0]);
    expect(pixel(out, 100, 116)).toEqual([255, 255, 0]);
    expect(pixel(out, 102, 121)).toEqual([0, 0, 0]); // inside the ring (distance 2.24), off the cross
    expect(pixel(out, 110, 120)).toEqual([0, 0, 0]);
  });

  it('scales the default line width with the image', () => {
    expect(defaultLineWidth({ width: 2124, height: 2056 })).toBe(4);
    expect(defaultLineWidth({ width: 256, height: 256 })).toBe(1);
  });

  it('refuses a mask of another size and bad options', () => {
    expect(() => drawOverlay(grey(6, 7, 0), { od })).toThrow(/sizes differ/);
    expect(() => drawOverlay(grey(7, 7, 0), { od, fillOpacity: 2 })).toThrow(/fillOpacity/);
    expect(() => drawOverlay(grey(7, 7, 0), { od, odColor: [300, 0, 0] })).toThrow(/colour/);
  });
});
