// The study report: one self-contained HTML page listing every case of a
// study with what the model said (and which model), what the clinician
// signed and her own call (referral, grade, notes), patient by patient, and
// the operating point of every decision (the app's setting with what it is
// expected to achieve; each signed record's own). For the clinic's records;
// no script, no external file.
import type { CaseSummary, OperatingPointSetting, Referral } from '../contract/contract';
import { escapeHtml } from './case-report';

export interface StudyReportData {
  readonly studyName: string;
  readonly folder: string;
  readonly activeModel: { readonly id: string; readonly name: string; readonly limitations: string | null } | null;
  readonly cases: readonly CaseSummary[];
  /** The app's operating point and the active model's figures there. */
  readonly operatingPoint: Pick<OperatingPointSetting, 'targetSpecificity' | 'inUse' | 'unavailable' | 'packageDefault' | 'fieldOfView'>;
  readonly generatedAt: string;
  readonly appVersion: string;
}

const REFERRALS: Record<Referral, string> = { refer: 'Refer', 'no-referral': 'No referral', ungradable: 'Ungradable' };
const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(0)} %`);
const ratio = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(2));
const decision = (d: 'glaucoma' | 'normal' | null | undefined): string => (d === 'glaucoma' ? 'glaucoma suspect' : d === 'normal' ? 'normal' : 'no decision');
const eye = (e: CaseSummary['eye']): string => (e === 'right' ? 'OD' : e === 'left' ? 'OS' : '—');
const cell = (text: string): string => `<td>${escapeHtml(text)}</td>`;
const interval = (i: { value: number; low: number; high: number }): string => `${i.value.toFixed(2)} (95 % CI ${i.low.toFixed(2)}–${i.high.toFixed(2)})`;
/** " at P ≥ 0.853 (90 % specificity)": where a decision was made. */
const point = (threshold: number | null | undefined, targetSpecificity: number | null | undefined): string =>
  threshold === null || threshold === undefined ? '' : ` at P ≥ ${threshold.toFixed(3)}${targetSpecificity != null ? ` (${(targetSpecificity * 100).toFixed(0)} % specificity)` : " (the paper's rule)"}`;

/** The app's operating point in one paragraph (HTML-escaped). */
export function describeStudyOperatingPoint(op: StudyReportData['operatingPoint'], modelName: string | null): string {
  if (op.unavailable !== null) return escapeHtml(`Operating point: ${op.unavailable}.`);
  const setting = op.targetSpecificity === null ? `the model's default target specificity (${percent(op.packageDefault)})` : `target specificity ${percent(op.targetSpecificity)}`;
  const inUse = op.inUse
    ? ` — glaucoma at P ≥ ${op.inUse.threshold.toFixed(3)} for ${modelName ?? 'the active model'}; expected sensitivity ${interval(op.inUse.sensitivity)}, specificity ${interval(op.inUse.specificity)} on its cross-validated cases`
    : '';
  const field = op.fieldOfView
    ? ` It decides only where the disc spans ${percent(op.fieldOfView.low)} to ${percent(op.fieldOfView.high)} of the image's shorter side (${op.fieldOfView.evidence}); other photographs get no decision.`
    : '';
  return escapeHtml(`Operating point (app setting, every study): ${setting}${inUse}. Signed approvals keep the operating point they were signed at.${field}`);
}

function caseRow(c: CaseSummary): string {
  const p = c.prediction;
  const a = c.approval;
  const op = c.operatingPoint ?? null;
  const model = p ? `${percent(p.probability)} · vCDR ${ratio(p.vcdr)} · ${decision(p.decision)} (${p.modelName}, ${p.modelId}${p.fromActiveModel ? '' : ', older version'})${point(op?.threshold, op?.targetSpecificity)}` : 'not screened';
  const signed = a
    ? `${percent(a.probability)} · vCDR ${ratio(a.vcdr)} · ${decision(a.decision)} — ${a.reviewer}, ${a.at}; signed${point(a.threshold, a.targetSpecificity) || ' with no decision threshold'}${c.sinceApproval ? ` (model changed since approval: ${c.sinceApproval.modelName ?? c.sinceApproval.modelId ?? '?'} now ${percent(c.sinceApproval.probability)})` : ''}`
    : c.status;
  const call = c.call;
  const referral = call?.referral ? `${REFERRALS[call.referral]}${call.referralReason ? ` (${call.referralReason})` : ''}` : '—';
  return `<tr>${cell(c.patientId ?? '—')}${cell(eye(c.eye))}${cell(c.name)}${cell(model)}${cell(signed)}${cell(referral)}${cell(call?.grade ?? '—')}${cell(call?.notes || '—')}</tr>`;
}

export function renderStudyReport(d: StudyReportData): string {
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  // Patient by patient, both eyes together; cases without a patient id last.
  const ordered = [...d.cases].sort((x, y) => (x.patientId === null) !== (y.patientId === null) ? (x.patientId === null ? 1 : -1) : collator.compare(x.patientId ?? '', y.patientId ?? '') || collator.compare(x.name, y.name));
  const approved = d.cases.filter((c) => c.approval).length;
  const referred = d.cases.filter((c) => c.call?.referral === 'refer').length;
  const changed = d.cases.filter((c) => c.sinceApproval).length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`Glaucoma screening study report — ${d.studyName}`)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .warning { border: 2px solid #b35900; background: #fff4e5; padding: 8px 12px; margin: 12px 0; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px 4px 0; vertical-align: top; border-bottom: 1px solid #d0d7de; }
  th { font-weight: 600; color: #57606a; }
  footer { margin-top: 24px; color: #57606a; font-size: 12px; }
</style>
</head>
<body>
<h1>Glaucoma screening study report</h1>
<div>${escapeHtml(d.studyName)} · ${escapeHtml(d.folder)}</div>
<p class="warning">Research software — not for clinical use. Model results are not a diagnosis; the clinician's call and approval are recorded as made.</p>
<p>${d.cases.length} cases · ${approved} approved · ${referred} referred${changed ? ` · ${changed} approved with a model that has changed since` : ''}. Active model: ${d.activeModel ? escapeHtml(`${d.activeModel.name} (${d.activeModel.id})`) : 'none'}.</p>
<p data-operating-point>${describeStudyOperatingPoint(d.operatingPoint, d.activeModel?.name ?? null)}</p>
${d.activeModel?.limitations ? `<p><strong>Known limits of the active model:</strong> ${escapeHtml(d.activeModel.limitations)}</p>` : ''}
<table>
<thead><tr><th>Patient</th><th>Eye</th><th>Image</th><th>Model</th><th>Approved (signed)</th><th>Referral</th><th>Grade</th><th>Notes</th></tr></thead>
<tbody>
${ordered.map(caseRow).join('\n')}
</tbody>
</table>
<footer>Generated ${escapeHtml(d.generatedAt)} by Glaucoma Studio ${escapeHtml(d.appVersion)}.</footer>
</body>
</html>
`;
}
