// Does averaging a colour-normalised reading with the plain one pay? (docs/robustness.md,
// "Half of colour normalisation".) Each model reads the same images as `screen` does
// (the package's own settings, the test-time flip) and again with every network input
// also read colour-normalised to the Drishti-GS1 training photographs' median colour,
// the two readings' probabilities averaged (PredictOptions.colourAverage):
//   - the Drishti-GS1 images the model never trained on (a fold model's held-out
//     images, the bundled model's test split): OD / OC Dice, vCDR MAE, the AUC of the
//     measured vCDR, and on how many images each reading is better;
//   - the eight ROI crops of four hospitals: crops with OD Dice >= 0.85, and the
//     mean OD / OC Dice of the six crops from hospitals other than Drishti-GS1's;
//   - the ten REFUGE sample photographs (no masks): mean vCDR of the normal and the
//     glaucomatous eyes and the AUC of the vCDR between them.
//   npx tsx bench/robustness/colour-average.ts --models PKG,PKG,... [--colour R,G,B]
import path from 'node:path';
import { openDataset } from '../../src-main/core/data/spec';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { trainingImageIds } from '../../src-main/core/data/training-images';
import { evaluateModel, type ImageScore } from '../../src-main/core/infer/evaluate';
import { Predictor } from '../../src-main/core/infer/predictor';
import { auc, dice, mean } from '../../src-main/core/metrics';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const models = (opt('models') ?? path.join(root, 'resources', 'model')).split(',').filter(Boolean).map((m) => path.resolve(m));
// The Drishti-GS1 training photographs' median mean field colour (bench/robustness/run.ts --colour on prints it).
const colour = (opt('colour') ?? '101.834,49.374,15.167').split(',').map(Number);
if (colour.length !== 3 || colour.some((c) => !(c > 0 && c <= 255))) throw new Error('--colour must be R,G,B, each in (0, 255]');
const target = [colour[0]!, colour[1]!, colour[2]!] as const;
const conditions = [
  { name: 'plain', predict: {} },
  { name: 'plain + colour-normalised, averaged', predict: { colourAverage: target } },
  { name: 'colour-normalised', predict: { colourReference: target } },
] as const;

await selectBackend();
const codec = createSharpCodec();
const f3 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));

interface Reading {
  readonly drishti: readonly ImageScore[];
  readonly roi: readonly { id: string; od: number; oc: number }[];
  readonly refuge: readonly { id: string; glaucoma: boolean; vcdr: number | null }[];
}

async function read(predictor: Predictor, heldOut: Awaited<ReturnType<typeof openDataset>>['dataset']['samples'], predict: (typeof conditions)[number]['predict']): Promise<Reading> {
  const drishti = (await evaluateModel(predictor, heldOut, codec, { tta: true, predict })).images;
  const roi = [];
  for (const s of readRoiFolder(path.join(shared, 'roi-multidomain')).samples) {
    const p = await predictor.predictFile(s.imageFile, { tta: true, ...predict });
    const t = await readSampleMasks(s, codec);
    roi.push({ id: s.id, od: dice(p.od, t.od, { ifBothEmpty: 1 }), oc: dice(p.oc, t.oc, { ifBothEmpty: 1 }) });
  }
  const refuge = [];
  for (const s of (await openDataset(`folder:${path.join(shared, 'refuge-samples')}`, codec)).dataset.samples) {
    const p = await predictor.predictFile(s.imageFile, { tta: true, ...predict });
    // The REFUGE samples' file names say which eyes are glaucomatous (g*) and which normal (n*).
    refuge.push({ id: s.id, glaucoma: path.basename(s.imageFile).startsWith('g'), vcdr: p.summary.vcdr });
  }
  return { drishti, roi, refuge };
}

function describe(r: Reading): string[] {
  const d = r.drishti;
  const pairs = d.filter((s) => s.vcdr !== null && s.vcdrTrue !== null);
  const labelled = d.filter((s) => s.glaucoma !== null && s.vcdr !== null);
  const other = r.roi.filter((x) => !x.id.startsWith('Domain1'));
  const n = r.refuge.filter((x) => !x.glaucoma && x.vcdr !== null).map((x) => x.vcdr!);
  const g = r.refuge.filter((x) => x.glaucoma && x.vcdr !== null).map((x) => x.vcdr!);
  return [
    `${f3(mean(d.map((s) => s.odDice ?? 0)))} / ${f3(mean(d.map((s) => s.ocDice ?? 0)))} / ${f3(mean(pairs.map((s) => Math.abs(s.vcdr! - s.vcdrTrue!))))}`,
    labelled.some((s) => s.glaucoma === 0) && labelled.some((s) => s.glaucoma === 1) ? f3(auc(labelled.map((s) => s.vcdr!), labelled.map((s) => s.glaucoma!))) : 'n/a',
    `${r.roi.filter((x) => x.od >= 0.85).length} of ${r.roi.length}`,
    `${f3(mean(other.map((x) => x.od)))} / ${f3(mean(other.map((x) => x.oc)))}`,
    n.length && g.length ? `${f3(mean(n))} / ${f3(mean(g))} (${auc([...n, ...g], [...n.map(() => 0), ...g.map(() => 1)]).toFixed(2)})` : 'n/a',
  ];
}

function better(a: Reading, b: Reading): string {
  const count = (pick: (s: ImageScore) => number | null, lowerIsBetter = false): string => {
    let wins = 0;
    let n = 0;
    for (let i = 0; i < a.drishti.length; i++) {
      const x = pick(a.drishti[i]!);
      const y = pick(b.drishti[i]!);
      if (x === null || y === null) continue;
      n++;
      if (lowerIsBetter ? x < y : x > y) wins++;
    }
    return `${wins} of ${n}`;
  };
  const err = (s: ImageScore): number | null => (s.vcdr === null || s.vcdrTrue === null ? null : Math.abs(s.vcdr - s.vcdrTrue));
  return `OD ${count((s) => s.odDice)}, OC ${count((s) => s.ocDice)}, vCDR error ${count(err, true)}`;
}

const drishti = (await openDataset(`drishti:${path.join(shared, 'drishti-gs1')}`, codec)).dataset;
process.stdout.write('| model | reading | never-trained Drishti-GS1 images | OD / OC / vCDR MAE | AUC of the vCDR | ROI crops OD >= 0.85 | other hospitals OD / OC | REFUGE vCDR normal / glaucoma (AUC) |\n| --- | ---: | ---: | --- | ---: | ---: | --- | --- |\n');
const notes: string[] = [];
for (const model of models) {
  const predictor = Predictor.open(model, codec);
  try {
    const trained = await trainingImageIds(predictor.model.manifest.training, codec);
    if (!trained) throw new Error(`${model}: its package does not say which images it trained on`);
    const heldOut = drishti.samples.filter((s) => !trained.has(s.id));
    const name = path.relative(process.cwd(), model) || model;
    const readings: Reading[] = [];
    for (const condition of conditions) {
      const r = await read(predictor, heldOut, condition.predict);
      readings.push(r);
      process.stdout.write(`| ${name} | ${condition.name} | ${heldOut.length} | ${describe(r).join(' | ')} |\n`);
    }
    notes.push(`${name}: averaged better than plain on ${better(readings[1]!, readings[0]!)} never-trained images`);
  } finally {
    predictor.dispose();
  }
}
process.stdout.write(`\n${notes.join('\n')}\n`);
