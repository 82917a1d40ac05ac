import { describe, expect, it } from 'vitest';
import { fillHoles, labelComponents, largestComponent } from '../../../src-main/core/masks/components';
import { maskFromRows, rowsFromMask } from './ascii-mask';

describe('largestComponent', () => {
  it('keeps the larger of two components', () => {
    const mask = maskFromRows([
      '##....', //
      '##....',
      '......',
      '...###',
      '...###',
    ]);
    expect(rowsFromMask(largestComponent(mask))).toEqual(['......', '......', '......', '...###', '...###']);
  });

  it('breaks a tie in favour of the component found first in raster order', () => {
    const mask = maskFromRows([
      '...##', //
      '.....',
      '##...',
    ]);
    expect(rowsFromMask(largestComponent(mask))).toEqual(['...##', '.....', '.....']);
  });

  it('joins diagonal neighbours with 8-connectivity but not with 4', () => {
    const mask = maskFromRows([
      '#....', //
      '.#...',
      '..#..',
      '...##',
    ]);
    // 8-connected: one component of 5 pixels. 4-connected: the 2-pixel tail wins.
    expect(rowsFromMask(largestComponent(mask, 8))).toEqual(rowsFromMask(mask));
    expect(rowsFromMask(largestComponent(mask, 4))).toEqual(['.....', '.....', '.....', '...##']);
  });

  it('returns an empty mask for an empty mask', () => {
    const out = largestComponent(maskFromRows(['...', '...']));
    expect(out.width).toBe(3);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('handles a large mask without recursion', () => {
    const width = 1500;
    const height = 1500;
    const data = new Uint8Array(width * height);
    // A serpentine path: worst case for recursive flood fill.
    for (let y = 0; y < height; y += 2) {
      data.fill(1, y * width, (y + 1) * width);
      if (y + 1 < height) data[(y + 1) * width + ((y / 2) % 2 === 0 ? width - 1 : 0)] = 1;
    }
    const labels = labelComponents({ width, height, data });
    expect(labels.count).toBe(1);
    // 750 full rows and 750 one-pixel links (the last one a dead end).
    expect(labels.sizes[1]).toBe(750 * width + 750);
  });
});

describe('labelComponents', () => {
  it('numbers components in raster order with sizes and first pixels', () => {
    const mask = maskFromRows([
      '..#', //
      '#.#',
      '#..',
    ]);
    const c = labelComponents(mask, 4);
    expect(c.count).toBe(2);
    expect(c.sizes.slice(1)).toEqual([2, 2]);
    expect(c.firstPixel.slice(1)).toEqual([2, 3]);
    expect(Array.from(c.labels)).toEqual([0, 0, 1, 2, 0, 1, 2, 0, 0]);
  });
});

describe('fillHoles', () => {
  it('fills background enclosed by the mask and leaves background reaching the border', () => {
    const mask = maskFromRows([
      '#####.', //
      '#..#..',
      '#####.',
      '...#.#',
      '...###',
    ]);
    // The 2-pixel hole and the single pixel at (4,3) are enclosed; (4,1) reaches
    // the border through (5,1), so it stays background.
    expect(rowsFromMask(fillHoles(mask))).toEqual(['#####.', '####..', '#####.', '...###', '...###']);
  });

  it('treats a hole closed only diagonally as a hole (background is 4-connected)', () => {
    const mask = maskFromRows([
      '.#.', //
      '#.#',
      '.#.',
    ]);
    expect(rowsFromMask(fillHoles(mask))).toEqual(['.#.', '###', '.#.']);
  });

  it('leaves a mask without holes unchanged', () => {
    const rows = ['.##.', '.##.', '....'];
    expect(rowsFromMask(fillHoles(maskFromRows(rows)))).toEqual(rows);
  });
});
