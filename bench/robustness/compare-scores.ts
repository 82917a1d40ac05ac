// Two models on the same images, each image scored by a model that did not train on it: segmentation figures of
// score set A against score set B on the images both scored, and on how many images A is better.
// Used to decide whether a retrained model replaces the bundled one (docs/reproduction.md, 2b): A = a training run's
// fold evaluations (each image scored by the fold that held it out), B = `evaluate --split test` of the bundled model.
// Below the table: the signed vCDR error of normal and glaucomatous eyes (where a cup is over-read matters: a normal
// eye's over-read cup is a false alarm) and the AUC of the measured vCDR on the shared images, for each set.
// npx tsx bench/robustness/compare-scores.ts --a runs/cv101c --b runs/eval-test-exp/metrics.json
import { pairedAucDifference } from '../../src-main/core/decision/statistics';
import { auc } from '../../src-main/core/metrics/roc';
import { mean } from '../../src-main/core/metrics/stats';
import { readScores, type ScoredImage as Image } from './score-sets';


const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`--${name} is required: a score file (metrics.json, evaluation.json) or a training run folder, comma-separated`);
  return value;
};

const vcdrError = (i: Image): number | null => (i.vcdr === null || i.vcdrTrue === null ? null : Math.abs(i.vcdr - i.vcdrTrue));

const a = readScores(arg('a'));
const b = readScores(arg('b'));
const common = [...a.keys()].filter((id) => b.has(id));
if (common.length === 0) throw new Error('the two score sets share no image');
process.stdout.write(`${common.length} images scored in both (A ${a.size}, B ${b.size})\n\n| measure | A | B | A better on |\n| --- | ---: | ---: | ---: |\n`);
const measures: [string, (i: Image) => number | null, 1 | -1][] = [
  ['OD Dice', (i) => i.odDice, 1],
  ['OC Dice', (i) => i.ocDice, 1],
  ['vCDR absolute error', vcdrError, -1],
];
for (const [label, read, sign] of measures) {
  const pairs = common.flatMap((id) => {
    const x = read(a.get(id)!);
    const y = read(b.get(id)!);
    return x === null || y === null ? [] : [[x, y] as const];
  });
  const better = pairs.filter(([x, y]) => sign * (x - y) > 0).length;
  process.stdout.write(`| ${label} | ${mean(pairs.map((p) => p[0])).toFixed(3)} | ${mean(pairs.map((p) => p[1])).toFixed(3)} | ${better} of ${pairs.length} |\n`);
}

const labelled = common.filter((id) => a.get(id)!.glaucoma != null && a.get(id)!.vcdr !== null && b.get(id)!.vcdr !== null && a.get(id)!.vcdrTrue !== null);
if (labelled.length > 0) {
  // The experts' vCDR and label are the image's, not the set's: both sets are measured against A's (the filter checked them).
  const signed = (set: Map<string, Image>, g: 0 | 1): string => {
    const errors = labelled.filter((id) => a.get(id)!.glaucoma === g).map((id) => set.get(id)!.vcdr! - a.get(id)!.vcdrTrue!);
    return errors.length ? `${mean(errors) >= 0 ? '+' : ''}${mean(errors).toFixed(3)}` : 'n/a';
  };
  const labels = labelled.map((id) => a.get(id)!.glaucoma!);
  const vcdrs = (set: Map<string, Image>): number[] => labelled.map((id) => set.get(id)!.vcdr!);
  const bothClasses = new Set(labels).size === 2;
  const aucOf = (set: Map<string, Image>): string => (bothClasses ? auc(vcdrs(set), labels).toFixed(3) : 'n/a');
  // Paired on the same images: the interval says whether A ranks glaucoma better than B, not only differently.
  const gain = bothClasses ? pairedAucDifference(vcdrs(a), vcdrs(b), labels) : null;
  const signedFixed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const normal = labels.filter((l) => l === 0).length;
  process.stdout.write(
    `\n${labelled.length} of them labelled (${normal} normal, ${labelled.length - normal} glaucoma):\n\n| measure | A | B |\n| --- | ---: | ---: |\n` +
      `| vCDR error (measured - experts'), normal eyes | ${signed(a, 0)} | ${signed(b, 0)} |\n` +
      `| vCDR error (measured - experts'), glaucomatous eyes | ${signed(a, 1)} | ${signed(b, 1)} |\n` +
      `| AUC of the measured vCDR | ${aucOf(a)} | ${aucOf(b)} |\n`,
  );
  if (gain) process.stdout.write(`\nAUC of the measured vCDR, A - B: ${signedFixed(gain.value)} (95 % CI ${signedFixed(gain.low)} to ${signedFixed(gain.high)}; paired stratified bootstrap, 2000 draws)\n`);
}
