// The report of `evaluate`: the official metrics as a Markdown table and an
// HTML page with the per-image scores.
import path from 'node:path';
import { describeBackend, type BackendInfo } from '../backend';
import type { DataProblem } from '../data/sample';
import type { ModelManifest } from '../model/package';
import { escapeHtml, fmt, NOT_FOR_CLINICAL_USE, page } from '../render/html';
import type { Evaluation, EvaluationSummary } from './evaluate';
import { reliabilityMarkdown, reliabilitySvg, type ReliabilitySeries } from './reliability-report';
import { describeOperatingPoint } from './screen-operating-point';

export const METRIC_LABELS: ReadonlyArray<[keyof EvaluationSummary, string, number]> = [
  ['auc', 'AUC (network + vCDR regression)', 4],
  ['aucNetwork', 'AUC (network alone)', 4],
  ['aucVcdr', 'AUC (vCDR regression alone)', 4],
  ['sensitivityAt85', 'Sensitivity at 85 % specificity', 4],
  ['odDice', 'OD Dice', 4],
  ['ocDice', 'OC Dice', 4],
  ['vcdrMae', 'vCDR MAE', 4],
  ['foveaErrorPx', 'Fovea error (px, original)', 2],
];

export function renderEvaluationReport(input: {
  evaluation: Evaluation;
  problems: readonly DataProblem[];
  model: ModelManifest;
  data: string;
  backend: BackendInfo;
  /** How many of the scored images the model trained on (null: unknown on this machine). */
  seenInTraining?: number | null;
}): {
  markdown: string;
  html: string;
} {
  const { evaluation, problems, model, data, backend } = input;
  const s = evaluation.summary;
  const seen = trainingNote(input.seenInTraining, s.images);
  const op = model.decision?.operatingPoint;
  const operatingPoint = op
    ? `Operating point: ${describeOperatingPoint({ rule: model.decision!.id, ...op })}; expected sensitivity ${op.sensitivity.value.toFixed(2)}, specificity ${op.specificity.value.toFixed(2)}.`
    : `Operating point: ${describeOperatingPoint({ rule: 'paper', targetSpecificity: null })}.`;
  const scored = evaluation.images.filter((i) => i.glaucoma !== null && i.probability !== null);
  const calibration: ReliabilitySeries[] = [{ label: 'glaucoma probability', probabilities: scored.map((i) => i.probability!), labels: scored.map((i) => i.glaucoma!) }];
  const md = [
    `# Evaluation of ${model.name}`,
    '',
    `Model \`${model.id}\` on \`${data}\`: ${s.images} images. Backend: ${describeBackend(backend)}.`,
    '',
    operatingPoint,
    '',
    ...(seen ? [`**${seen}**`, ''] : []),
    '| Metric | Value |',
    '| --- | --- |',
    ...METRIC_LABELS.map(([k, label, d]) => `| ${label} | ${fmt(s[k] as number | null, d)} |`),
    '',
    reliabilityMarkdown(calibration),
    '',
    problems.length ? `Not scored: ${problems.length} file(s): ${problems.map((p) => `${path.basename(p.file)} (${p.problem})`).join('; ')}` : '',
    '',
  ].join('\n');
  const rows = evaluation.images
    .map(
      (i) => `<tr><td>${escapeHtml(path.basename(i.file))}</td><td>${i.glaucoma ?? '–'}</td><td class="num">${fmt(i.probability)}</td>
<td class="num">${fmt(i.odDice)}</td><td class="num">${fmt(i.ocDice)}</td><td class="num">${fmt(i.vcdr)}</td><td class="num">${fmt(i.vcdrTrue)}</td><td class="num">${fmt(i.foveaErrorPx, 1)}</td></tr>`,
    )
    .join('\n');
  const html = page(
    `Evaluation of ${model.name}`,
    `<h1>Evaluation of ${escapeHtml(model.name)}</h1>
<p class="meta">Model ${escapeHtml(model.id)} on ${escapeHtml(data)}: ${s.images} images. Backend: ${escapeHtml(describeBackend(backend))}.</p>
<p class="note">${escapeHtml(NOT_FOR_CLINICAL_USE)}</p>
<p class="meta">${escapeHtml(operatingPoint)}</p>
${seen ? `<p class="note">${escapeHtml(seen)}</p>\n` : ''}<table><tbody>${METRIC_LABELS.map(([k, label, d]) => `<tr><th>${escapeHtml(label)}</th><td class="num">${fmt(s[k] as number | null, d)}</td></tr>`).join('')}</tbody></table>
${reliabilitySvg(calibration)}
<h2>Per image</h2>
<table><thead><tr><th>File</th><th>Label</th><th>Risk</th><th>OD Dice</th><th>OC Dice</th><th>vCDR</th><th>vCDR (truth)</th><th>Fovea error</th></tr></thead><tbody>${rows}</tbody></table>
${problems.length ? `<h2>Not scored</h2><ul>${problems.map((p) => `<li>${escapeHtml(path.basename(p.file))}: ${escapeHtml(p.problem)}</li>`).join('')}</ul>` : ''}`,
  );
  return { markdown: md, html };
}

/** The warning an evaluation carries when it is not a held-out measurement, or says that it could not be checked. */
export function trainingNote(seenInTraining: number | null | undefined, images: number): string | null {
  if (seenInTraining === undefined) return null;
  if (seenInTraining === null) return 'Whether the model trained on these images could not be checked (its training data is not on this machine).';
  if (seenInTraining === 0) return null;
  return `The model trained on ${seenInTraining} of these ${images} images: for them these figures are training-set figures, not a held-out measurement.`;
}
