// The correction loop with ground truth as the expert (docs/finetune.md):
// rounds of corrections chosen by a strategy, each time the parent fine-tuned
// (core/train/finetune.ts runFinetune, the app's engine) on every correction so
// far and scored on the cases it never trained on, next to the parent on
// exactly those cases. Writes simulation.csv and learning-curve.svg.
//   npx tsx bench/finetune/simulate.ts --data SPEC [--splits test|all|train] [--model PKG]
//     [--strategies uncertainty,diverse,random] [--curve 0,5,10,20,40] [--epochs 5] [--lr 2e-5] [--seed 1] [--out DIR]
//   npx tsx bench/finetune/simulate.ts --merge DIR1,DIR2 --out DIR   (one CSV and plot from runs of one strategy each)
// A finished round's child is reused when the command is run again (same choices, seed, epochs and learning rate).
import fs from 'node:fs';
import path from 'node:path';
import { inSplit, type SplitChoice } from '../../src-main/core/data/splits';
import { openDataset } from '../../src-main/core/data/spec';
import { seenInTraining, trainingImageIds } from '../../src-main/core/data/training-images';
import { readManifest } from '../../src-main/core/model/package';
import { evaluateModel, summarise, type EvaluationSummary, type ImageScore } from '../../src-main/core/infer/evaluate';
import { Predictor } from '../../src-main/core/infer/predictor';
import { DEFAULT_FINETUNE } from '../../src-main/core/jobs/finetune';
import { DEFAULT_CURVE, SELECTION_STRATEGIES, simulateCorrections, type Candidate, type SelectionStrategy, type SimulationRow } from '../../src-main/core/train/active-learning';
import { runFinetune, toSample } from '../../src-main/core/train/finetune';
import { labelledImagesOf } from '../../src-main/core/train/finetune-data';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dataSpec = opt('data', `drishti:${path.join(root, '..', 'shared', 'data', 'drishti-gs1')}`);
const splits = opt('splits', 'test') as SplitChoice;
const parentDir = path.resolve(opt('model', path.join(root, 'resources', 'model')));
const strategies = opt('strategies', SELECTION_STRATEGIES.join(',')).split(',') as SelectionStrategy[];
const curve = opt('curve', DEFAULT_CURVE.join(',')).split(',').map(Number);
const epochs = Number(opt('epochs', '5'));
const learningRate = Number(opt('lr', String(DEFAULT_FINETUNE.learningRate)));
if (!(learningRate > 0)) throw new Error(`--lr must be a positive number, got ${opt('lr', '')}`);
const seed = Number(opt('seed', '1'));
const out = path.resolve(opt('out', path.join(root, 'bench', 'out', 'simulate')));
for (const s of strategies) if (!SELECTION_STRATEGIES.includes(s)) throw new Error(`--strategies: unknown ${s} (use ${SELECTION_STRATEGIES.join(', ')})`);

const merge = opt('merge', '');
if (merge) {
  const parts = merge.split(',').map((d) => fs.readFileSync(path.join(path.resolve(d), 'simulation.csv'), 'utf8').trim().split('\n'));
  const merged = [parts[0]![0]!, ...parts.flatMap((p) => p.slice(1))];
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'simulation.csv'), `${merged.join('\n')}\n`);
  fs.writeFileSync(path.join(out, 'learning-curve.svg'), learningCurveSvg(merged));
  process.stdout.write(`${path.join(out, 'simulation.csv')}\n${path.join(out, 'learning-curve.svg')}\n`);
  process.exit(0);
}

const backend = await selectBackend();
const codec = createSharpCodec();
fs.mkdirSync(out, { recursive: true });
const opened = await openDataset(dataSpec);
const samples = inSplit(opened.dataset.samples, splits);
const images = await labelledImagesOf(samples, codec, path.join(out, 'masks'));
const byId = new Map(images.map((i) => [i.id, i]));
const pool = images.map((i) => i.id);
// A parent that trained on the pool would make every point of the curve a training-set figure.
const trained = await trainingImageIds(readManifest(parentDir).training, codec);
if (trained === null) throw new Error(`--model ${parentDir}: cannot tell which images it trained on (its training data is not on this machine)`);
const seen = seenInTraining(pool, trained);
if (seen.length) {
  throw new Error(
    `--model ${parentDir} trained on ${seen.length} of the ${pool.length} cases in the pool (${seen.slice(0, 3).join(', ')}${seen.length > 3 ? ', ...' : ''}): ` +
      'use a model that never saw them (docs/finetune.md names one)',
  );
}
process.stderr.write(`${pool.length} cases in the pool; curve ${curve.join(', ')}; ${epochs} epochs per fine-tune at learning rate ${learningRate}\n`);

interface Scored {
  readonly summary: EvaluationSummary;
  readonly images: readonly ImageScore[];
}

async function score(modelDir: string, ids: readonly string[]) {
  const predictor = Predictor.open(modelDir, codec);
  const uncertainty = new Map<string, number | null>();
  // What the case looks like to the model, for the 'diverse' strategy: exposure, colour, sharpness, predicted vCDR.
  const descriptor = new Map<string, number[] | null>();
  try {
    const evaluation = await evaluateModel(predictor, ids.map((id) => toSample(byId.get(id)!)), codec, {
      tta: true,
      onImage: (_done, _total, prediction, s) => {
        if (!s) return;
        uncertainty.set(s.id, prediction?.summary.uncertainty ?? null);
        const m = prediction?.summary.quality?.measures;
        descriptor.set(s.id, m ? [m.luminance, m.redness, m.sharpness, prediction.summary.vcdr ?? 0] : null);
      },
    });
    return { candidates: ids.map((id) => ({ id, uncertainty: uncertainty.get(id) ?? null, descriptor: descriptor.get(id) ?? null })), metrics: { summary: evaluation.summary, images: evaluation.images } as Scored };
  } finally {
    predictor.dispose();
  }
}

const header = 'strategy,corrections,scored,odDice,ocDice,vcdrMae,auc,parentOdDice,parentOcDice,parentVcdrMae,parentAuc,seconds';
const lines: string[] = [header];
const all: SimulationRow<Scored>[] = [];
let parentScores: readonly ImageScore[] | null = null;
let parentCandidates: readonly Candidate[] = [];
let parentMetrics: Scored | null = null;
const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '' : v.toFixed(4));
const csv = path.join(out, 'simulation.csv');

for (const strategy of strategies) {
  const rows = await simulateCorrections<string, Scored>(pool, curve, strategy, seed, {
    parent: parentDir,
    finetune: async (cases, round) => {
      const dir = path.join(out, strategy, `${cases.length}`);
      const modelDir = path.join(dir, 'model');
      const chosenFile = path.join(dir, 'chosen.json');
      // Reused only when made from the same cases with the same settings.
      const made = JSON.stringify({ cases, epochs, learningRate });
      if (fs.existsSync(path.join(modelDir, 'model.json')) && fs.existsSync(chosenFile) && fs.readFileSync(chosenFile, 'utf8') === made) return modelDir;
      fs.rmSync(dir, { recursive: true, force: true });
      const result = await runFinetune(
        {
          parentModelDir: parentDir,
          outModelDir: modelDir,
          runDir: path.join(dir, 'run'),
          train: cases.map((id) => byId.get(id)!),
          validation: [],
          replay: [],
          epochs,
          learningRate,
          batchSize: DEFAULT_FINETUNE.batchSize,
          seed: seed * 100 + round,
          resume: false,
          modelId: `sim-${strategy}-${cases.length}`,
          modelName: `simulation ${strategy} ${cases.length}`,
          dataSource: dataSpec,
        },
        { codec, backend, onEvent: (e) => (e.type === 'log' ? process.stderr.write(`  ${e.message}\n`) : undefined) },
      );
      fs.writeFileSync(chosenFile, made);
      process.stderr.write(`  ${strategy}: fine-tuned on ${cases.length} in ${result.seconds.toFixed(0)} s\n`);
      return modelDir;
    },
    score: async (modelDir, cases) => {
      // The parent scores the whole pool the same way for every strategy: once.
      if (modelDir === parentDir && parentScores !== null && cases.length === pool.length) return { candidates: parentCandidates, metrics: parentMetrics! };
      const scored = await score(modelDir, cases);
      if (modelDir === parentDir) {
        parentCandidates = scored.candidates;
        parentMetrics = scored.metrics;
      }
      if (modelDir === parentDir && parentScores === null) parentScores = scored.metrics.images;
      return scored;
    },
    onRow: (row) => {
      const scoredOn = new Set(row.scoredOn);
      const parent = summarise((parentScores ?? []).filter((s) => scoredOn.has(s.id)));
      const m = row.metrics.summary;
      lines.push([strategy, row.corrections, m.images, fmt(m.odDice), fmt(m.ocDice), fmt(m.vcdrMae), fmt(m.auc), fmt(parent.odDice), fmt(parent.ocDice), fmt(parent.vcdrMae), fmt(parent.auc), row.seconds.toFixed(0)].join(','));
      fs.writeFileSync(csv, `${lines.join('\n')}\n`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    },
  });
  all.push(...rows);
}

fs.writeFileSync(path.join(out, 'learning-curve.svg'), learningCurveSvg(lines));
process.stdout.write(`${csv}\n${path.join(out, 'learning-curve.svg')}\n`);

/** Three panels (OD/OC Dice, vCDR MAE, AUC) against corrections, one line per strategy; dotted: the parent on the same cases. */
function learningCurveSvg(csvLines: readonly string[]): string {
  const cols = csvLines[0]!.split(',');
  const rows = csvLines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
  const panels: { title: string; keys: [string, string][] }[] = [
    { title: 'Dice (OD: upper lines, OC: lower lines)', keys: [['odDice', 'parentOdDice'], ['ocDice', 'parentOcDice']] },
    { title: 'vCDR MAE (lower is better)', keys: [['vcdrMae', 'parentVcdrMae']] },
    { title: 'AUC', keys: [['auc', 'parentAuc']] },
  ];
  const colours: Record<string, string> = { uncertainty: '#c0392b', diverse: '#1e8449', random: '#2c6fbb' };
  const W = 300;
  const H = 220;
  const pad = 40;
  const maxN = Math.max(...rows.map((r) => Number(r['corrections'])), 1);
  const parts: string[] = [];
  panels.forEach((panel, p) => {
    const ox = p * (W + 20);
    const values = rows.flatMap((r) => panel.keys.flatMap(([a, b]) => [r[a], r[b]])).filter((v) => v !== '' && v !== undefined).map(Number);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const span = hi - lo || 1;
    const x = (n: number): number => ox + pad + (n / maxN) * (W - pad - 10);
    const y = (v: number): number => 20 + (1 - (v - lo) / span) * (H - 60);
    parts.push(`<text x="${ox + pad}" y="14" font-size="12">${panel.title}</text>`);
    parts.push(`<line x1="${ox + pad}" y1="${H - 40}" x2="${ox + W - 10}" y2="${H - 40}" stroke="#888"/><line x1="${ox + pad}" y1="20" x2="${ox + pad}" y2="${H - 40}" stroke="#888"/>`);
    parts.push(`<text x="${ox + 2}" y="24" font-size="10">${hi.toFixed(3)}</text><text x="${ox + 2}" y="${H - 40}" font-size="10">${lo.toFixed(3)}</text>`);
    for (const n of [...new Set(rows.map((r) => Number(r['corrections'])))]) parts.push(`<text x="${x(n) - 4}" y="${H - 26}" font-size="10">${n}</text>`);
    parts.push(`<text x="${ox + pad + 40}" y="${H - 8}" font-size="11">corrections</text>`);
    for (const strategy of Object.keys(colours)) {
      const own = rows.filter((r) => r['strategy'] === strategy);
      for (const [key, parentKey] of panel.keys) {
        for (const [k, dash] of [[key, ''], [parentKey, ' stroke-dasharray="3 3"']] as const) {
          const pts = own.filter((r) => r[k] !== '').map((r) => `${x(Number(r['corrections'])).toFixed(1)},${y(Number(r[k])).toFixed(1)}`);
          if (pts.length) parts.push(`<polyline fill="none" stroke="${colours[strategy]}" stroke-width="2"${dash} points="${pts.join(' ')}"/>`);
        }
      }
    }
  });
  const legend = Object.entries(colours).map(([s, c], i) => `<text x="${10 + i * 140}" y="${H + 14}" font-size="12" fill="${c}">■ ${s}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${3 * (W + 20)}" height="${H + 40}" viewBox="0 0 ${3 * (W + 20)} ${H + 40}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}${legend}<text x="300" y="${H + 14}" font-size="12">dotted: the parent on the same cases</text></svg>\n`;
}
