// The paper's experiment end to end on a tiny synthetic REFUGE-layout dataset:
// three strategies, k-fold CV on train+validation, fold models scored on the
// held-apart test split, the table with every metric as mean ± sd.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../src-main/core/backend';
import { writeSyntheticRefuge } from '../../src-main/core/data/synth';
import { resolveArchConfig } from '../../src-main/core/model/config';
import { runExperiment, type ExperimentResult } from '../../src-main/core/train/experiment';
import { DEFAULT_TRAINING } from '../../src-main/core/train/run-training';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { useTestBackend } from '../helpers/backend';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-experiment-'));
const codec = createSharpCodec();
let backend: BackendInfo;
beforeAll(async () => {
  backend = await useTestBackend();
  await writeSyntheticRefuge(path.join(tmp, 'data'), { count: 6, seed: 9, width: 96, height: 92, positiveRate: 0.34 }, codec);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('experiment', () => {
  it('reports all three strategies with every metric as mean ± sd over folds, and resumes without retraining', async () => {
    const config = {
      data: path.join(tmp, 'data'),
      strategies: ['mtl-io', 'mtl', 'single'] as const,
      folds: 2,
      training: { ...DEFAULT_TRAINING, arch: resolveArchConfig({ width: 0.0625, inputSize: 32 }), epochs: 1, batchSize: 4, learningRate: 1e-3, augment: 'none' as const },
      tta: false,
    };
    const out = path.join(tmp, 'experiment');
    let trainedEpochs = 0;
    const result = await runExperiment(config, out, { codec, backend, onEvent: (e) => { if (e.type === 'epoch') trainedEpochs++; } }, false);
    // 3 strategies x 2 folds, one epoch each (the single-task baseline trains one network per task).
    expect(trainedEpochs).toBeGreaterThanOrEqual(6);
    expect(result.testSplit).toBe('test');
    expect(result.testImages).toBe(6);
    expect(result.strategies.map((s) => s.strategy)).toEqual(['mtl-io', 'mtl', 'single']);
    for (const s of result.strategies) {
      expect(s.folds).toBe(2);
      for (const metric of ['auc', 'odDice', 'ocDice', 'vcdrMae', 'foveaErrorPx'] as const) expect(s.metrics[metric].values).toHaveLength(2);
      expect(s.metrics.odDice.sd).not.toBeNull();
      expect(s.trainingSeconds).toBeGreaterThan(0);
    }
    // The single-task baseline is four networks; the multi-task ones share one.
    const params = Object.fromEntries(result.strategies.map((s) => [s.strategy, s.parameters]));
    expect(params.single).toBeGreaterThan(3 * params['mtl-io']!);
    expect(params.mtl).toBe(params['mtl-io']);

    const table = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    for (const row of ['MTL-IO (independent optimisers)', 'MTL (summed loss)', 'Single-task']) expect(table).toContain(`| ${row} |`);
    for (const column of ['AUC (avg)', 'AUC (network)', 'AUC (vCDR LR)', 'Sens @ 85 % spec', 'OD Dice', 'OC Dice', 'vCDR MAE', 'Fovea error (px)', 'Parameters', 'Training time']) {
      expect(table).toContain(column);
    }
    const mtlioRow = table.split('\n').find((l) => l.startsWith('| MTL-IO'))!;
    expect(mtlioRow.match(/±/g)!.length).toBeGreaterThanOrEqual(6);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ExperimentResult;
    expect(saved.strategies).toHaveLength(3);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('aria-label="ROC curves"');
    expect(html).toContain('aria-label="training curves"');
    expect(html).toMatch(/overlays\/(best|median|worst)\.png/);
    for (const f of ['best', 'median', 'worst']) expect(fs.existsSync(path.join(out, 'overlays', `${f}.png`))).toBe(true);

    // Resuming a finished experiment retrains nothing (not one epoch) and reproduces the same table.
    // Counted, not timed: a loaded machine must not make it fail, nor a fast one hide a retraining.
    const epochs: unknown[] = [];
    const again = await runExperiment(config, out, { codec, backend, onEvent: (e) => { if (e.type === 'epoch') epochs.push(e); } }, true);
    expect(again.strategies.map((s) => s.metrics.odDice.mean)).toEqual(result.strategies.map((s) => s.metrics.odDice.mean));
    expect(epochs).toEqual([]);
  });
});
