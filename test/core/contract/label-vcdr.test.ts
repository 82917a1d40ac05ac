import { describe, expect, it } from 'vitest';
import { labelVerticalCupToDiscRatio as verticalCupToDiscRatio, labelVerticalDiameters as verticalDiameters } from '../../../src-main/core/contract/label-map';
import { labelsFromText } from '../../renderer/editor/helpers';

describe('local vCDR by the REFUGE rule', () => {
  it('uses the largest per-column pixel count, not the bounding-box height', () => {
    // Disc pixels per column: 2, 5, 5, 3 -> 5 (column 1 has a gap at row 3 and still counts 5).
    // Cup: a diagonal of 3 pixels spans 3 rows but has at most 1 pixel per column -> 1.
    const { width, height, labels } = labelsFromText([
      '.r..',
      '.rr.',
      'rcrr',
      'r.cr',
      '.rrc',
      '.rr.',
    ]);
    expect(verticalDiameters(labels, width, height)).toEqual({ disc: 5, cup: 1 });
    expect(verticalCupToDiscRatio(labels, width, height)).toBeCloseTo(1 / 5, 12);
  });

  it('counts cup pixels as disc (the disc includes the cup)', () => {
    const { width, height, labels } = labelsFromText(['.c.', '.c.', '.r.', '...']);
    expect(verticalDiameters(labels, width, height)).toEqual({ disc: 3, cup: 2 });
    expect(verticalCupToDiscRatio(labels, width, height)).toBeCloseTo(2 / 3, 12);
  });

  it('has no ratio without a disc', () => {
    const { width, height, labels } = labelsFromText(['...']);
    expect(verticalCupToDiscRatio(labels, width, height)).toBeNull();
  });

  it('gives the same answer when the scan is limited to the labelled box', () => {
    const { width, height, labels } = labelsFromText(['.....', '..r..', '.rcr.', '..c..', '.....']);
    const whole = verticalDiameters(labels, width, height);
    expect(verticalDiameters(labels, width, height, { x0: 1, y0: 1, x1: 4, y1: 4 })).toEqual(whole);
    expect(whole).toEqual({ disc: 3, cup: 2 });
  });
});
