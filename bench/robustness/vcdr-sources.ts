// Where the predicted vCDR's ranking of glaucoma is lost: in the disc or in the cup. Held-out scores (each image
// read by a model that did not train on it) are split into their two vertical diameters (the disc's from the
// recorded disc size, the cup's from the vCDR) and each is swapped for the experts' in turn: the AUC of the vCDR
// with the experts' cup over the predicted disc, and with the predicted cup over the experts' disc. Also the
// relative error of each diameter by class, and the experts' own vCDR at each consensus level (1-4 of the four
// Drishti-GS1 experts) for the cup: how separable the labels themselves are.
//   npx tsx bench/robustness/vcdr-sources.ts --scores bench/robustness/runs/cv101c3-average-disc [--data drishti:DIR]
import { z } from 'zod';
import { listOf } from '../../src-main/cli/args';
import { openDataset } from '../../src-main/core/data/spec';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { readJsonFileAs } from '../../src-main/core/fs/json-file';
import { consensusMask, verticalDiameter } from '../../src-main/core/masks';
import { auc } from '../../src-main/core/metrics/roc';
import { mean, sampleSd } from '../../src-main/core/metrics/stats';
import { refugeVerticalCupToDiscRatio } from '../../src-main/core/metrics/vcdr';
import { scoreFilePaths } from '../../src-main/core/train/fit-decision';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';

const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : fallback;
  if (!value) throw new Error(`--${name} is required`);
  return value;
};
const ScoresSchema = z.object({
  images: z.array(z.object({ id: z.string(), glaucoma: z.union([z.literal(0), z.literal(1)]), vcdr: z.number(), measurements: z.object({ discSize: z.number() }) })),
});

const codec = createSharpCodec();
const data = arg('data', 'drishti:../shared/data/drishti-gs1');
const { dataset } = await openDataset(data, codec);
const samples = new Map(dataset.samples.map((s) => [s.id, s]));
const rows: { label: 0 | 1; predicted: number; truth: number; cupTruthOverDisc: number; cupOverDiscTruth: number; discError: number; cupError: number }[] = [];
for (const file of scoreFilePaths(listOf(arg('scores')))) {
  for (const score of readJsonFileAs(file, ScoresSchema, 'score file').images) {
    const sample = samples.get(score.id);
    if (!sample?.masks) throw new Error(`${file}: ${score.id} has no masks in ${data}`);
    const masks = await readSampleMasks(sample, codec);
    const disc = verticalDiameter(masks.od);
    const cup = verticalDiameter(masks.oc);
    // The disc size is the disc's vertical diameter over the image's shorter side (decision/features.ts).
    const predictedDisc = score.measurements.discSize * Math.min(masks.od.width, masks.od.height);
    const predictedCup = score.vcdr * predictedDisc;
    rows.push({
      label: score.glaucoma,
      predicted: score.vcdr,
      truth: refugeVerticalCupToDiscRatio(masks.od, masks.oc),
      cupTruthOverDisc: cup / predictedDisc,
      cupOverDiscTruth: predictedCup / disc,
      discError: predictedDisc / disc - 1,
      cupError: cup > 0 ? predictedCup / cup - 1 : NaN,
    });
  }
}
const labels = rows.map((r) => r.label);
const aucOf = (pick: (r: (typeof rows)[number]) => number): string => auc(rows.map(pick), labels).toFixed(3);
process.stdout.write(`${rows.length} images (${labels.filter((l) => l === 1).length} glaucoma)\n\n| vCDR from | AUC |\n| --- | ---: |\n`);
process.stdout.write(`| predicted cup / predicted disc | ${aucOf((r) => r.predicted)} |\n| experts' cup / predicted disc | ${aucOf((r) => r.cupTruthOverDisc)} |\n`);
process.stdout.write(`| predicted cup / experts' disc | ${aucOf((r) => r.cupOverDiscTruth)} |\n| experts' cup / experts' disc | ${aucOf((r) => r.truth)} |\n\n`);
process.stdout.write('| eyes | disc diameter: relative error, mean ± sd | cup diameter: relative error, mean ± sd |\n| --- | --- | --- |\n');
for (const [name, label] of [['normal', 0], ['glaucomatous', 1]] as const) {
  const of = rows.filter((r) => r.label === label);
  const f = (v: number[]): string => `${v.length ? `${mean(v) >= 0 ? '+' : ''}${(100 * mean(v)).toFixed(1)} % ± ${(100 * sampleSd(v)).toFixed(1)} %` : 'n/a'}`;
  process.stdout.write(`| ${name} (${of.length}) | ${f(of.map((r) => r.discError))} | ${f(of.map((r) => r.cupError).filter(Number.isFinite))} |\n`);
}
// The labels' own separability: the experts' vCDR with the cup drawn by at least 1-4 of the four (disc: at least two).
const softs = dataset.samples.filter((s) => s.masks?.kind === 'soft' && s.glaucoma !== undefined);
if (softs.length > 0) {
  process.stdout.write(`\n| experts' cup drawn by at least | AUC of the experts' vCDR (${softs.length} images) |\n| --- | ---: |\n`);
  const maps = await Promise.all(softs.map(async (s) => (s.masks?.kind === 'soft' ? { od: await codec.readGrey(s.masks.odFile), oc: await codec.readGrey(s.masks.ocFile) } : null)));
  for (const [experts, level] of [[1, 64], [2, 128], [3, 191], [4, 255]] as const) {
    const v = maps.map((m) => refugeVerticalCupToDiscRatio(consensusMask(m!.od, 128), consensusMask(m!.oc, level)));
    process.stdout.write(`| ${experts} of 4 | ${auc(v, softs.map((s) => s.glaucoma!)).toFixed(3)} |\n`);
  }
}
