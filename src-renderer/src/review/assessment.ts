// What the reader is shown as a case's assessment, and how to word it. An
// approved case shows the record its reviewer signed, whatever model is
// active now; otherwise the expert's corrected assessment, else the model's.
// Each value carries the model that made it, so no number is shown without
// its provenance. Pure functions: the queue, the case panel and the patient
// view use the same ones.
import type { CaseSummary, Grade, Referral } from '../../../src-main/core/contract/contract';

export interface ShownAssessment {
  readonly probability: number | null;
  readonly decision: 'glaucoma' | 'normal' | null;
  readonly vcdr: number | null;
  /** Which model made it (its decision rule for a corrected case); null when none has. */
  readonly modelId: string | null;
  readonly modelName: string | null;
  /** Where it comes from: the signed record, the expert's correction, or the model's prediction. */
  readonly source: 'approved' | 'corrected' | 'model' | 'none';
}

/** How close to the threshold a probability is called borderline (both sides). */
export const BORDERLINE_MARGIN = 0.05;

export function shownAssessment(c: CaseSummary): ShownAssessment {
  const a = c.approval;
  if (a) return { probability: a.probability, decision: a.decision, vcdr: a.vcdr, modelId: a.modelId, modelName: a.modelName, source: 'approved' };
  const p = c.prediction;
  if (c.corrected) {
    // The corrected assessment is made with the active model's rule; the prediction's model is the closest name the summary has when it is the active one.
    const model = p?.fromActiveModel ? { modelId: p.modelId, modelName: p.modelName } : { modelId: null, modelName: null };
    // As the queue always did: a value the correction lacks (no disc drawn yet) is the model's.
    return {
      probability: c.corrected.probability ?? p?.probability ?? null,
      decision: c.corrected.decision ?? p?.decision ?? null,
      vcdr: c.corrected.vcdr ?? p?.vcdr ?? null,
      ...model,
      source: 'corrected',
    };
  }
  if (p) return { probability: p.probability, decision: p.decision, vcdr: p.vcdr, modelId: p.modelId, modelName: p.modelName, source: 'model' };
  return { probability: null, decision: null, vcdr: null, modelId: null, modelName: null, source: 'none' };
}

/** Whether a probability lies within BORDERLINE_MARGIN of the threshold: the decision could go either way. */
export function isBorderline(probability: number | null | undefined, threshold: number | null | undefined, margin = BORDERLINE_MARGIN): boolean {
  if (probability === null || probability === undefined || threshold === null || threshold === undefined) return false;
  return Math.abs(probability - threshold) <= margin;
}

/** The threshold a case's shown decision is read against: the signed one, else the prediction's (0.5 for older results). */
export function shownThreshold(c: CaseSummary): number {
  return c.approval?.threshold ?? c.prediction?.threshold ?? 0.5;
}

/** Whether the case's shown probability is borderline at its threshold. */
export function caseIsBorderline(c: CaseSummary): boolean {
  return isBorderline(shownAssessment(c).probability, shownThreshold(c));
}

/** "model Default model (bundled-default)" or "no model". */
export function describeModel(modelName: string | null, modelId: string | null): string {
  if (modelId === null) return 'no model';
  return modelName && modelName !== modelId ? `${modelName} (${modelId})` : modelId;
}

export const REFERRAL_LABELS: Readonly<Record<Referral, string>> = { refer: 'Refer', 'no-referral': 'No referral', ungradable: 'Ungradable' };
export const GRADE_LABELS: Readonly<Record<Grade, string>> = { glaucoma: 'Glaucoma', normal: 'Normal', suspect: 'Suspect' };

/** Keyboard shortcuts of the expert's grade in the case view (free of the editor's b e p l f d c a u). */
export const GRADE_KEYS: Readonly<Record<string, Grade>> = { g: 'glaucoma', n: 'normal', s: 'suspect' };

export interface PatientEyes {
  readonly patientId: string;
  readonly right: CaseSummary[];
  readonly left: CaseSummary[];
  readonly unknown: CaseSummary[];
}

/**
 * Cases grouped by patient, both eyes side by side; cases without a patient
 * id are left out (the caller lists them as such). Patients in natural id order.
 */
export function groupByPatient(cases: readonly CaseSummary[]): PatientEyes[] {
  const byPatient = new Map<string, { right: CaseSummary[]; left: CaseSummary[]; unknown: CaseSummary[] }>();
  for (const c of cases) {
    if (!c.patientId) continue;
    let group = byPatient.get(c.patientId);
    if (!group) byPatient.set(c.patientId, (group = { right: [], left: [], unknown: [] }));
    group[c.eye === 'right' ? 'right' : c.eye === 'left' ? 'left' : 'unknown'].push(c);
  }
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...byPatient.entries()].sort(([a], [b]) => collator.compare(a, b)).map(([patientId, eyes]) => ({ patientId, ...eyes }));
}
