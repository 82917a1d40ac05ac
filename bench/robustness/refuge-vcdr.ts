// The ten REFUGE photographs (another camera, macula-centred, no masks here) read by several models: each eye's vCDR,
// the mean vCDR of the normal and the glaucomatous eyes, and the AUC of the vCDR over all models' readings. Without
// masks this cannot say which cup is right; it says how high a model reads the cups of normal eyes on a camera it
// never saw (the "cup badly over-estimated on other cameras") and whether it still orders the two groups.
//   npx tsx bench/robustness/refuge-vcdr.ts --models PKG[,PKG...] [--stage-fusion replace|average]
import fs from 'node:fs';
import path from 'node:path';
import { listOf } from '../../src-main/cli/args';
import { Predictor } from '../../src-main/core/infer/predictor';
import { auc } from '../../src-main/core/metrics/roc';
import { mean } from '../../src-main/core/metrics/stats';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
import { optionalArg as arg, stageFusionArg } from './args';

const models = listOf(arg('models') ?? '');
if (models.length === 0) throw new Error('usage: refuge-vcdr.ts --models PKG[,PKG...] [--stage-fusion replace|average]');
// Absent: each package's own (preprocessing.stageFusion, else replace).
const fusion = stageFusionArg();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const refuge = path.resolve(root, '..', 'shared', 'data', 'refuge-samples', 'Training400');
const eyes = (['Glaucoma', 'Non-Glaucoma'] as const).flatMap((folder) =>
  fs.readdirSync(path.join(refuge, folder)).filter((f) => f.endsWith('.jpg')).sort().map((f) => ({ file: path.join(refuge, folder, f), id: f.replace('.jpg', ''), glaucoma: folder === 'Glaucoma' ? (1 as const) : (0 as const) })),
);
if (eyes.length === 0) throw new Error(`${refuge}: no REFUGE photographs`);

await selectBackend();
const codec = createSharpCodec();
const readings: { glaucoma: 0 | 1; vcdr: number }[] = [];
process.stdout.write(`| model | ${eyes.map((e) => e.id).join(' | ')} | normal eyes' mean | glaucomatous eyes' mean |\n| --- |${' ---: |'.repeat(eyes.length + 2)}\n`);
for (const model of models) {
  const predictor = Predictor.open(model, codec);
  try {
    const row: number[] = [];
    for (const eye of eyes) {
      // REFUGE scores a missing disc as vCDR 0.
      const vcdr = (await predictor.predictFile(eye.file, { tta: true, ...(fusion ? { stageFusion: fusion } : {}) })).summary.vcdr ?? 0;
      row.push(vcdr);
      readings.push({ glaucoma: eye.glaucoma, vcdr });
    }
    const meanOf = (label: 0 | 1): string => mean(row.filter((_, i) => eyes[i]!.glaucoma === label)).toFixed(3);
    process.stdout.write(`| ${model} | ${row.map((v) => v.toFixed(3)).join(' | ')} | ${meanOf(0)} | ${meanOf(1)} |\n`);
  } finally {
    predictor.dispose();
  }
}
const group = (label: 0 | 1): number[] => readings.filter((r) => r.glaucoma === label).map((r) => r.vcdr);
process.stdout.write(
  `\n${models.length} model(s), crop stages ${fusion ?? "as each package says"}: normal eyes' vCDR ${mean(group(0)).toFixed(3)}, glaucomatous ${mean(group(1)).toFixed(3)}; AUC of the vCDR over all readings ${auc(readings.map((r) => r.vcdr), readings.map((r) => r.glaucoma)).toFixed(3)}\n`,
);
