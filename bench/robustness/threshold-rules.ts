// The two threshold rules of the operating point side by side (core/decision/operating-point.ts): for each
// cross-validated run, its decision rule is fitted as `fit-decision --scores RUN` fits it, and the threshold for the
// target specificity is set from its out-of-fold probabilities by the plain rule ('lowest-passing') and by the
// Harrell-Davis quantile of the normal eyes' probabilities. Printed: the threshold and the sensitivity and
// specificity counted there; then, over bootstrap resamples of the cases (each class resampled apart), the mean and
// sd of the sensitivity and specificity that the resample's threshold gives on all the cases: how much the expected
// figures a package states depend on which eyes happened to be in its evidence.
//   npx tsx bench/robustness/threshold-rules.ts --scores RUN[,RUN...] [--specificity 0.85] [--resamples 1000]
import path from 'node:path';
import { listOf } from '../../src-main/cli/args';
import { THRESHOLD_RULES } from '../../src-main/core/types';
import { casesOfRoc, operatingPointFor, rocCounts } from '../../src-main/core/decision/operating-point';
import { mean, sampleSd } from '../../src-main/core/metrics';
import { createRng } from '../../src-main/core/random';
import { fitDecisionFromScores, readScoreFiles } from '../../src-main/core/train/fit-decision';
import { optionalArg as arg } from './args';

const runs = listOf(arg('scores') ?? '');
if (runs.length === 0) throw new Error('usage: threshold-rules.ts --scores RUN[,RUN...] [--specificity 0.85] [--resamples 1000]');
const target = Number(arg('specificity') ?? 0.85);
const resamples = Number(arg('resamples') ?? 1000);

const rows: string[] = [];
for (const run of runs) {
  const decision = fitDecisionFromScores(readScoreFiles([run]), run, () => undefined);
  if (!decision) throw new Error(`${run}: no decision model could be fitted`);
  const cases = casesOfRoc(decision.roc);
  const positives = cases.filter((c) => c.label === 1);
  const negatives = cases.filter((c) => c.label === 0);
  const countAt = (threshold: number): { sensitivity: number; specificity: number } => ({
    sensitivity: positives.filter((c) => c.score >= threshold).length / positives.length,
    specificity: negatives.filter((c) => c.score < threshold).length / negatives.length,
  });
  for (const rule of THRESHOLD_RULES) {
    const point = operatingPointFor(decision.roc, target, rule);
    const rng = createRng(7);
    const sens: number[] = [];
    const spec: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const draw = (from: typeof cases): typeof cases => from.map(() => from[rng.int(from.length)]!);
      const sample = [...draw(positives), ...draw(negatives)];
      const threshold = operatingPointFor(rocCounts(sample.map((c) => c.score), sample.map((c) => c.label)), target, rule).threshold;
      const at = countAt(threshold);
      sens.push(at.sensitivity);
      spec.push(at.specificity);
    }
    rows.push(
      `| ${path.basename(run)} | ${rule} | ${point.threshold.toFixed(3)} | ${point.sensitivity.value.toFixed(2)} | ${point.specificity.value.toFixed(2)} | ${mean(sens).toFixed(2)} ± ${sampleSd(sens).toFixed(2)} | ${mean(spec).toFixed(2)} ± ${sampleSd(spec).toFixed(2)} |`,
    );
  }
}
process.stdout.write(
  [
    `Target specificity ${target}; ${resamples} bootstrap resamples per run and rule.`,
    '',
    '| run | rule | threshold | sensitivity | specificity | resampled: sensitivity (mean ± sd) | specificity (mean ± sd) |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
