// `finetune`: the app's fine-tune (core/train/finetune.ts runFinetune, run in
// the job process like `train`) from the command line, on any labelled data
// spec. The spec sent to the job is built only from the arguments and the data
// (no clock, no random id), so the same command with --resume continues the
// same run from its checkpoints.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inSplit, SPLIT_CHOICES, type SplitChoice } from '../../core/data/splits';
import { openDataset } from '../../core/data/spec';
import { InputError } from '../../core/errors';
import { DEFAULT_FINETUNE } from '../../core/jobs/finetune';
import { readManifest } from '../../core/model/package';
import type { FinetuneSpec, LabelledImage } from '../../core/train/finetune-spec';
import { holdBack, labelledImagesOf } from '../../core/train/finetune-data';
import { createSharpCodec } from '../../platform/sharp-codec';
import { flag, num, required, str, type CommandSpec, type ParsedOptions } from '../args';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf } from './common';

export const finetuneCommand: CommandSpec = {
  name: 'finetune',
  summary: "fine-tune a model package on labelled images (the app's fine-tune); the child package goes to DIR/model/",
  usage: 'glaucoma-studio finetune --model PKG --data SPEC --out DIR [options]',
  options: {
    model: { type: 'string', description: 'the parent model package (never modified)', placeholder: 'PKG' },
    data: { type: 'string', description: 'labelled images: refuge:PATH, drishti:PATH, roi:PATH, manifest:FILE.csv or a path (detected)', placeholder: 'SPEC' },
    out: { type: 'string', description: 'run folder (checkpoints, consensus masks, model/)', placeholder: 'DIR' },
    splits: { type: 'string', description: "which of the data's splits to fine-tune on: train (hold a test split apart), all, or test", default: 'train', choices: SPLIT_CHOICES },
    holdout: { type: 'string', description: 'held-back images to compare the child with its parent (a data spec; default: a fraction of --data)', placeholder: 'SPEC' },
    'holdout-fraction': { type: 'number', description: 'share of --data held back for the comparison when --holdout is not given (0: none)', default: 0.2 },
    replay: { type: 'string', description: 'labelled images you have of what the parent knew, mixed in (a data spec; e.g. earlier corrections)', placeholder: 'SPEC' },
    distill: { type: 'number', description: "weight of distilling the parent's outputs on the new images (0: off; default 1 without --replay, 0 with it)" },
    'update-batch-norm': { type: 'boolean', description: "let the new images' batch statistics replace the parent's (default: keep them; see docs/finetune.md)" },
    epochs: { type: 'number', description: 'fine-tuning epochs', default: DEFAULT_FINETUNE.epochs, integer: true, min: 1 },
    lr: { type: 'number', description: 'Adam learning rate (cosine decay)', default: DEFAULT_FINETUNE.learningRate },
    batch: { type: 'number', description: 'batch size', default: DEFAULT_FINETUNE.batchSize, integer: true, min: 1 },
    seed: { type: 'number', description: 'random seed (order, augmentation, hold-out)', default: 1, integer: true },
    name: { type: 'string', description: 'name of the new model version (default: the parent name and the data)' },
    resume: { type: 'boolean', description: 'continue an interrupted run in DIR from its checkpoints' },
    ...BACKEND_OPTION,
  },
  examples: [
    'glaucoma-studio finetune --model resources/model --data refuge:clinic/corrected --out runs/clinic --epochs 10',
    'glaucoma-studio finetune --model resources/model --data drishti:../shared/data/drishti-gs1 --splits test --holdout-fraction 0.2 --out runs/ft',
  ],
};

/** The images of a data spec in the chosen splits that carry any label. */
async function labelledOf(spec: string, splits: SplitChoice, maskDir: string): Promise<LabelledImage[]> {
  const opened = await openDataset(spec);
  for (const p of opened.dataset.problems) process.stderr.write(`warning: ${p.file}: ${p.problem}\n`);
  if (opened.detected) process.stderr.write(`${opened.detected}\n`);
  const all = opened.dataset.samples;
  const chosen = inSplit(all, splits);
  const images = await labelledImagesOf(chosen, createSharpCodec(), maskDir);
  if (images.length === 0) throw new InputError(spec, `no labelled image (disc/cup mask, fovea or glaucoma label) in the ${splits === 'all' ? '' : `${splits} `}images`);
  return images;
}

export async function runFinetuneCommand(options: ParsedOptions): Promise<number> {
  const out = path.resolve(required(options, 'out', 'finetune'));
  const parentDir = path.resolve(required(options, 'model', 'finetune'));
  const dataSpec = required(options, 'data', 'finetune');
  const splits = (str(options, 'splits') ?? 'train') as SplitChoice;
  const seed = num(options, 'seed');
  const resume = flag(options, 'resume');
  const outModelDir = path.join(out, 'model');
  if (fs.existsSync(outModelDir) && !resume) throw new InputError(outModelDir, 'already holds a model package; choose another --out (nothing is overwritten)');
  // The manifest only: TensorFlow loads in the job process, which checks the weights.
  const parentManifest = readManifest(parentDir);

  const data = await labelledOf(dataSpec, splits, path.join(out, 'masks', 'data'));
  const holdoutSpec = str(options, 'holdout');
  const { train, validation } = holdoutSpec
    ? { train: data, validation: await labelledOf(holdoutSpec, 'all', path.join(out, 'masks', 'holdout')) }
    : holdBack(data, num(options, 'holdout-fraction'), seed);
  if (train.length === 0) throw new InputError(dataSpec, `every image was held back (${validation.length}); lower --holdout-fraction`);
  const trainIds = new Set(train.map((t) => t.file));
  const leaked = validation.filter((v) => trainIds.has(v.file));
  if (leaked.length) throw new InputError(holdoutSpec ?? dataSpec, `${leaked.length} held-back image(s) are also training images (${path.basename(leaked[0]!.file)}); a comparison on them would be meaningless`);
  const replaySpec = str(options, 'replay');
  const replay = replaySpec ? await labelledOf(replaySpec, 'all', path.join(out, 'masks', 'replay')) : [];
  const distill = options['distill'];

  const identity = crypto.createHash('sha256').update(JSON.stringify({ parent: parentManifest.id, dataSpec, splits, holdoutSpec, replaySpec, seed })).digest('hex').slice(0, 8);
  const spec: FinetuneSpec = {
    parentModelDir: parentDir,
    outModelDir,
    runDir: path.join(out, 'run'),
    train,
    validation,
    replay,
    epochs: num(options, 'epochs'),
    learningRate: num(options, 'lr'),
    batchSize: num(options, 'batch'),
    seed,
    resume,
    modelId: `ft-${identity}`,
    modelName: str(options, 'name') ?? `${parentManifest.name} + ${train.length} images of ${path.basename(dataSpec.replace(/^[a-z]+:/, ''))}`,
    ...(typeof distill === 'number' ? { distillWeight: distill } : {}),
    ...(flag(options, 'update-batch-norm') ? { frozenBatchNorm: false } : {}),
    dataSource: dataSpec,
  };
  process.stderr.write(`fine-tuning ${parentManifest.id} on ${train.length} images, ${validation.length} held back, ${replay.length} replayed\n`);
  const result = await runJob({ kind: 'finetune', ...spec }, { backend: backendOf(options) });
  if (result.kind !== 'finetune') throw new Error(`unexpected result ${result.kind}`);
  if (validation.length > 0) {
    process.stdout.write(`held-back images (${validation.length}): child vs parent\n`);
    for (const [key, value] of Object.entries(result.validation)) {
      const before = result.parentValidation[key];
      if (value === null || value === undefined) continue;
      process.stdout.write(`  ${key.padEnd(14)} ${value.toFixed(3)}  (parent ${before === null || before === undefined ? '–' : before.toFixed(3)})\n`);
    }
  }
  process.stdout.write(`model package: ${result.modelDir} (${(result.seconds / 60).toFixed(1)} min)\n`);
  return 0;
}
