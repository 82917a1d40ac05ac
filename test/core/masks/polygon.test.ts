import { describe, expect, it } from 'vitest';
import { polygonToMask } from '../../../src-main/core/masks/polygon';
import { rowsFromMask } from './ascii-mask';

describe('polygonToMask', () => {
  it('fills the pixels whose centres lie inside a rectangle', () => {
    const square = [
      { x: 0.5, y: 0.5 },
      { x: 3.5, y: 0.5 },
      { x: 3.5, y: 2.5 },
      { x: 0.5, y: 2.5 },
    ];
    expect(rowsFromMask(polygonToMask(square, 5, 4))).toEqual(['.....', '.###.', '.###.', '.....']);
  });

  it('fills a right triangle by pixel centres (half-open on the right)', () => {
    // Vertices (0,0), (4,0), (0,4): centre (x, y) inside when x + y < 4 (x >= 0).
    const triangle = [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 0, y: 4 },
    ];
    expect(rowsFromMask(polygonToMask(triangle, 5, 5))).toEqual(['####.', '###..', '##...', '#....', '.....']);
  });

  it('uses the even-odd rule for a self-overlapping outline', () => {
    // An outline that winds twice around the 2x2 centre: the centre is crossed an
    // even number of times, so it is outside.
    const points = [
      { x: -0.5, y: -0.5 },
      { x: 2.5, y: -0.5 },
      { x: 2.5, y: 2.5 },
      { x: 0.5, y: 2.5 },
      { x: 0.5, y: 0.5 },
      { x: 3.5, y: 0.5 },
      { x: 3.5, y: 3.5 },
      { x: -0.5, y: 3.5 },
    ];
    expect(rowsFromMask(polygonToMask(points, 4, 4))).toEqual(['###.', '#..#', '#..#', '####']);
  });

  it('clips to the image and returns an empty mask for fewer than 3 points', () => {
    const big = [
      { x: -10, y: -10 },
      { x: 10, y: -10 },
      { x: 10, y: 10 },
      { x: -10, y: 10 },
    ];
    expect(rowsFromMask(polygonToMask(big, 2, 2))).toEqual(['##', '##']);
    expect(rowsFromMask(polygonToMask(big.slice(0, 2), 2, 2))).toEqual(['..', '..']);
  });
});
