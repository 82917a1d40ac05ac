import path from 'node:path';
import { SPLIT_CHOICES, type SplitChoice } from '../../core/data/splits';
import { STRATEGY_NAMES, type StrategyName } from '../../core/train/strategies';
import { DEFAULT_TRAINING, validateTrainingConfig, type TrainingConfig } from '../../core/train/run-training';
import { flag, listOf, num, required, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf, MODEL_OPTIONS, trainingFlagsOf } from './common';
import { printValidation } from './print';

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train a model from a dataset (optionally cross-validated); the model package goes to DIR/model/',
  usage: 'glaucoma-studio train --data SPEC --strategy mtl-io|mtl|single --out DIR [options]',
  options: {
    data: { type: 'string', description: 'dataset: refuge:PATH, drishti:PATH, roi:PATH, manifest:FILE.csv or a path (detected)', placeholder: 'SPEC' },
    strategy: { type: 'string', description: 'mtl-io: each task its own Adam, stepped in turn; mtl: summed loss; single: one network per task', default: 'mtl-io', choices: STRATEGY_NAMES },
    out: { type: 'string', description: 'run folder (config, checkpoints, model/)', placeholder: 'DIR' },
    folds: { type: 'number', description: 'k-fold cross-validation before the final model (0: none)', default: 0, integer: true, min: 0 },
    resume: { type: 'boolean', description: 'continue an interrupted run in DIR from its checkpoints; folds already trained and scored with the same settings are reused' },
    fold: {
      type: 'string',
      description: 'train and score only these folds of --folds K (comma-separated, from 1), no final model: to spread a cross-validation over machines or sessions (collect folds/N into one run folder, then train --resume)',
      placeholder: 'N[,N]',
    },
    splits: {
      type: 'string',
      description: "train: hold the dataset's test split apart; all: train on it too (a model to ship, once the recipe is measured); test: train on the test split alone",
      default: 'train',
      choices: SPLIT_CHOICES,
    },
    'field-of-view': {
      type: 'number',
      description:
        "with --folds: each fold model reads up to N of its held-out photographs zoomed out and cut to disc crops, and the final package decides on the disc sizes they read as well as unshifted (as set-domain records them); 0: its cases' disc sizes only",
      default: 0,
      integer: true,
      min: 0,
      placeholder: 'N',
    },
    name: { type: 'string', description: 'model name', default: 'Glaucoma Studio model' },
    source: { type: 'string', description: 'data card: where the training data came from' },
    licence: { type: 'string', description: 'data card: licence terms of the training data' },
    notes: { type: 'string', description: 'data card: known limitations and other notes for users of the model' },
    ...MODEL_OPTIONS,
    ...BACKEND_OPTION,
  },
  examples: [
    'glaucoma-studio train --data refuge:data/synth --strategy mtl-io --out runs/synth --epochs 20 --width 0.25 --size 128',
    'glaucoma-studio train --data drishti:../shared/data/drishti-gs1 --out runs/drishti --folds 5 --augment domain --crop-stage',
    'glaucoma-studio train --data drishti:../shared/data/drishti-gs1 --splits all --out runs/ship --folds 5 --field-of-view 10',
  ],
};

export async function runTrain(options: ParsedOptions): Promise<number> {
  const out = path.resolve(required(options, 'out', 'train'));
  const config: TrainingConfig = {
    ...trainingFlagsOf(options),
    data: required(options, 'data', 'train'),
    strategy: str(options, 'strategy') as StrategyName,
    folds: num(options, 'folds'),
    name: str(options, 'name') ?? DEFAULT_TRAINING.name,
    dataCard: Object.fromEntries((['source', 'licence', 'notes'] as const).flatMap((key) => (str(options, key) ? [[key, str(options, key)]] : []))),
    finalModel: true,
    splits: (str(options, 'splits') ?? 'train') as SplitChoice,
    ...foldsOf(options),
    ...(num(options, 'field-of-view') > 0 ? { fieldOfView: num(options, 'field-of-view') } : {}),
  };
  validateTrainingConfig(config);
  const result = await runJob({ kind: 'train', config, outDir: out, resume: flag(options, 'resume') }, { backend: backendOf(options) });
  if (result.kind !== 'train') throw new Error(`unexpected result ${result.kind}`);
  for (const p of result.problems) process.stderr.write(`warning: ${p.file}: ${p.problem}\n`);
  if (result.crossValidation) printValidation(result.crossValidation);
  if (result.modelDir) process.stdout.write(`model package: ${result.modelDir} (${(result.seconds / 60).toFixed(1)} min)\n`);
  else process.stdout.write(`fold(s) ${config.onlyFolds?.join(', ')} trained and scored: ${path.join(out, 'folds')} (${(result.seconds / 60).toFixed(1)} min); no final model\n`);
  return 0;
}

function foldsOf(options: ParsedOptions): { onlyFolds?: number[] } {
  const value = str(options, 'fold');
  if (value === undefined) return {};
  const folds = listOf(value).map((f) => (/^\d+$/.test(f) ? Number(f) : Number.NaN));
  if (folds.length === 0 || folds.some((f) => Number.isNaN(f))) throw new UsageError(`--fold: "${value}" is not a list of fold numbers (e.g. 4 or 4,5)`);
  return { onlyFolds: [...new Set(folds)].sort((a, b) => a - b) };
}
