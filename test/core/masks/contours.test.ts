import { describe, expect, it } from 'vitest';
import { fillHoles, labelComponents } from '../../../src-main/core/masks/components';
import { traceContours } from '../../../src-main/core/masks/contours';
import { polygonToMask } from '../../../src-main/core/masks/polygon';
import type { BinaryMask } from '../../../src-main/core/types';
import { maskFromRows, rowsFromMask } from './ascii-mask';

const xy = (points: { x: number; y: number }[]): number[][] => points.map((p) => [p.x, p.y]);

describe('traceContours', () => {
  it('outlines a square by its four pixel corners, clockwise from the top-left', () => {
    const mask = maskFromRows([
      '.....', //
      '.###.',
      '.###.',
      '.###.',
      '.....',
    ]);
    expect(traceContours(mask).map(xy)).toEqual([
      [
        [0.5, 0.5],
        [3.5, 0.5],
        [3.5, 3.5],
        [0.5, 3.5],
      ],
    ]);
  });

  it('outlines a single pixel and an L shape', () => {
    expect(traceContours(maskFromRows(['#'])).map(xy)).toEqual([
      [
        [-0.5, -0.5],
        [0.5, -0.5],
        [0.5, 0.5],
        [-0.5, 0.5],
      ],
    ]);
    const l = maskFromRows([
      '#.', //
      '##',
    ]);
    expect(traceContours(l).map(xy)).toEqual([
      [
        [-0.5, -0.5],
        [0.5, -0.5],
        [0.5, 0.5],
        [1.5, 0.5],
        [1.5, 1.5],
        [-0.5, 1.5],
      ],
    ]);
  });

  it('gives one outline per component, ignoring holes', () => {
    const mask = maskFromRows([
      '###..', //
      '#.#..',
      '###.#',
    ]);
    const contours = traceContours(mask);
    expect(contours).toHaveLength(2);
    expect(contours[0]!.length).toBe(4); // the ring's outer square
    expect(xy(contours[1]!)).toEqual([
      [3.5, 1.5],
      [4.5, 1.5],
      [4.5, 2.5],
      [3.5, 2.5],
    ]);
  });

  it('keeps diagonal neighbours in one outline with 8-connectivity, separate with 4', () => {
    const mask = maskFromRows([
      '#.', //
      '.#',
    ]);
    const eight = traceContours(mask, 8);
    expect(eight).toHaveLength(1);
    expect(eight[0]!.filter((p) => p.x === 0.5 && p.y === 0.5)).toHaveLength(2);
    expect(traceContours(mask, 4)).toHaveLength(2);
  });

  it('fills back to each component with its holes filled (pseudo-random masks)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 20; trial++) {
      const width = 12;
      const height = 9;
      const data = new Uint8Array(width * height).map(() => (random() < 0.55 ? 1 : 0));
      const mask: BinaryMask = { width, height, data };
      const components = labelComponents(mask, 8);
      const contours = traceContours(mask, 8);
      expect(contours).toHaveLength(components.count);
      contours.forEach((contour, i) => {
        const k = i + 1;
        const component = { width, height, data: Uint8Array.from(components.labels, (l) => (l === k ? 1 : 0)) };
        // Even-odd fill of an 8-connected outline that touches itself at a corner
        // still gives the component: the corner is shared, not crossed.
        expect(rowsFromMask(polygonToMask(contour, width, height))).toEqual(rowsFromMask(fillHoles(component)));
      });
    }
  });
});
