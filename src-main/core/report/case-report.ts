// The per-eye report: one self-contained HTML page (the photograph with the
// disc, cup and fovea drawn on it embedded as a PNG data URL; no external
// file, script or font) that can be archived, mailed or printed to PDF. It
// states the model's findings and the expert's, who reviewed the case, which
// model version produced the result, what the clinician signed and her own
// call, and that this is not a clinical device.
import type { ApprovalDto, ClinicianCallDto } from '../contract/contract';

export interface ReportFindings {
  readonly vcdr: number | null;
  readonly probability: number | null;
  readonly decision: 'glaucoma' | 'normal' | null;
}

export interface CaseReportData {
  readonly caseName: string;
  readonly file: string;
  readonly studyName: string;
  readonly eye: 'left' | 'right' | 'unknown';
  readonly patientId: string | null;
  readonly width: number | null;
  readonly height: number | null;
  /** PNG bytes of the photograph with the overlay, already shrunk for the page. */
  readonly overlayPng: Uint8Array;
  /** Which outlines the picture shows. */
  readonly overlaySource: 'expert' | 'model' | 'none';
  readonly model: {
    readonly versionName: string;
    readonly versionId: string;
    readonly findings: ReportFindings & { readonly network: number | null; readonly vcdrRegression: number | null; readonly uncertainty: number | null };
    readonly warnings: readonly string[];
    readonly intendedUse: string;
    readonly dataSource: string;
    /** The model's known limitations (its data card's notes), when it states any. */
    readonly limitations?: string;
  } | null;
  readonly expert: (ReportFindings & { readonly revision: number; readonly author: string; readonly at: string }) | null;
  readonly review: { readonly status: string; readonly by: string | null; readonly at: string | null; readonly reason: string | null };
  /** The signed record of an approved case (absent or null when not approved). */
  readonly approval?: ApprovalDto | null;
  /** The clinician's own call (absent or null when she has made none). */
  readonly call?: ClinicianCallDto | null;
  readonly generatedAt: string;
  readonly appVersion: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ratio = (v: number | null): string => (v === null ? '—' : v.toFixed(2));
const percent = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const decision = (d: ReportFindings['decision']): string => (d === null ? 'no decision' : d === 'glaucoma' ? 'Suspected glaucoma — refer' : 'No glaucoma suspected');
const REFERRALS: Record<NonNullable<ClinicianCallDto['referral']>, string> = { refer: 'Refer', 'no-referral': 'No referral', ungradable: 'Ungradable' };

function clinicianRows(d: CaseReportData): string {
  const a = d.approval;
  const c = d.call;
  const rows = [
    ...(c
      ? [
          row('Referral', c.referral ? `${REFERRALS[c.referral]}${c.referralReason ? ` (${c.referralReason})` : ''}` : 'not decided'),
          row('Glaucoma grade', c.grade ?? 'not graded'),
          ...(c.notes ? [row('Notes', c.notes)] : []),
        ]
      : [row('Referral', 'not decided')]),
    ...(a
      ? [
          row('Approved', `by ${a.reviewer}, ${a.at}`),
          row('Signed assessment', `${percent(a.probability)} · vCDR ${ratio(a.vcdr)} · ${decision(a.decision)}`),
          row('By model', a.modelId ? `${a.modelName ?? a.modelId} (${a.modelId})${a.threshold !== null ? `, glaucoma at P ≥ ${a.threshold.toFixed(2)}` : ''}` : 'none'),
        ]
      : []),
  ];
  return rows.join('');
}

const eyeName = (e: CaseReportData['eye']): string => (e === 'left' ? 'Left eye (OS)' : e === 'right' ? 'Right eye (OD)' : 'Eye not recorded');

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
}

export function renderCaseReport(d: CaseReportData): string {
  const final = d.expert ?? d.model?.findings ?? null;
  const finalDecision = final ? decision(final.decision) : 'Not screened';
  const picture =
    d.overlaySource === 'none'
      ? 'Photograph (not screened: no outlines)'
      : `Photograph with the ${d.overlaySource === 'expert' ? "expert's" : "model's"} outlines: optic disc green, optic cup blue, fovea yellow`;
  const modelRows = d.model
    ? [
        row('Model version', `${d.model.versionName} (${d.model.versionId})`),
        row('Vertical cup-to-disc ratio', ratio(d.model.findings.vcdr)),
        row('Glaucoma probability', percent(d.model.findings.probability)),
        row('— from the network', percent(d.model.findings.network)),
        row('— from the vCDR regression', percent(d.model.findings.vcdrRegression)),
        row('Decision', decision(d.model.findings.decision)),
        row('Uncertainty (test-time augmentation)', d.model.findings.uncertainty === null ? '—' : d.model.findings.uncertainty.toFixed(3)),
        ...(d.model.warnings.length ? [row('Warnings', d.model.warnings.join('; '))] : []),
      ].join('')
    : row('Model', 'This image has not been screened.');
  const expertRows = d.expert
    ? [
        row('Vertical cup-to-disc ratio', ratio(d.expert.vcdr)),
        row('Glaucoma probability', percent(d.expert.probability)),
        row('Decision', decision(d.expert.decision)),
        row('Annotation', `revision ${d.expert.revision} by ${d.expert.author}, ${d.expert.at}`),
      ].join('')
    : row('Expert', 'No correction: the model\u2019s outlines were not edited.');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(`Glaucoma screening report — ${d.caseName}`)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; margin: 24px auto; max-width: 880px; padding: 0 16px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 15px; margin: 20px 0 6px; border-bottom: 1px solid #d0d7de; padding-bottom: 2px; }
  .warning { border: 2px solid #b35900; background: #fff4e5; padding: 8px 12px; margin: 12px 0; font-weight: 600; }
  .decision { font-size: 18px; font-weight: 700; margin: 8px 0; }
  figure { margin: 12px 0; } figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
  figcaption { color: #57606a; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 3px 8px 3px 0; vertical-align: top; }
  th { font-weight: 500; color: #57606a; width: 40%; }
  footer { margin-top: 24px; color: #57606a; font-size: 12px; }
  @media print { body { margin: 0; } .warning { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Glaucoma screening report</h1>
<div>${escapeHtml(d.caseName)} · ${escapeHtml(eyeName(d.eye))}${d.patientId ? ` · patient ${escapeHtml(d.patientId)}` : ''}</div>
<p class="warning">Research software — not for clinical use. These results come from an automated model and an optional expert review; they are not a diagnosis.</p>
<p class="decision">${escapeHtml(finalDecision)}${d.expert ? ' (after expert correction)' : ''}</p>
<figure><img alt="${escapeHtml(picture)}" src="data:image/png;base64,${base64(d.overlayPng)}"><figcaption>${escapeHtml(picture)}</figcaption></figure>
<h2>Model</h2>
<table>${modelRows}</table>
<h2>Expert</h2>
<table>${expertRows}</table>
<h2>Clinician</h2>
<table>${clinicianRows(d)}</table>
<h2>Review</h2>
<table>${row('Status', d.review.status)}${row('Reviewed by', d.review.by ? `${d.review.by}${d.review.at ? `, ${d.review.at}` : ''}` : 'not reviewed')}${d.review.reason ? row('Reason', d.review.reason) : ''}</table>
<h2>Image</h2>
<table>${row('Study', d.studyName)}${row('File', d.file)}${row('Size', d.width && d.height ? `${d.width} × ${d.height} px` : 'unknown')}${row('Eye', eyeName(d.eye))}${row('Patient', d.patientId ?? 'not recorded')}</table>
${d.model ? `<h2>About the model</h2><table>${row('Intended use', d.model.intendedUse)}${row('Trained on', d.model.dataSource)}${d.model.limitations ? row('Known limitations', d.model.limitations) : ''}</table>` : ''}
<footer>Generated ${escapeHtml(d.generatedAt)} by Glaucoma Studio ${escapeHtml(d.appVersion)}. vCDR by the REFUGE rule (vertical diameters as the largest number of mask pixels in one image column); probability = mean of the network's score and the vCDR regression's; decision at 50 %.</footer>
</body>
</html>
`;
}
