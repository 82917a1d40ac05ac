// The paper's experiment: for each strategy (MTL-IO, summed MTL, single task),
// k-fold cross-validation on train+validation (stratified, seeded), every fold
// model scored on the held-apart test split with the official metrics; results
// as mean ± sd over folds, as the paper reports them. Output: results.json, a
// Markdown table laid out like the paper's, and an HTML report with ROC curves,
// training curves and example overlays (best, median and worst case).
// Resumable: training units resume from checkpoints, scored folds are not scored again.
import fs from 'node:fs';
import path from 'node:path';
import { describeBackend } from '../backend';
import { openDataset } from '../data/spec';
import { InputError } from '../errors';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic';
import { readJsonFile } from '../fs/json-file';
import { evaluateModel, type Evaluation, type ImageScore } from '../infer/evaluate';
import { Predictor } from '../infer/predictor';
import { formatMeanSd, mean, rocCurve, sampleSd } from '../metrics';
import { reliabilitySvg, type ReliabilitySeries } from '../infer/reliability-report';
import { readManifest } from '../model/package';
import { drawOverlayInPlace } from '../render/overlay';
import { downscaleForPreview } from '../render/preview';
import { escapeHtml, NOT_FOR_CLINICAL_USE, page } from '../render/html';
import { resizeMaskNearest } from '../masks';
import type { ExperimentConfig } from './experiment-types';
import { runTraining, type TrainingDeps } from './run-training';
import { FOLD_EVALUATION } from './scored-fold';
import type { StrategyName } from './strategies';

/** Metrics of the table, in the paper's order, with how to print them. */
const COLUMNS = [
  { key: 'auc', label: 'AUC (avg)', scale: 100, digits: 2 },
  { key: 'aucNetwork', label: 'AUC (network)', scale: 100, digits: 2 },
  { key: 'aucVcdr', label: 'AUC (vCDR LR)', scale: 100, digits: 2 },
  { key: 'sensitivityAt85', label: 'Sens @ 85 % spec', scale: 100, digits: 2 },
  { key: 'odDice', label: 'OD Dice', scale: 100, digits: 2 },
  { key: 'ocDice', label: 'OC Dice', scale: 100, digits: 2 },
  { key: 'vcdrMae', label: 'vCDR MAE', scale: 1, digits: 4 },
  { key: 'foveaErrorPx', label: 'Fovea error (px)', scale: 1, digits: 1 },
] as const;
type MetricKey = (typeof COLUMNS)[number]['key'];

export interface StrategyResult {
  readonly strategy: StrategyName;
  readonly folds: number;
  /** Per metric: values over folds, mean and sd. */
  readonly metrics: Record<MetricKey, { values: (number | null)[]; mean: number | null; sd: number | null }>;
  readonly parameters: number;
  /** Training seconds, summed over folds (from the epoch records, so resumed runs count correctly). */
  readonly trainingSeconds: number;
}

export interface ExperimentResult {
  readonly config: ExperimentConfig;
  readonly testImages: number;
  readonly testSplit: 'test' | 'cross-validation';
  readonly strategies: StrategyResult[];
  readonly seconds: number;
}

const LABELS: Record<StrategyName, string> = { 'mtl-io': 'MTL-IO (independent optimisers)', mtl: 'MTL (summed loss)', single: 'Single-task' };

export async function runExperiment(config: ExperimentConfig, outDir: string, deps: TrainingDeps, resume: boolean): Promise<ExperimentResult> {
  const started = performance.now();
  if (config.strategies.length === 0) throw new InputError(outDir, 'no strategy given');
  const opened = await openDataset(config.data, deps.codec);
  const test = opened.dataset.samples.filter((s) => s.split === 'test');
  const log = (message: string): void => deps.onEvent?.({ type: 'log', message });
  if (test.length === 0) log('the dataset has no test split: each fold model is scored on its held-out fold instead');
  fs.mkdirSync(outDir, { recursive: true });
  writeJsonAtomic(path.join(outDir, 'config.json'), { ...config, backend: deps.backend });
  const results: StrategyResult[] = [];
  const evaluations = new Map<StrategyName, Evaluation[]>();
  const histories = new Map<StrategyName, Record<string, unknown>[]>();
  for (const strategy of config.strategies) {
    const dir = path.join(outDir, strategy);
    log(`strategy ${strategy}: ${config.folds}-fold cross-validation`);
    const run = await runTraining(
      { ...config.training, data: config.data, strategy, folds: config.folds, finalModel: false, name: `${strategy} experiment` },
      dir,
      deps,
      resume,
    );
    if (deps.signal?.aborted) break;
    const foldEvaluations: Evaluation[] = [];
    for (const [k, modelDir] of run.foldModelDirs.entries()) {
      const cached = path.join(path.dirname(modelDir), 'test-evaluation.json');
      if (test.length > 0 && fs.existsSync(cached) && resume) {
        foldEvaluations.push(readJsonFile(cached) as Evaluation);
        continue;
      }
      if (test.length === 0) {
        foldEvaluations.push(readJsonFile(path.join(path.dirname(modelDir), FOLD_EVALUATION)) as Evaluation);
        continue;
      }
      log(`strategy ${strategy}, fold ${k + 1}: scoring ${test.length} test images`);
      const predictor = Predictor.open(modelDir, deps.codec);
      try {
        const evaluation = await evaluateModel(predictor, test, deps.codec, { tta: config.tta, signal: deps.signal });
        writeJsonAtomic(cached, evaluation);
        foldEvaluations.push(evaluation);
      } finally {
        predictor.dispose();
      }
    }
    evaluations.set(strategy, foldEvaluations);
    const manifests = run.foldModelDirs.map((d) => readManifest(d));
    const trainingHistories = manifests.map((m) => (m.training as { histories?: Record<string, Array<{ seconds: number }>> }).histories ?? {});
    histories.set(strategy, trainingHistories);
    const trainingSeconds = trainingHistories.reduce((sum, h) => sum + Object.values(h).flat().reduce((s, e) => s + e.seconds, 0), 0);
    const parameters = manifests[0]
      ? manifests[0].networks.filter((n) => n.input.kind === 'full-image').reduce((sum, n) => sum + n.weights.entries.filter((e) => !/\.bn\.(mean|variance)$/.test(e.name)).reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0), 0)
      : 0;
    const metrics = Object.fromEntries(
      COLUMNS.map(({ key }) => {
        const values = foldEvaluations.map((e) => e.summary[key]);
        const present = values.filter((v): v is number => v !== null);
        return [key, { values, mean: present.length ? mean(present) : null, sd: present.length ? sampleSd(present) : null }];
      }),
    ) as StrategyResult['metrics'];
    results.push({ strategy, folds: foldEvaluations.length, metrics, parameters, trainingSeconds });
    await writeReports(outDir, { config, testImages: test.length, testSplit: test.length ? 'test' : 'cross-validation', strategies: results, seconds: (performance.now() - started) / 1000 }, evaluations, histories, deps);
  }
  const result: ExperimentResult = { config, testImages: test.length, testSplit: test.length ? 'test' : 'cross-validation', strategies: results, seconds: (performance.now() - started) / 1000 };
  await writeReports(outDir, result, evaluations, histories, deps, true);
  return result;
}

function cell(m: { values: (number | null)[] }, scale: number, digits: number): string {
  const v = m.values.filter((x): x is number => x !== null);
  return v.length ? formatMeanSd(v, digits, scale) : '–';
}

export function experimentTable(result: ExperimentResult): string {
  const header = `| Strategy | ${COLUMNS.map((c) => c.label).join(' | ')} | Parameters | Training time |`;
  const rule = `| --- | ${COLUMNS.map(() => '---').join(' | ')} | --- | --- |`;
  const rows = result.strategies.map(
    (s) => `| ${LABELS[s.strategy]} | ${COLUMNS.map((c) => cell(s.metrics[c.key], c.scale, c.digits)).join(' | ')} | ${(s.parameters / 1e6).toFixed(2)} M | ${formatDuration(s.trainingSeconds)} |`,
  );
  return [header, rule, ...rows].join('\n');
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

async function writeReports(
  outDir: string,
  result: ExperimentResult,
  evaluations: ReadonlyMap<StrategyName, Evaluation[]>,
  histories: ReadonlyMap<StrategyName, Record<string, unknown>[]>,
  deps: TrainingDeps,
  withOverlays = false,
): Promise<void> {
  writeJsonAtomic(path.join(outDir, 'results.json'), result);
  const where = result.testSplit === 'test' ? `each fold model scored on the ${result.testImages} held-apart test images` : 'each fold model scored on its held-out fold (no test split)';
  const md = [
    '# Experiment: multi-task strategies',
    '',
    `Data: \`${result.config.data}\`; ${result.config.folds}-fold cross-validation on train+validation, ${where}. Values are mean ± sd over folds; AUC, sensitivity and Dice in %.`,
    `Backend: ${describeBackend(deps.backend)}. Model: ${result.config.training.arch.variant}, width ${result.config.training.arch.width}, ${result.config.training.arch.inputSize} px; ${result.config.training.epochs} epochs, batch ${result.config.training.batchSize}, lr ${result.config.training.learningRate}, seed ${result.config.training.seed}.`,
    '',
    experimentTable(result),
    '',
  ].join('\n');
  writeFileAtomic(path.join(outDir, 'results.md'), md);
  const overlays = withOverlays ? await exampleOverlays(outDir, evaluations, result, deps) : '';
  const html = page(
    'Experiment report',
    `<h1>Experiment: multi-task strategies</h1>
<p class="meta">${escapeHtml(md.split('\n')[2] ?? '')}<br>${escapeHtml(md.split('\n')[3] ?? '')}</p>
<p class="note">${escapeHtml(NOT_FOR_CLINICAL_USE)}</p>
${markdownTableToHtml(experimentTable(result))}
<h2>ROC curves (all folds pooled, final probability)</h2>${rocSvg(evaluations)}
${reliabilitySvg(reliabilitySeries(evaluations))}
<h2>Training curves (fold 1, mean loss per epoch)</h2>${curvesSvg(histories)}
${overlays}`,
  );
  writeFileAtomic(path.join(outDir, 'report.html'), html);
}

/** Each strategy's pooled held-out probabilities, for the reliability plot. */
function reliabilitySeries(evaluations: ReadonlyMap<StrategyName, Evaluation[]>): ReliabilitySeries[] {
  return [...evaluations].map(([strategy, folds]) => {
    const rows = folds.flatMap((f) => f.images).filter((s) => s.glaucoma !== null && s.probability !== null);
    return { label: LABELS[strategy], probabilities: rows.map((s) => s.probability!), labels: rows.map((s) => s.glaucoma!) };
  });
}

function markdownTableToHtml(table: string): string {
  const [head, , ...rows] = table.split('\n');
  const cells = (line: string) => line.split('|').slice(1, -1).map((c) => escapeHtml(c.trim()));
  return `<table><thead><tr>${cells(head!).map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function rocSvg(evaluations: ReadonlyMap<StrategyName, Evaluation[]>): string {
  const size = 320;
  const curves: string[] = [];
  let i = 0;
  for (const [strategy, folds] of evaluations) {
    const rows = folds.flatMap((f) => f.images).filter((s) => s.glaucoma !== null && s.probability !== null);
    const positives = rows.filter((s) => s.glaucoma === 1).length;
    if (positives === 0 || positives === rows.length) continue;
    const roc = rocCurve(rows.map((s) => s.probability!), rows.map((s) => s.glaucoma!), { dropIntermediate: false });
    const points = Array.from(roc.fpr, (f, k) => `${(f * size).toFixed(1)},${((1 - roc.tpr[k]!) * size).toFixed(1)}`).join(' ');
    curves.push(`<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${points}"><title>${escapeHtml(LABELS[strategy])}</title></polyline>`);
    curves.push(`<text x="${size - 4}" y="${size - 8 - 16 * i}" text-anchor="end" fill="${COLOURS[i % COLOURS.length]}" font-size="12">${escapeHtml(LABELS[strategy])}</text>`);
    i++;
  }
  return `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="ROC curves" style="border:1px solid #ccd"><line x1="0" y1="${size}" x2="${size}" y2="0" stroke="#ccc" stroke-dasharray="4"/>${curves.join('')}</svg><p class="meta">False positive rate →, true positive rate ↑.</p>`;
}

function curvesSvg(histories: ReadonlyMap<StrategyName, Record<string, unknown>[]>): string {
  const width = 480;
  const height = 220;
  const series: { label: string; values: number[] }[] = [];
  for (const [strategy, folds] of histories) {
    const first = folds[0] as Record<string, Array<{ losses: Record<string, number> }>> | undefined;
    if (!first) continue;
    for (const [network, records] of Object.entries(first)) {
      const tasks = new Set(records.flatMap((r) => Object.keys(r.losses)));
      for (const task of tasks) series.push({ label: `${strategy} ${network === 'main' ? '' : `${network} `}${task}`, values: records.map((r) => r.losses[task] ?? NaN) });
    }
  }
  if (series.length === 0) return '<p class="meta">No training history recorded.</p>';
  const max = Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite)), 1e-6);
  const epochs = Math.max(...series.map((s) => s.values.length));
  const lines = series.map((s, k) => {
    const pts = s.values.map((v, e) => (Number.isFinite(v) ? `${((e / Math.max(1, epochs - 1)) * width).toFixed(1)},${(height - (v / max) * height).toFixed(1)}` : '')).filter(Boolean).join(' ');
    return `<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.5" points="${pts}"><title>${escapeHtml(s.label)}</title></polyline>`;
  });
  const legend = series.map((s, k) => `<span style="color:${COLOURS[k % COLOURS.length]}">■ ${escapeHtml(s.label)}</span>`).join(' &nbsp; ');
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="training curves" style="border:1px solid #ccd">${lines.join('')}</svg><p class="meta">${legend}</p>`;
}

/** Best, median and worst test case of the first strategy's first fold, by OC Dice (or OD Dice). */
async function exampleOverlays(outDir: string, evaluations: ReadonlyMap<StrategyName, Evaluation[]>, result: ExperimentResult, deps: TrainingDeps): Promise<string> {
  const first = result.strategies[0];
  const evaluation = first && evaluations.get(first.strategy)?.[0];
  if (!first || !evaluation) return '';
  const key = evaluation.images.some((s) => s.ocDice !== null) ? 'ocDice' : 'odDice';
  const ranked = evaluation.images.filter((s): s is ImageScore & Record<typeof key, number> => s[key] !== null).sort((a, b) => b[key] - a[key]);
  if (ranked.length === 0) return '';
  const picks: Array<[string, ImageScore]> = [
    ['best', ranked[0]!],
    ['median', ranked[Math.floor(ranked.length / 2)]!],
    ['worst', ranked[ranked.length - 1]!],
  ];
  const modelDir = path.join(outDir, first.strategy, 'folds', '1', 'model');
  if (!fs.existsSync(modelDir)) return '';
  const predictor = Predictor.open(modelDir, deps.codec);
  const cards: string[] = [];
  try {
    fs.mkdirSync(path.join(outDir, 'overlays'), { recursive: true });
    for (const [which, score] of picks) {
      const prediction = await predictor.predictFile(score.file, { tta: result.config.tta });
      const full = await deps.codec.readRgb(score.file);
      const small = downscaleForPreview(full, 512);
      const image = small === full ? { ...full, data: full.data.slice() } : small;
      const shrink = (m: typeof prediction.od) => resizeMaskNearest(m, image.width, image.height);
      const f = prediction.summary.fovea;
      const sx = image.width / full.width;
      drawOverlayInPlace(image, { od: shrink(prediction.od), oc: shrink(prediction.oc), fovea: f ? { x: (f.x + 0.5) * sx - 0.5, y: (f.y + 0.5) * sx - 0.5 } : null });
      const name = `${which}.png`;
      await deps.codec.writePng(path.join(outDir, 'overlays', name), image);
      cards.push(
        `<div class="card"><img src="overlays/${name}" alt="${which} case"><p><b>${which}</b> ${escapeHtml(path.basename(score.file))}: ${key === 'ocDice' ? 'OC' : 'OD'} Dice ${score[key]!.toFixed(3)}, vCDR ${score.vcdr?.toFixed(3) ?? '–'} (truth ${score.vcdrTrue?.toFixed(3) ?? '–'})</p></div>`,
      );
    }
  } finally {
    predictor.dispose();
  }
  return `<h2>Example overlays (${escapeHtml(LABELS[first.strategy])}, fold 1; best, median and worst by ${key === 'ocDice' ? 'OC' : 'OD'} Dice)</h2><div class="grid">${cards.join('')}</div>`;
}
