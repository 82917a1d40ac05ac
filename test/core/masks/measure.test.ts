import { describe, expect, it } from 'vitest';
import {
  area,
  boundingBox,
  centreOfMass,
  constrainCupInsideDisc,
  verticalCupToDiscRatio,
  verticalDiameter,
} from '../../../src-main/core/masks/measure';
import { maskFromRows, rowsFromMask } from './ascii-mask';

// One 8-connected shape, 5 wide and 6 tall. Column counts 0, 2, 2, 3, 0, so the
// REFUGE vertical diameter is 3 while the bounding box is 5 rows tall.
const slanted = maskFromRows([
  '..#..', //
  '.##..',
  '.#.#.',
  '...#.',
  '...#.',
  '.....',
]);

describe('verticalDiameter', () => {
  it('is the most mask pixels in one column, not the bounding-box height', () => {
    expect(verticalDiameter(slanted)).toBe(3);
    const box = boundingBox(slanted)!;
    expect(box.y1 - box.y0).toBe(5);
  });

  it('is 0 for an empty mask', () => {
    expect(verticalDiameter(maskFromRows(['...', '...']))).toBe(0);
  });
});

describe('verticalCupToDiscRatio', () => {
  it('divides the two vertical diameters', () => {
    const disc = maskFromRows([
      '.##.', //
      '####',
      '####',
      '####',
      '.##.',
    ]);
    const cup = maskFromRows([
      '....', //
      '.#..',
      '.##.',
      '....',
      '....',
    ]);
    // cup columns 0,2,1,0 -> 2; disc columns 3,5,5,3 -> 5
    expect(verticalCupToDiscRatio(disc, cup)).toBeCloseTo(0.4, 12);
  });

  it('is null without a disc', () => {
    const empty = maskFromRows(['...']);
    expect(verticalCupToDiscRatio(empty, empty)).toBeNull();
  });

  it('rejects masks of different sizes', () => {
    expect(() => verticalCupToDiscRatio(maskFromRows(['#.']), maskFromRows(['#']))).toThrow(/sizes differ/);
  });
});

describe('boundingBox and area', () => {
  it('gives an exclusive box and the pixel count', () => {
    expect(boundingBox(slanted)).toEqual({ x0: 1, y0: 0, x1: 4, y1: 5 });
    expect(area(slanted)).toBe(7);
  });

  it('matches a plain scan on larger masks, aligned or not, with pixels at the very ends', () => {
    const bruteForce = (width: number, height: number, data: Uint8Array) => {
      let x0 = width;
      let y0 = height;
      let x1 = 0;
      let y1 = 0;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          if (data[y * width + x]) {
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x + 1);
            y1 = Math.max(y1, y + 1);
          }
      return x1 === 0 ? null : { x0, y0, x1, y1 };
    };
    const width = 37;
    const height = 23;
    const backing = new Uint8Array(width * height + 3);
    for (const offset of [0, 1, 3]) {
      const data = backing.subarray(offset, offset + width * height);
      for (const pixels of [[0], [width * height - 1], [5 * width + 30, 17 * width + 2], [width + 3, 2 * width + 3, 22 * width + 36], []]) {
        data.fill(0);
        for (const p of pixels) data[p] = 1;
        expect(boundingBox({ width, height, data })).toEqual(bruteForce(width, height, data));
      }
    }
  });

  it('is null for an empty mask', () => {
    expect(boundingBox(maskFromRows(['..', '..']))).toBeNull();
    expect(area(maskFromRows(['..']))).toBe(0);
  });
});

describe('centreOfMass', () => {
  it('weights pixel centres by value and clamps negatives', () => {
    // Weights 1 at (0,0) and 3 at (2,1): centre (1.5, 0.75). The -5 is ignored.
    const map = { width: 3, height: 2, data: new Float32Array([1, 0, -5, 0, 0, 3]) };
    const c = centreOfMass(map)!;
    expect(c.x).toBeCloseTo(1.5, 12);
    expect(c.y).toBeCloseTo(0.75, 12);
  });

  it('keeps negatives when asked', () => {
    // Weights 1 at x=0, -5 at x=2, 3 at x=2 (row 1): total -1, sum x = -10 + 6 = -4 -> x = 4.
    const map = { width: 3, height: 2, data: new Float32Array([1, 0, -5, 0, 0, 3]) };
    const c = centreOfMass(map, false)!;
    expect(c.x).toBeCloseTo(4, 12);
    expect(c.y).toBeCloseTo(-3, 12);
  });

  it('is null for an all-zero (or all-negative) map', () => {
    expect(centreOfMass({ width: 2, height: 1, data: new Float32Array([0, -1]) })).toBeNull();
  });
});

describe('constrainCupInsideDisc', () => {
  it('removes cup pixels outside the disc', () => {
    const od = maskFromRows(['.##.', '.##.']);
    const oc = maskFromRows(['..##', '....']);
    expect(rowsFromMask(constrainCupInsideDisc(od, oc))).toEqual(['..#.', '....']);
  });
});
