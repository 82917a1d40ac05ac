// The reliability (calibration) section of the evaluate and experiment reports:
// predicted probability against the observed share of glaucoma, in five bins,
// as a Markdown table and an SVG plot. A calibrated model's points lie on the
// diagonal; the Brier score and the expected calibration error sum it up.
import { reliability, type ReliabilityBin } from '../decision/statistics';
import { escapeHtml } from '../render/html';

export interface ReliabilitySeries {
  readonly label: string;
  readonly probabilities: readonly number[];
  readonly labels: readonly (0 | 1)[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function usable(series: readonly ReliabilitySeries[]): { label: string; bins: ReliabilityBin[]; brier: number; ece: number }[] {
  return series.filter((s) => s.probabilities.length > 0).map((s) => ({ label: s.label, ...reliability(s.probabilities, s.labels) }));
}

export function reliabilityMarkdown(series: readonly ReliabilitySeries[]): string {
  const rows = usable(series);
  if (rows.length === 0) return '';
  const lines = ['| series | bin | cases | mean predicted | observed glaucoma |', '| --- | --- | ---: | ---: | ---: |'];
  for (const r of rows) {
    for (const b of r.bins) lines.push(`| ${r.label} | ${b.low.toFixed(1)}-${b.high.toFixed(1)} | ${b.count} | ${b.predicted === null ? '–' : b.predicted.toFixed(3)} | ${b.observed === null ? '–' : b.observed.toFixed(3)} |`);
    lines.push(`| ${r.label} | Brier ${r.brier.toFixed(3)}, ECE ${r.ece.toFixed(3)} | | | |`);
  }
  return ['## Reliability (calibration)', '', ...lines].join('\n');
}

export function reliabilitySvg(series: readonly ReliabilitySeries[]): string {
  const rows = usable(series);
  if (rows.length === 0) return '';
  const size = 260;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = r.bins.filter((b) => b.predicted !== null && b.observed !== null);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((b) => `${(b.predicted! * size).toFixed(1)},${((1 - b.observed!) * size).toFixed(1)}`).join(' ')}"/>`);
    for (const b of points) parts.push(`<circle cx="${(b.predicted! * size).toFixed(1)}" cy="${((1 - b.observed!) * size).toFixed(1)}" r="${2 + Math.sqrt(b.count)}" fill="${colour}" fill-opacity="0.5"><title>${escapeHtml(`${r.label}: ${b.count} cases, predicted ${b.predicted!.toFixed(2)}, observed ${b.observed!.toFixed(2)}`)}</title></circle>`);
    parts.push(`<text x="4" y="${14 + 14 * i}" fill="${colour}" font-size="12">${escapeHtml(`${r.label} (Brier ${r.brier.toFixed(3)}, ECE ${r.ece.toFixed(3)})`)}</text>`);
  });
  return `<h2>Reliability (calibration)</h2><svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="Reliability plot" style="border:1px solid #ccd"><line x1="0" y1="${size}" x2="${size}" y2="0" stroke="#ccc" stroke-dasharray="4"/>${parts.join('')}</svg><p class="meta">Mean predicted probability →, observed share of glaucoma ↑, in five bins (dot area: cases). A calibrated model lies on the diagonal.</p>`;
}
