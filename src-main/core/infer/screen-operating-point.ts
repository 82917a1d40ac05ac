// The operating point of a screening in words, for the command line and the reports.

/** The operating point in words, for the command line and reports: "measurements rule, glaucoma at P >= 0.817 (fitted for 85 % specificity)". */
export function describeOperatingPoint(g: { readonly rule?: string | undefined; readonly threshold?: number | undefined; readonly targetSpecificity?: number | null | undefined } | null): string {
  if (!g) return 'no image screened';
  const threshold = (g.threshold ?? 0.5).toFixed(3);
  return g.targetSpecificity !== null && g.targetSpecificity !== undefined
    ? `${g.rule ?? 'paper'} rule, glaucoma at P >= ${threshold} (fitted for ${(100 * g.targetSpecificity).toFixed(0)} % specificity on cross-validated cases)`
    : `the paper's rule (mean of the network and the vCDR regression), glaucoma at P >= ${threshold}`;
}
