import fs from 'node:fs';
import path from 'node:path';
import { STRATEGY_NAMES, type StrategyName } from '../../core/train/strategies';
import { validateTrainingConfig } from '../../core/train/run-training';
import { flag, listOf, num, required, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf, MODEL_OPTIONS, trainingFlagsOf } from './common';

export const experimentCommand: CommandSpec = {
  name: 'experiment',
  summary: "the paper's protocol: k-fold CV on train+validation per strategy, every fold model scored on the test split; table, JSON and HTML report",
  usage: 'glaucoma-studio experiment --data SPEC --folds 5 --strategies mtl-io,mtl,single --out DIR [train flags]',
  options: {
    data: { type: 'string', description: 'dataset with a test split (REFUGE layout)', placeholder: 'SPEC' },
    folds: { type: 'number', description: 'cross-validation folds', default: 5, integer: true, min: 2 },
    strategies: { type: 'string', description: 'comma-separated strategies', default: STRATEGY_NAMES.join(',') },
    out: { type: 'string', description: 'experiment folder (results.md, results.json, report.html)', placeholder: 'DIR' },
    resume: { type: 'boolean', description: 'continue an interrupted experiment in DIR' },
    tta: { type: 'boolean', description: 'test-time augmentation when scoring' },
    ...MODEL_OPTIONS,
    ...BACKEND_OPTION,
  },
  examples: ['glaucoma-studio experiment --data refuge:data/synth --folds 5 --strategies mtl-io,mtl,single --out runs/experiment --epochs 10 --size 64 --width 0.125'],
};

export async function runExperimentCommand(options: ParsedOptions): Promise<number> {
  const strategies = listOf(str(options, 'strategies'));
  const bad = strategies.filter((s) => !(STRATEGY_NAMES as readonly string[]).includes(s));
  if (bad.length || strategies.length === 0) throw new UsageError(`--strategies: use a comma-separated list of ${STRATEGY_NAMES.join(', ')}`);
  const out = path.resolve(required(options, 'out', 'experiment'));
  const training = trainingFlagsOf(options);
  const data = required(options, 'data', 'experiment');
  validateTrainingConfig({ ...training, data, strategy: 'mtl-io', folds: num(options, 'folds'), finalModel: false, name: 'experiment' });
  const result = await runJob(
    { kind: 'experiment', config: { data, strategies: strategies as StrategyName[], folds: num(options, 'folds'), training, tta: flag(options, 'tta') }, outDir: out, resume: flag(options, 'resume') },
    { backend: backendOf(options) },
  );
  if (result.kind !== 'experiment') throw new Error(`unexpected result ${result.kind}`);
  process.stdout.write(fs.readFileSync(path.join(out, 'results.md'), 'utf8'));
  process.stdout.write(`\nreport: ${path.join(out, 'report.html')} (${(result.seconds / 60).toFixed(1)} min)\n`);
  return 0;
}
