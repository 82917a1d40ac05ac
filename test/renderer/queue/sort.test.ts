import { describe, expect, it } from 'vitest';
import type { CaseSummary, ReviewStatus } from '../../../src-main/core/contract/contract';
import { defaultOrder, filterCases, sortCases } from '../../../src-renderer/src/queue/sort';

function summary(name: string, probability: number | null, vcdr: number | null, uncertainty: number | null, status: ReviewStatus = 'unreviewed', corrected: CaseSummary['corrected'] = null): CaseSummary {
  return {
    id: name,
    studyId: 's',
    name,
    file: `/x/${name}`,
    width: 10,
    height: 10,
    eye: 'unknown',
    patientId: null,
    status,
    problem: probability === null ? 'not screened' : null,
    prediction: probability === null ? null : { modelId: 'm', modelName: 'model m', fromActiveModel: true, probability, decision: probability >= 0.5 ? 'glaucoma' : 'normal', vcdr, uncertainty, threshold: 0.5, withheld: null, gradable: true },
    corrected,
    approval: null,
    sinceApproval: null,
    call: null,
    updatedAt: '2024-01-01T00:00:00Z',
  };
}

const cases = [
  summary('img10.jpg', 0.2, 0.4, 0.1, 'approved'),
  summary('img2.jpg', 0.9, 0.7, 0.05),
  summary('img1.jpg', 0.5, null, 0.3, 'corrected', { vcdr: 0.8, probability: 0.95, decision: 'glaucoma' }),
  summary('broken.png', null, null, null, 'ungradable'),
];
const names = (list: CaseSummary[]) => list.map((c) => c.name);

describe('review queue sorting', () => {
  it('sorts by glaucoma probability, the corrected one first where there is one, unscreened last', () => {
    expect(names(sortCases(cases, 'probability', 'desc'))).toEqual(['img1.jpg', 'img2.jpg', 'img10.jpg', 'broken.png']);
    expect(names(sortCases(cases, 'probability', 'asc'))).toEqual(['img10.jpg', 'img2.jpg', 'img1.jpg', 'broken.png']);
  });

  it('sorts by vCDR and by uncertainty with missing values last in both orders', () => {
    expect(names(sortCases(cases, 'vcdr', 'desc'))).toEqual(['img1.jpg', 'img2.jpg', 'img10.jpg', 'broken.png']);
    expect(names(sortCases(cases, 'uncertainty', 'desc'))).toEqual(['img1.jpg', 'img10.jpg', 'img2.jpg', 'broken.png']);
    expect(names(sortCases(cases, 'uncertainty', 'asc'))).toEqual(['img2.jpg', 'img10.jpg', 'img1.jpg', 'broken.png']);
  });

  it('sorts by status (work to do first) and by name in natural order', () => {
    expect(names(sortCases(cases, 'status', 'asc'))).toEqual(['img2.jpg', 'img1.jpg', 'img10.jpg', 'broken.png']);
    expect(names(sortCases(cases, 'name', 'asc'))).toEqual(['broken.png', 'img1.jpg', 'img2.jpg', 'img10.jpg']);
  });

  it('does not reorder its input', () => {
    const before = names(cases);
    sortCases(cases, 'name', 'desc');
    expect(names(cases)).toEqual(before);
  });

  it('filters by status and by problem', () => {
    expect(names(filterCases(cases, 'approved'))).toEqual(['img10.jpg']);
    expect(names(filterCases(cases, 'problems'))).toEqual(['broken.png']);
    expect(filterCases(cases, 'all')).toHaveLength(4);
  });

  it('starts risk columns largest first and names A to Z', () => {
    expect(defaultOrder('probability')).toBe('desc');
    expect(defaultOrder('name')).toBe('asc');
  });
});
