// One row per case of a study, for the clinic's records and its statistics:
// the vCDR and decision shown (the signed record for an approved case), the
// model's own output with the model that made it, the clinician's call and
// grade, who approved it and when, and the notes; the operating point of the
// signed decision (threshold, target specificity) and of the current one (with
// the sensitivity and specificity expected there). Every cell goes through
// csvField (quoted where needed, formula-like text made inert).
import fs from 'node:fs';
import path from 'node:path';
import type { CaseSummary } from '../contract/contract';
import { notFound } from '../contract/errors';
import { csvField } from '../data/csv';
import { writeFileAtomic } from '../fs/atomic';
import type { Store } from '../store/store';
import type { StudyRow } from '../store/studies';
import type { CaseSummaries } from './case-summaries';

export const CASES_CSV_COLUMNS = [
  'image', 'patient_id', 'eye', 'status',
  'vcdr', 'probability', 'decision', 'decision_model_id',
  'model_vcdr', 'model_probability', 'model_decision', 'model_id', 'model_name', 'model_is_active',
  'model_changed_since_approval', 'current_model_probability',
  'referral', 'referral_reason', 'grade', 'reviewer', 'approved_at', 'threshold', 'notes',
  'signed_target_specificity',
  'current_threshold', 'current_target_specificity', 'current_expected_sensitivity', 'current_expected_specificity',
] as const;

const round = (v: number | null | undefined, digits: number): number | null => (v === null || v === undefined ? null : Number(v.toFixed(digits)));

/** The row of one case, in CASES_CSV_COLUMNS order. */
export function caseCsvRow(c: CaseSummary): Array<string | number | null> {
  const a = c.approval;
  const shown = a ? { vcdr: a.vcdr, probability: a.probability, decision: a.decision, modelId: a.modelId } : c.corrected ? { ...c.corrected, modelId: c.prediction?.modelId ?? null } : c.prediction ? { ...c.prediction } : null;
  const p = c.prediction;
  const op = c.operatingPoint ?? null;
  return [
    c.name, c.patientId, c.eye, c.status,
    round(shown?.vcdr, 4), round(shown?.probability, 4), shown?.decision ?? null, shown?.modelId ?? null,
    round(p?.vcdr, 4), round(p?.probability, 4), p?.decision ?? null, p?.modelId ?? null, p?.modelName ?? null, p ? (p.fromActiveModel ? 'yes' : 'no') : null,
    a ? (c.sinceApproval ? 'yes' : 'no') : null, round(c.sinceApproval?.probability, 4),
    c.call?.referral ?? null, c.call?.referralReason ?? null, c.call?.grade ?? null, a?.reviewer ?? null, a?.at ?? null, round(a?.threshold, 4), c.call?.notes || null,
    round(a?.targetSpecificity, 4),
    round(op?.threshold, 4), round(op?.targetSpecificity, 4), round(op?.sensitivity?.value, 4), round(op?.specificity?.value, 4),
  ];
}

/** A study's cases as the queue shows them now, and a file stem from its name. */
export function studyCases(deps: { store: Store; summaries: CaseSummaries }, studyId: string): { study: StudyRow; cases: CaseSummary[]; stem: string } {
  const study = deps.store.studies.get(studyId);
  if (!study) throw notFound('study', studyId);
  const ctx = deps.summaries.context();
  const cases = deps.store.cases.listRows(studyId, ctx.activeId).map((r) => deps.summaries.summary(r, ctx));
  return { study, cases, stem: study.name.replace(/[\\/:*?"<>|]/g, '_').trim() || 'study' };
}

/** Writes `<folder>/<study name>-cases.csv` atomically; returns the file and the number of cases. */
export function exportCasesCsv(deps: { store: Store; summaries: CaseSummaries }, studyId: string, folder: string): { file: string; rows: number } {
  const { cases, stem } = studyCases(deps, studyId);
  const lines = [CASES_CSV_COLUMNS.join(','), ...cases.map((c) => caseCsvRow(c).map(csvField).join(','))];
  const out = path.resolve(folder);
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${stem}-cases.csv`);
  writeFileAtomic(file, `${lines.join('\r\n')}\r\n`);
  return { file, rows: cases.length };
}
