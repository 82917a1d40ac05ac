// A cross-validated training run re-scored with other pipeline settings: each fold's model reads the images that fold
// held out (its folds/N/evaluation.json lists them), exactly as training scored them (`evaluateModel`, with the flipped
// pass), but with the settings given here. The output folder has the run's layout (folds/N/evaluation.json), so
// `fit-decision --scores OUT` refits and cross-validates the decision on the new readings and
// `compare-scores.ts --a OUT --b RUN` compares them image by image.
//   npx tsx bench/robustness/rescore.ts --run RUN --out DIR [--stage-fusion replace|average|average-disc] [--cup-threshold P] [--shape-prior none|filled|hull|ellipse] [--fold N,...]
import fs from 'node:fs';
import path from 'node:path';
import { listOf } from '../../src-main/cli/args';
import { openDataset } from '../../src-main/core/data/spec';
import { z } from 'zod';
import { writeJsonAtomic } from '../../src-main/core/fs/atomic';
import { readJsonFileAs } from '../../src-main/core/fs/json-file';
import { evaluateModel, type ImageScore } from '../../src-main/core/infer/evaluate';
import { auc } from '../../src-main/core/metrics/roc';
import { Predictor } from '../../src-main/core/infer/predictor';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
import { cupThresholdArg, optionalArg as arg, shapePriorArg, stageFusionArg } from './args';

const run = arg('run');
const out = arg('out');
if (!run || !out) throw new Error('usage: rescore.ts --run RUN --out DIR [--stage-fusion replace|average|average-disc] [--cup-threshold P] [--shape-prior none|filled|hull|ellipse] [--fold N,...]');
const fusion = stageFusionArg();
const only = arg('fold') ? new Set(listOf(arg('fold')!)) : null;
const shapePrior = shapePriorArg();
const cupThreshold = cupThresholdArg();
// What a fold's evaluation.json must hold here: the ids of the images its model did not train on.
const HeldOutSchema = z.object({ images: z.array(z.object({ id: z.string() })).min(1) });

await selectBackend();
const codec = createSharpCodec();
const config = readJsonFileAs(path.join(run, 'config.json'), z.object({ data: z.string() }), 'training run config');
const samples = (await openDataset(config.data, codec)).dataset.samples;
const pooled: ImageScore[] = [];
const folds = fs.readdirSync(path.join(run, 'folds')).filter((f) => !only || only.has(f)).sort();
for (const fold of folds) {
  const dir = path.join(run, 'folds', fold);
  const ids = new Set(readJsonFileAs(path.join(dir, 'evaluation.json'), HeldOutSchema, 'fold evaluation').images.map((i) => i.id));
  const heldOut = samples.filter((s) => ids.has(s.id));
  if (heldOut.length !== ids.size) throw new Error(`${dir}: ${ids.size} held-out images listed, ${heldOut.length} found in ${config.data}`);
  const predictor = Predictor.open(path.join(dir, 'model'), codec);
  try {
    const evaluation = await evaluateModel(predictor, heldOut, codec, { tta: true, predict: { ...(fusion ? { stageFusion: fusion } : {}), ...(cupThreshold !== undefined ? { cupThreshold } : {}), ...(shapePrior ? { shapePrior } : {}) } });
    fs.mkdirSync(path.join(out, 'folds', fold), { recursive: true });
    writeJsonAtomic(path.join(out, 'folds', fold, 'evaluation.json'), evaluation);
    pooled.push(...evaluation.images);
    const s = evaluation.summary;
    console.log(`fold ${fold}: ${s.images} images, OD ${s.odDice?.toFixed(3)} OC ${s.ocDice?.toFixed(3)} vCDR MAE ${s.vcdrMae?.toFixed(3)} AUC(vCDR) ${s.aucVcdr?.toFixed(3)}`);
  } finally {
    predictor.dispose();
  }
}
const rows = pooled.filter((i) => i.glaucoma !== null && i.vcdr !== null);
console.log(`pooled: ${pooled.length} images, AUC of the vCDR ${auc(rows.map((i) => i.vcdr!), rows.map((i) => i.glaucoma!)).toFixed(3)}`);
writeJsonAtomic(path.join(out, 'rescored.json'), { run: path.resolve(run), stageFusion: fusion ?? null, cupThreshold: cupThreshold ?? null, shapePrior: shapePrior ?? null, folds });
