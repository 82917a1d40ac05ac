// Does colour normalisation pay once the decision rule is refitted with it?
// (docs/robustness.md, "Colour normalisation"). Models that together have scored
// every Drishti-GS1 image without training on it (the fold models of a
// cross-validation, or the 2-fold protocol of docs/reproduction.md) measure all
// 101 images with colour normalisation off and on, each model only the images its
// package says it never trained on; each condition's decision rule is chosen and
// fitted on its own out-of-fold measurements, then judged on its cross-validated
// AUC and on the ten REFUGE samples (another camera) read by --model; the ROI
// crops' segmentation is in roi-dice.ts.
//   npx tsx bench/robustness/colour-decision.ts --models PKG,PKG,... [--model PKG] [--colour R,G,B]
//   e.g. --models runs/cv/folds/1/model,...,runs/cv/folds/5/model --model runs/cv/model
import path from 'node:path';
import { openDataset } from '../../src-main/core/data/spec';
import { trainingImageIds } from '../../src-main/core/data/training-images';
import { discCupFeatures } from '../../src-main/core/decision/features';
import type { DecisionModel } from '../../src-main/core/decision/model';
import { assessGlaucoma } from '../../src-main/core/infer/assessment';
import { evaluateModel, type ImageScore } from '../../src-main/core/infer/evaluate';
import { Predictor } from '../../src-main/core/infer/predictor';
import type { Rgb } from '../../src-main/core/quality/colour-balance';
import { fitDecisionFromScores } from '../../src-main/core/train/fit-decision';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const model = path.resolve(opt('model') ?? path.join(root, 'resources', 'model'));
const modelsArg = opt('models');
if (!modelsArg) throw new Error('--models PKG,PKG,... is required: models that together leave out every Drishti-GS1 image (fold models)');
const scorers = modelsArg.split(',').map((m) => path.resolve(m));
// The Drishti-GS1 training photographs' median mean field colour (bench/robustness/run.ts --colour on prints it).
const colour = (opt('colour') ?? '101.834,49.374,15.167').split(',').map(Number) as unknown as Rgb;

const codec = createSharpCodec();
const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

async function outOfFold(colourReference: Rgb | null): Promise<ImageScore[]> {
  const drishti = await openDataset(`drishti:${path.join(shared, 'drishti-gs1')}`, codec);
  const scores: ImageScore[] = [];
  const scored = new Set<string>();
  for (const pkg of scorers) {
    const predictor = Predictor.open(pkg, codec);
    try {
      const trained = await trainingImageIds(predictor.model.manifest.training, codec);
      if (!trained) throw new Error(`${pkg}: cannot tell which images it trained on`);
      // Each image once, by the first model that never trained on it.
      const samples = drishti.dataset.samples.filter((s) => !trained.has(s.id) && !scored.has(s.id));
      samples.forEach((s) => scored.add(s.id));
      const evaluation = await evaluateModel(predictor, samples, codec, { tta: true, predict: { colourReference } });
      process.stdout.write(`  ${path.basename(path.dirname(pkg))}/${path.basename(pkg)} on ${samples.length} images it did not train on: OD ${fmt(evaluation.summary.odDice)}, OC ${fmt(evaluation.summary.ocDice)}, vCDR MAE ${fmt(evaluation.summary.vcdrMae)}\n`);
      scores.push(...evaluation.images);
    } finally {
      predictor.dispose();
    }
  }
  const left = drishti.dataset.samples.filter((s) => !scored.has(s.id));
  if (left.length) throw new Error(`every model trained on ${left.length} of the images (${left.slice(0, 3).map((s) => s.id).join(', ')}): not an out-of-fold measurement`);
  return scores;
}

async function refuge(decision: DecisionModel, colourReference: Rgb | null): Promise<string> {
  const samples = (await openDataset(`folder:${path.join(shared, 'refuge-samples')}`, codec)).dataset.samples;
  const predictor = Predictor.open(model, codec);
  const calls = { glaucoma: { glaucoma: 0, normal: 0, withheld: 0 }, normal: { glaucoma: 0, normal: 0, withheld: 0 } };
  try {
    for (const s of samples) {
      const p = await predictor.predictFile(s.imageFile, { tta: true, colourReference });
      const g = assessGlaucoma(
        { vcdrRegression: predictor.model.manifest.vcdrRegression ?? null, decision },
        { network: p.summary.glaucoma.network, vcdr: p.summary.vcdr, measurements: p.summary.disc.found ? discCupFeatures(p.od, p.oc) : null, gradable: p.summary.quality?.gradable ?? true },
      );
      // The REFUGE samples' folders say which eyes are glaucomatous.
      const truth = /Non-Glaucoma/i.test(s.imageFile) ? 'normal' : 'glaucoma';
      calls[truth][g.decision ?? 'withheld']++;
    }
  } finally {
    predictor.dispose();
  }
  const c = (t: { glaucoma: number; normal: number; withheld: number }): string => `${t.glaucoma} glaucoma, ${t.normal} normal, ${t.withheld} no decision`;
  return `REFUGE samples: glaucomatous eyes ${c(calls.glaucoma)}; normal eyes ${c(calls.normal)}`;
}

await selectBackend();
for (const [name, reference] of [['off', null], ['on', colour]] as const) {
  process.stdout.write(`colour normalisation ${name}${reference ? ` (${reference.join(',')})` : ''}\n`);
  const scores = await outOfFold(reference);
  const decision = fitDecisionFromScores(scores, `${scorers.length} models' out-of-fold measurements, colour ${name}`, (m) => process.stdout.write(`  ${m}\n`));
  if (!decision) continue;
  for (const c of decision.selection.candidates) process.stdout.write(`  candidate ${c.id}: AUC ${fmt(c.auc?.value)} (${fmt(c.auc?.low)}-${fmt(c.auc?.high)})${c.eligible ? '' : ' (not eligible)'}\n`);
  process.stdout.write(`  chosen ${decision.id}, nested AUC ${fmt(decision.selection.nestedAuc)}\n  ${await refuge(decision, reference)}\n`);
}
