import { describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../../src-main/core/contract/contract';
import { currentProbability, sortCases } from '../../../src-renderer/src/queue/sort';
import { caseIsBorderline, groupByPatient, isBorderline, shownAssessment } from '../../../src-renderer/src/review/assessment';

function summary(name: string, overrides: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: name, studyId: 's', name, file: `/x/${name}`, width: 10, height: 10, eye: 'unknown', patientId: null, status: 'unreviewed', problem: null,
    prediction: { modelId: 'm2', modelName: 'fine-tuned', fromActiveModel: true, probability: 0.38, decision: 'normal', vcdr: 0.5, uncertainty: 0.1, threshold: 0.5, withheld: null, gradable: true },
    corrected: null, approval: null, sinceApproval: null, call: null, updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

const signed = {
  reviewer: 'dr a', at: '2026-01-01T00:00:00Z', revision: 1, modelId: 'm1', modelName: 'default', probability: 0.68, decision: 'glaucoma' as const, vcdr: 0.71,
  threshold: 0.5, rule: 'paper', targetSpecificity: null, uncertainty: 0.1, modelProbability: 0.68, modelVcdr: 0.71, referral: null, grade: null,
};

describe('the assessment a case shows', () => {
  it('is the signed record of an approved case, whatever the active model says now', () => {
    const approved = summary('g0001.jpg', { status: 'approved', approval: signed, corrected: { vcdr: 0.7, probability: 0.38, decision: 'normal' }, sinceApproval: { modelId: 'm2', modelName: 'fine-tuned', probability: 0.38, decision: 'normal', vcdr: 0.7 } });
    expect(shownAssessment(approved)).toEqual({ probability: 0.68, decision: 'glaucoma', vcdr: 0.71, modelId: 'm1', modelName: 'default', source: 'approved' });
    expect(currentProbability(approved)).toBe(0.68);
    // The queue sorts by what it shows: the approved case's 68 % ranks above a 50 % case.
    expect(sortCases([summary('other.jpg', { prediction: { ...summary('x').prediction!, probability: 0.5 } }), approved], 'probability', 'desc').map((c) => c.name)).toEqual(['g0001.jpg', 'other.jpg']);
  });

  it('is the correction (by the active model) or the prediction, with the model that made it', () => {
    expect(shownAssessment(summary('a'))).toMatchObject({ probability: 0.38, modelId: 'm2', modelName: 'fine-tuned', source: 'model' });
    expect(shownAssessment(summary('b', { corrected: { vcdr: 0.8, probability: 0.9, decision: 'glaucoma' } }))).toMatchObject({ probability: 0.9, modelId: 'm2', source: 'corrected' });
    const older = summary('c', { prediction: { ...summary('x').prediction!, fromActiveModel: false }, corrected: { vcdr: 0.8, probability: 0.9, decision: 'glaucoma' } });
    expect(shownAssessment(older)).toMatchObject({ modelId: null, source: 'corrected' });
    expect(shownAssessment(summary('d', { prediction: null }))).toMatchObject({ probability: null, source: 'none' });
  });

  it('calls a probability within 5 points of the threshold borderline', () => {
    expect(isBorderline(0.52, 0.5)).toBe(true);
    expect(isBorderline(0.45, 0.5)).toBe(true);
    expect(isBorderline(0.44, 0.5)).toBe(false);
    expect(isBorderline(0.61, 0.62)).toBe(true);
    expect(isBorderline(null, 0.5)).toBe(false);
    expect(isBorderline(0.5, null)).toBe(false);
    // A case is read against its own threshold: the signed one when approved.
    expect(caseIsBorderline(summary('e', { prediction: { ...summary('x').prediction!, probability: 0.64, threshold: 0.62 } }))).toBe(true);
    expect(caseIsBorderline(summary('f', { prediction: { ...summary('x').prediction!, probability: 0.64, threshold: 0.5 } }))).toBe(false);
    expect(caseIsBorderline(summary('g', { status: 'approved', approval: { ...signed, probability: 0.52, threshold: 0.5 } }))).toBe(true);
  });

  it('pairs both eyes of a patient', () => {
    const groups = groupByPatient([
      summary('P10_OD.jpg', { patientId: 'P10', eye: 'right' }),
      summary('P2_OS.jpg', { patientId: 'P2', eye: 'left' }),
      summary('P2_OD.jpg', { patientId: 'P2', eye: 'right' }),
      summary('x.jpg'),
    ]);
    expect(groups.map((g) => [g.patientId, g.right.map((c) => c.name), g.left.map((c) => c.name)])).toEqual([
      ['P2', ['P2_OD.jpg'], ['P2_OS.jpg']],
      ['P10', ['P10_OD.jpg'], []],
    ]);
  });
});
