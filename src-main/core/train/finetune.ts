// Fine-tuning a model package on expert corrections: starts from the parent's
// weights, mixes in replayed examples of the parent's own training data when
// available (so the model does not forget what it knew), validates the new and
// the parent model on the same held-back corrected cases, and writes a new
// package atomically. The parent package is never modified.
import crypto from 'node:crypto';
import path from 'node:path';
import type { BackendInfo } from '../backend';
import type { ImageCodec } from '../data/image-codec';
import type { Sample } from '../data/sample';
import { InputError } from '../errors';
import { evaluateModel, type EvaluationSummary } from '../infer/evaluate';
import { Predictor } from '../infer/predictor';
import { MultiTaskUNet } from '../model/network';
import { loadModelPackage, saveModelPackage, type LoadedModel, type NetworkToSave } from '../model/package';
import type { Task } from '../types';
import { DEFAULT_AUGMENTATION } from './augment';
import type { FinetuneSpec, LabelledImage } from './finetune-spec';
import { hasLabel } from './example';
import { trainLoop, type EpochRecord, type TrainProgress } from './loop';
import { prepareExamples } from './prepare';
import { quickValidate } from './quick-validate';
import { MtlIndependentOptimizers } from './strategies';

export type FinetuneEvent =
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'progress'; readonly unit: string; readonly progress: TrainProgress; readonly overall: { done: number; total: number } }
  | { readonly type: 'epoch'; readonly unit: string; readonly record: EpochRecord };

export interface FinetuneResult {
  readonly modelDir: string;
  readonly modelId: string;
  readonly validation: Record<string, number | null>;
  readonly parentValidation: Record<string, number | null>;
  readonly seconds: number;
}

function toSample(image: LabelledImage): Sample {
  return {
    id: image.id,
    imageFile: image.file,
    dataset: 'manifest',
    ...(image.mask ? { masks: { kind: 'refuge' as const, file: image.mask } } : {}),
    ...(image.fovea ? { fovea: image.fovea } : {}),
    ...(image.glaucoma !== undefined ? { glaucoma: image.glaucoma } : {}),
  };
}

function metricsOf(summary: EvaluationSummary): Record<string, number | null> {
  return { odDice: summary.odDice, ocDice: summary.ocDice, vcdrMae: summary.vcdrMae, foveaErrorPx: summary.foveaErrorPx, auc: summary.auc };
}

export async function runFinetune(
  spec: FinetuneSpec,
  deps: { codec: ImageCodec; backend: BackendInfo; signal?: AbortSignal; onEvent?: (e: FinetuneEvent) => void },
): Promise<FinetuneResult> {
  const started = performance.now();
  const log = (message: string): void => deps.onEvent?.({ type: 'log', message });
  if (spec.train.length === 0) throw new InputError(spec.runDir, 'no corrected cases to fine-tune on');
  const parent = loadModelPackage(spec.parentModelDir);
  const fresh: NetworkToSave[] = [];
  try {
    const trainSamples = [...spec.train, ...spec.replay].map(toSample);
    const validationSamples = spec.validation.map(toSample);
    const fingerprint = crypto.createHash('sha256').update(JSON.stringify({ ...spec, resume: undefined })).digest('hex');
    const networks = parent.networks;
    for (const [index, network] of networks.entries()) {
      const unit = `network ${network.entry.id}`;
      const prepared = await prepareExamples(trainSamples, deps.codec, { size: network.net.config.inputSize, input: network.entry.input, signal: deps.signal });
      for (const p of prepared.problems) log(`${path.basename(p.file)}: ${p.problem}`);
      const tasks: Task[] = network.entry.tasks.filter((t) => parent.manifest.trainedTasks.includes(t) && prepared.examples.some((e) => hasLabel(e, t)));
      const net = MultiTaskUNet.fromWeights(network.net.config, network.net.params.snapshot());
      fresh.push({ id: network.entry.id, tasks: network.entry.tasks, input: network.entry.input, net });
      if (tasks.length === 0) {
        log(`${unit}: no correction carries its tasks (${network.entry.tasks.join(', ')}); kept as it was`);
        continue;
      }
      const validationSet = validationSamples.length
        ? (await prepareExamples(validationSamples, deps.codec, { size: net.config.inputSize, input: network.entry.input, signal: deps.signal })).examples
        : [];
      const strategy = new MtlIndependentOptimizers(tasks, { learningRate: spec.learningRate });
      try {
        log(`${unit}: fine-tuning ${tasks.join(', ')} on ${prepared.examples.length} images (${spec.train.length} corrections, ${spec.replay.length} replayed)`);
        await trainLoop({
          model: net,
          strategy,
          train: prepared.examples,
          epochs: spec.epochs,
          batchSize: spec.batchSize,
          seed: spec.seed,
          augment: DEFAULT_AUGMENTATION,
          schedule: { learningRate: spec.learningRate, kind: 'cosine' },
          evaluate: validationSet.length ? (m) => quickValidate(m, validationSet, tasks) : undefined,
          runDir: path.join(spec.runDir, network.entry.id),
          fingerprint: `${fingerprint}:${network.entry.id}`,
          resume: spec.resume,
          signal: deps.signal,
          onProgress: (progress) =>
            deps.onEvent?.({ type: 'progress', unit, progress, overall: { done: index + (progress.epoch + progress.step / progress.steps) / progress.epochs, total: networks.length } }),
          onEpoch: (record) => deps.onEvent?.({ type: 'epoch', unit, record }),
        });
      } finally {
        strategy.dispose();
      }
    }
    const candidate: LoadedModel = {
      dir: spec.outModelDir,
      manifest: { ...parent.manifest, networks: parent.manifest.networks },
      networks: fresh.map((n) => ({ entry: parent.manifest.networks.find((e) => e.id === n.id)!, net: n.net })),
      dispose: () => undefined,
    };
    let validation: Record<string, number | null> = {};
    let parentValidation: Record<string, number | null> = {};
    if (validationSamples.length > 0) {
      log(`validating the new and the parent model on ${validationSamples.length} held-back corrected cases`);
      validation = metricsOf((await evaluateModel(new Predictor(candidate, deps.codec), validationSamples, deps.codec, { tta: false, signal: deps.signal })).summary);
      parentValidation = metricsOf((await evaluateModel(new Predictor(parent, deps.codec), validationSamples, deps.codec, { tta: false, signal: deps.signal })).summary);
    }
    const m = parent.manifest;
    await saveModelPackage(
      spec.outModelDir,
      {
        id: spec.modelId,
        name: spec.modelName,
        createdAt: new Date().toISOString(),
        description: `Fine-tuned from ${m.name} on ${spec.train.length} expert corrections${spec.replay.length ? ` and ${spec.replay.length} replayed training images` : ''}.`,
        trainedTasks: m.trainedTasks,
        preprocessing: m.preprocessing,
        vcdrRegression: m.vcdrRegression,
        dataCard: {
          ...m.dataCard,
          images: m.dataCard.images + spec.train.length,
          notes: `${m.dataCard.notes ? `${m.dataCard.notes} ` : ''}Fine-tuned on ${spec.train.length} expert-corrected images.`,
        },
        training: { finetune: { epochs: spec.epochs, learningRate: spec.learningRate, batchSize: spec.batchSize, seed: spec.seed, corrections: spec.train.length, replay: spec.replay.length, backend: deps.backend }, parent: m.training },
        validation: validationSamples.length
          ? { note: `${validationSamples.length} held-back expert-corrected cases (not used for fine-tuning)`, metrics: validation, baseline: { modelId: m.id, metrics: parentValidation } }
          : null,
        parent: m.id,
      },
      fresh,
      parent.manifest.networks[0]?.weights.entries[0]?.dtype ?? 'float32',
    );
    return { modelDir: spec.outModelDir, modelId: spec.modelId, validation, parentValidation, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const n of fresh) n.net.dispose();
    parent.dispose();
  }
}
