// The HTML report of a folder screening: one row per image with its overlay,
// vCDR, probabilities and decision (or why there is none: ungradable, outside
// the validated field of view); the operating point; problems listed; the
// model's decision rule and data card.
import path from 'node:path';
import type { BackendInfo } from '../backend';
import { describeBackend } from '../backend';
import type { DataProblem } from '../data/sample';
import { describeDecision, type ModelManifest } from '../model/package';
import { escapeHtml, fmt, NOT_FOR_CLINICAL_USE, page } from '../render/html';
import { describeOperatingPoint } from './screen-operating-point';
import type { ScreenedImage } from './types';

export function renderScreeningReport(input: {
  images: readonly ScreenedImage[];
  problems: readonly DataProblem[];
  model: ModelManifest;
  backend: BackendInfo;
  overlays: boolean;
  /** Set when the run stopped before the end: the report says it covers only part of the folder. */
  partial?: { readonly done: number; readonly total: number };
}): string {
  const { images, problems, model, backend, overlays, partial } = input;
  const screened = images.filter((i) => i.prediction);
  const suspects = screened.filter((i) => i.prediction!.glaucoma.decision === 'glaucoma');
  const undecided = screened.filter((i) => i.prediction!.glaucoma.decision === null);
  const ungradable = screened.filter((i) => i.prediction!.quality && !i.prediction!.quality.gradable);
  const rows = [...images]
    .sort((a, b) => (b.prediction?.glaucoma.probability ?? -1) - (a.prediction?.glaucoma.probability ?? -1))
    .map((i) => {
      const p = i.prediction;
      const decision = p?.glaucoma.decision;
      const withheld = p && decision === null && p.glaucoma.withheld ? p.glaucoma.withheld : null;
      const thumb = overlays && p ? `<a href="overlays/${encodeURIComponent(i.id)}.png"><img class="thumb" src="overlays/${encodeURIComponent(i.id)}.png" alt="overlay of ${escapeHtml(i.name)}"></a>` : '';
      return `<tr><td>${thumb}</td><td>${escapeHtml(i.name)}</td>
<td class="num">${fmt(p?.vcdr, 3)}</td><td class="num">${fmt(p?.glaucoma.probability, 3)}</td>
<td class="num">${fmt(p?.glaucoma.network, 3)}</td><td class="num">${fmt(p?.glaucoma.vcdrRegression, 3)}</td>
<td class="${decision ?? 'withheld'}">${decision ?? (withheld ? `no decision: ${escapeHtml(withheld)}` : '–')}</td><td class="num">${fmt(p?.uncertainty, 3)}</td>
<td class="problem">${escapeHtml(i.problem ?? p?.warnings.join('; ') ?? '')}</td></tr>`;
    })
    .join('\n');
  const problemList = problems.length
    ? `<h2>Files not screened (${problems.length})</h2><ul>${problems.map((p) => `<li><b>${escapeHtml(path.basename(p.file))}</b>: ${escapeHtml(p.problem)}</li>`).join('')}</ul>`
    : '';
  const partialNote = partial
    ? `<p class="note"><b>Partial run:</b> stopped after ${partial.done} of ${partial.total} images; run the same screen command with --resume to finish it.</p>\n`
    : '';
  const body = `<h1>Glaucoma screening</h1>
${partialNote}<p class="meta">${screened.length} of ${images.length} images screened, ${suspects.length} flagged as glaucoma suspects,
${undecided.length} without a decision (${ungradable.length} ungradable — retake; the others outside the field of view the decision was validated on).
Operating point: ${escapeHtml(describeOperatingPoint(screened[0]?.prediction?.glaucoma ?? null))}.
Model <b>${escapeHtml(model.name)}</b> (${escapeHtml(model.id)}), trained tasks: ${escapeHtml(model.trainedTasks.join(', '))}.
Backend: ${escapeHtml(describeBackend(backend))}.</p>
<p class="note">${escapeHtml(NOT_FOR_CLINICAL_USE)} Model data: ${escapeHtml(model.dataCard.source)} — ${escapeHtml(model.dataCard.intendedUse)}.</p>
${model.dataCard.notes ? `<p class="note">Known limitations of this model: ${escapeHtml(model.dataCard.notes)}</p>` : ''}
<h2>Decision rule</h2><pre class="rule">${escapeHtml(describeDecision(model.decision ?? null).join('\n'))}</pre>
<table><thead><tr><th>Overlay</th><th>File</th><th>vCDR</th><th>Glaucoma risk</th><th>Network</th><th>vCDR regression</th><th>Decision</th><th>Uncertainty</th><th>Notes</th></tr></thead>
<tbody>${rows}</tbody></table>
${problemList}`;
  return page('Glaucoma screening report', body);
}
