// What `screen` prints when it is done, for a local run and one on a queue alike.
import type { ScreeningCounts } from '../../core/infer/screen-folder';

/** The one-line account of a screening, local or on a queue. */
export function screeningLine(counts: ScreeningCounts, unreadable: number, extra = ''): string {
  return (
    `screened ${counts.screened} image(s), ${counts.suspects} glaucoma suspect(s), ${counts.undecided} without a decision (ungradable or outside the validated field of view), ${unreadable} not readable${extra}; ` +
    `operating point: ${counts.operatingPoint}`
  );
}

export function resultsLine(out: string): string {
  return `results: ${out}/summary.csv, ${out}/report.html, ${out}/segmentation/, ${out}/classification_results.csv`;
}
