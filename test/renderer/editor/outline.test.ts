import { describe, expect, it } from 'vitest';
import { CUP_LABELS, DISC_LABELS, outlineSegments, paintLabelFill } from '../../../src-renderer/src/editor/outline';
import { labelsFromText } from './helpers';

function segments(s: Float32Array): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < s.length; k += 4) out.push([s[k]!, s[k + 1]!, s[k + 2]!, s[k + 3]!]);
  return out;
}

describe('outlines', () => {
  it('outlines a 2x1 block with 4 joined edges', () => {
    const { width, height, labels } = labelsFromText(['....', '.rr.', '....']);
    expect(segments(outlineSegments(labels, width, height, DISC_LABELS, { x0: 1, y0: 1, x1: 3, y1: 2 }))).toEqual([
      [1, 1, 3, 1],
      [1, 2, 3, 2],
      [1, 1, 1, 2],
      [3, 1, 3, 2],
    ]);
  });

  it('closes a structure at the image border and outlines the cup apart from the disc', () => {
    const { width, height, labels } = labelsFromText(['cr']);
    expect(segments(outlineSegments(labels, width, height, CUP_LABELS, { x0: 0, y0: 0, x1: 2, y1: 1 }))).toEqual([
      [0, 0, 1, 0],
      [0, 1, 1, 1],
      [0, 0, 0, 1],
      [1, 0, 1, 1],
    ]);
    expect(outlineSegments(labels, width, height, DISC_LABELS, null).length).toBe(0);
  });

  it('paints rim and cup colours and leaves background transparent', () => {
    const { width, labels } = labelsFromText(['.rc']);
    const rgba = new Uint8ClampedArray(12).fill(9);
    paintLabelFill(labels, width, { x0: 0, y0: 0, x1: 3, y1: 1 }, [1, 2, 3, 4], [5, 6, 7, 8], rgba);
    expect([...rgba]).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
