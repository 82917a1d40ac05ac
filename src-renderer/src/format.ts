// How numbers are shown to the reader. Kept in one place so the queue, the
// case panel and the training view agree.

export function formatProbability(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : `${(p * 100).toFixed(0)} %`;
}

export function formatRatio(r: number | null | undefined): string {
  return r === null || r === undefined ? '–' : r.toFixed(2);
}

export function formatNumber(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** An estimate with its 95 % interval: "0.50 (0.39–0.61)". */
export function formatInterval(i: { readonly value: number; readonly low: number; readonly high: number }): string {
  return `${i.value.toFixed(2)} (${i.low.toFixed(2)}–${i.high.toFixed(2)})`;
}

/** With a sign: "+0.012", "−0.009" (a real minus sign). */
export function formatSigned(v: number, digits = 3): string {
  const text = Math.abs(v).toFixed(digits);
  return v < 0 ? `−${text}` : `+${text}`;
}

/** "about 3 min", "45 s", "–" */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const METRIC_LABELS: Readonly<Record<string, string>> = {
  odDice: 'Disc Dice',
  ocDice: 'Cup Dice',
  vcdrMae: 'vCDR mean absolute error',
  vcdrError: 'vCDR error',
  auc: 'Glaucoma AUC',
  aucNetwork: 'Glaucoma AUC (network alone)',
  aucVcdr: 'Glaucoma AUC (vCDR alone)',
  sensitivity: 'Sensitivity at 85 % specificity',
  sensitivityAt85: 'Sensitivity at 85 % specificity',
  specificity: 'Specificity',
  foveaDistance: 'Fovea distance (px)',
  foveaErrorPx: 'Fovea error (px)',
  images: 'Images',
};

/**
 * Metric names as the reader knows them. An id nobody named is spelt out from
 * its camel case ("someScore" -> "Some score") rather than shown raw.
 */
export function metricLabel(key: string): string {
  const known = METRIC_LABELS[key];
  if (known) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[._-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const LOSS_LABELS: Readonly<Record<string, string>> = { od: 'Disc', oc: 'Cup', fovea: 'Fovea', glaucoma: 'Glaucoma', total: 'Total', distill: 'Distillation' };

/** A training loss's name: the task it trains ("od" -> "Disc"). */
export function lossLabel(key: string): string {
  return LOSS_LABELS[key] ?? metricLabel(key);
}

/**
 * A job's progress for a person: "12 / 40" when it counts items, a percentage
 * when it counts fractions of something (a fine-tune counts networks: 0.22 of 2).
 */
export function formatProgress(done: number, total: number): string {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) return '–';
  if (Number.isInteger(done) && Number.isInteger(total) && total > 2) return `${done} / ${total}`;
  return `${Math.floor((100 * Math.min(done, total)) / total)} %`;
}

/** Whether a larger value of the metric is better (losses, errors and distances are not). */
export function higherIsBetter(key: string): boolean {
  return !/(mae|loss|distance|error)/i.test(key);
}

/** The last part of a path, for either separator. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

/**
 * A per-file problem without the file's path when the message starts with it
 * ("/a/b/notes.txt: not an image" -> "not an image"): the file is shown beside it.
 */
export function problemWithoutPath(file: string, problem: string): string {
  const name = baseName(file);
  const m = /^(.*?): (.*)$/s.exec(problem);
  if (m && (m[1] === file || m[1]!.endsWith(`/${name}`) || m[1]!.endsWith(`\\${name}`) || m[1] === name)) return m[2]!;
  return problem;
}

/**
 * What an import did, with counts that add up: the unreadable images are among
 * the images imported (they are cases, shown as unreadable in the queue); the
 * skipped files are not (not images). "10 images imported, 3 of them
 * unreadable; 2 other files skipped"
 */
export function describeImport(images: number, problems: readonly { readonly kind: 'skipped' | 'unreadable' }[]): { readonly unreadable: number; readonly skipped: number; readonly text: string } {
  const unreadable = problems.filter((p) => p.kind === 'unreadable').length;
  const skipped = problems.length - unreadable;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let text = `${plural(images, 'image')} imported`;
  if (unreadable > 0) text += `, ${unreadable} of them unreadable`;
  if (skipped > 0) text += `; ${plural(skipped, 'other file')} skipped (not ${skipped === 1 ? 'an image' : 'images'})`;
  return { unreadable, skipped, text };
}

/** "3 Nov 2026, 14:05": a human date for a machine timestamp; "today, 14:05" for today. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return `today, ${time}`;
  return formatDateTime(iso);
}
