import { METRIC_LABELS } from '../../core/infer/evaluation-report';
import type { EvaluationSummary } from '../../core/infer/evaluate';
import type { ValidationRecord } from '../../core/model/package';

const fmt = (v: number | null | undefined, d: number): string => (v === null || v === undefined ? '–' : v.toFixed(d));

export function printValidation(v: ValidationRecord): void {
  process.stdout.write(`${v.note}:\n`);
  for (const [key, label, digits] of METRIC_LABELS) {
    const m = v.metrics[key];
    if (m === undefined || m === null) continue;
    const sd = v.sd?.[key];
    process.stdout.write(`  ${label.padEnd(34)} ${fmt(m, digits)}${sd !== undefined && sd !== null ? ` ± ${fmt(sd, digits)}` : ''}\n`);
  }
}

export function printSummary(s: EvaluationSummary): void {
  for (const [key, label, digits] of METRIC_LABELS) {
    const v = s[key] as number | null;
    if (v !== null) process.stdout.write(`  ${label.padEnd(34)} ${fmt(v, digits)}\n`);
  }
}
