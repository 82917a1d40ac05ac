// Small helpers for the self-contained HTML reports (screening, evaluation,
// experiment). Everything user-provided is escaped.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const REPORT_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2430;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.note{color:#8a2b0a;background:#fff4ec;border:1px solid #f0c9ac;padding:8px 12px;border-radius:6px;margin:12px 0}
.meta{color:#556;margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #e3e6ea;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f5f7f9;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.glaucoma{color:#b3261e;font-weight:600}.normal{color:#1e6b3a}.problem{color:#8a2b0a}
img.thumb{width:160px;height:auto;border-radius:4px;display:block}
.grid{display:flex;flex-wrap:wrap;gap:16px}.card{width:300px}.card img{width:300px;border-radius:4px}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${REPORT_STYLE}</style></head>
<body>${body}</body></html>
`;
}

export function fmt(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export const NOT_FOR_CLINICAL_USE =
  'Research software. Not a medical device and not for clinical use: every result must be reviewed by a qualified clinician.';
