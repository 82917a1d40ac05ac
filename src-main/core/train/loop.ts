// The training loop: seeded shuffling and augmentation, one strategy step per
// batch, losses read back once per epoch (no per-step host syncs), validation,
// an atomic checkpoint after each epoch, cancel, and resume from a checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../errors';
import type { MultiTaskUNet } from '../model/network';
import { createRng, deriveSeed } from '../random';
import { TASKS, type Task } from '../types';
import { augmentExample, NO_AUGMENTATION, type AugmentConfig } from './augment';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import { disposeBatch, makeBatch, type TrainingExample } from './example';
import type { TrainStrategy } from './strategies';

export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Steps done in this epoch. */
  readonly step: number;
  readonly steps: number;
  readonly elapsedS: number;
  /** Estimated seconds left, from the mean step time of this run so far. */
  readonly etaS: number | null;
}

export interface EpochRecord {
  readonly epoch: number;
  /** Mean loss per task over the epoch's steps that trained it. */
  readonly losses: Partial<Record<Task, number>>;
  readonly validation?: Readonly<Record<string, number | null>>;
  readonly seconds: number;
  /** [key: string]: unknown lets records go to JSON checkpoints as they are. */
  readonly [key: string]: unknown;
}

export interface TrainLoopOptions {
  readonly model: MultiTaskUNet;
  readonly strategy: TrainStrategy;
  readonly train: readonly TrainingExample[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly augment?: AugmentConfig;
  /**
   * Each epoch draws glaucomatous and normal eyes equally often (the smaller class
   * repeated), keeping the epoch's length (see epochOrder).
   */
  readonly balanceClasses?: boolean;
  /**
   * Learning-rate schedule over the run: 'constant' (the paper) or 'cosine'
   * (from `learningRate` down to zero at the last step), which settles the
   * weights at the end of a short run instead of leaving them wherever the
   * last noisy steps put them. Omit to leave the optimisers' rate alone.
   */
  readonly schedule?: { readonly learningRate: number; readonly kind: LearningRateSchedule; readonly warmupEpochs?: number };
  /** Scores the model on held-out data after an epoch (every `validateEvery` epochs and the last). */
  readonly evaluate?: (model: MultiTaskUNet) => Promise<Record<string, number | null>> | Record<string, number | null>;
  readonly validateEvery?: number;
  /** Folder of the run; a checkpoint is written there after every epoch when set. */
  readonly runDir?: string;
  /** Identifies the configuration and data; a checkpoint is only resumed under the same fingerprint. */
  readonly fingerprint?: string;
  /** Continue from runDir's checkpoint if there is one. */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  /**
   * After `afterEpochs` epochs (counted from the start, not from a resume), asks
   * `reason` whether the run has stalled; a reason stops the run with a
   * StalledStartError before that epoch's checkpoint is written.
   */
  readonly stallCheck?: { readonly afterEpochs: number; readonly reason: (model: MultiTaskUNet) => string | null };
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
}

/** The run stopped because its initialisation does not learn (see stall.ts). */
export class StalledStartError extends Error {
  constructor(
    readonly reason: string,
    readonly epochs: number,
  ) {
    super(`no learning after ${epochs} epochs: ${reason}`);
    this.name = 'StalledStartError';
  }
}

export type LearningRateSchedule = 'constant' | 'cosine';

/**
 * The learning rate at global step `step` of `total`. With `warmup` steps it first
 * rises linearly from base / warmup to base (Adam's first steps, taken on a random
 * initialisation's large gradients, are where a run can be thrown into a slow start),
 * then follows the schedule over the steps after the warm-up.
 */
export function scheduledLearningRate(base: number, kind: LearningRateSchedule, step: number, total: number, warmup = 0): number {
  if (warmup > 0 && step < warmup) return (base * (step + 1)) / warmup;
  if (kind === 'constant') return base;
  const span = total - warmup;
  if (span <= 1) return base;
  return 0.5 * base * (1 + Math.cos((Math.PI * Math.min(step - warmup, span - 1)) / (span - 1)));
}

export interface TrainLoopResult {
  readonly history: readonly EpochRecord[];
  /** Epoch the run started from (0 unless resumed). */
  readonly resumedFrom: number;
  readonly seconds: number;
}

/** Lets pending messages (cancel, progress requests) through between steps. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The order of an epoch's examples (indices into `train`), from (seed, epoch) only.
 * Balanced: Drishti-GS1 is 70 % glaucomatous, and a segmentation network trained
 * on it learns that cups are large: it over-estimates normal eyes' cups (on its
 * 13 normal test eyes, predicted vCDR 0.71 against the experts' 0.58), which is
 * what the decision then reads. A balanced epoch draws its `train.length`
 * examples from a pool of every image of the larger class and as many of the
 * smaller class (each of its images once, then again in a shuffled round, ...),
 * so each class fills about half of it. Examples without a glaucoma label join
 * the pool once; with one class only there is nothing to balance.
 */
export function epochOrder(train: readonly TrainingExample[], seed: number, epoch: number, balance: boolean): number[] {
  const rng = createRng(deriveSeed(seed, 'shuffle', epoch));
  const all = train.map((_, i) => i);
  if (!balance) return rng.shuffle(all);
  const byClass = [0, 1].map((c) => all.filter((i) => train[i]!.glaucoma === c));
  const unlabelled = all.filter((i) => train[i]!.glaucoma === undefined);
  if (byClass[0]!.length === 0 || byClass[1]!.length === 0) return rng.shuffle(all);
  const target = Math.max(byClass[0]!.length, byClass[1]!.length);
  const pool = [...unlabelled];
  for (const members of byClass) {
    const drawn: number[] = [];
    while (drawn.length < target) drawn.push(...rng.shuffle([...members]));
    pool.push(...drawn.slice(0, target));
  }
  return rng.shuffle(pool).slice(0, train.length);
}

export async function trainLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { model, strategy, train, epochs, batchSize, seed } = options;
  if (train.length === 0) throw new Error('no training examples');
  if (!(batchSize >= 1)) throw new Error(`batch size must be at least 1, got ${batchSize}`);
  const augment = options.augment ?? NO_AUGMENTATION;
  const balanced = options.balanceClasses === true;
  const fingerprint = options.fingerprint ?? '';
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  if (options.resume && options.runDir && readCheckpointState(options.runDir)) {
    const state = restoreCheckpoint(options.runDir, model, strategy, fingerprint);
    startEpoch = state.epochsDone;
    history = state.history as EpochRecord[];
  }
  const steps = Math.ceil(train.length / batchSize);
  const started = performance.now();
  let stepsRun = 0;
  const totalSteps = (epochs - startEpoch) * steps;

  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    const epochStart = performance.now();
    // Order and augmentation depend only on (seed, epoch, position): a resumed run repeats them exactly.
    const order = epochOrder(train, seed, epoch, balanced);
    const sums = new Map<Task, tf.Scalar>();
    const counts = new Map<Task, number>();
    for (let s = 0; s < steps; s++) {
      if (options.signal?.aborted) throw new CancelledError('training cancelled');
      const examples = order.slice(s * batchSize, (s + 1) * batchSize).map((i, k) => {
        const e = train[i]!;
        // Balanced epochs repeat images: seeded by position, so the copies are augmented differently.
        const seedOf = balanced ? deriveSeed(seed, 'augment-position', epoch, s * batchSize + k) : deriveSeed(seed, 'augment', epoch, i);
        return augment === NO_AUGMENTATION ? e : augmentExample(e, augment, createRng(seedOf));
      });
      const batch = makeBatch(examples);
      if (options.schedule) {
        const { learningRate, kind, warmupEpochs } = options.schedule;
        strategy.setLearningRate(scheduledLearningRate(learningRate, kind, epoch * steps + s, epochs * steps, Math.min(epochs, warmupEpochs ?? 0) * steps));
      }
      try {
        const losses = strategy.step(model, batch, deriveSeed(seed, 'dropout', epoch, s));
        for (const [task, loss] of Object.entries(losses) as [Task, tf.Scalar][]) {
          const previous = sums.get(task);
          sums.set(task, previous ? tf.tidy(() => tf.add(previous, loss)) : tf.clone(loss));
          previous?.dispose();
          loss.dispose();
          counts.set(task, (counts.get(task) ?? 0) + 1);
        }
      } finally {
        disposeBatch(batch);
      }
      stepsRun += 1;
      const elapsedS = (performance.now() - started) / 1000;
      options.onProgress?.({ epoch, epochs, step: s + 1, steps, elapsedS, etaS: (elapsedS / stepsRun) * (totalSteps - stepsRun) });
      await yieldToEventLoop();
    }
    const losses: Partial<Record<Task, number>> = {};
    for (const task of TASKS) {
      const sum = sums.get(task);
      if (sum) losses[task] = (await sum.data())[0]! / counts.get(task)!;
      sum?.dispose();
    }
    const isLast = epoch === epochs - 1;
    const every = options.validateEvery ?? 1;
    const validation = options.evaluate && (isLast || (epoch + 1) % every === 0) ? await options.evaluate(model) : undefined;
    const record: EpochRecord = { epoch, losses, ...(validation ? { validation } : {}), seconds: (performance.now() - epochStart) / 1000 };
    if (options.stallCheck && epoch + 1 === options.stallCheck.afterEpochs) {
      const reason = options.stallCheck.reason(model);
      if (reason) throw new StalledStartError(reason, epoch + 1);
    }
    history.push(record);
    if (options.runDir) await saveCheckpoint(options.runDir, model, strategy, { fingerprint, epochsDone: epoch + 1, history });
    options.onEpoch?.(record);
  }
  return { history, resumedFrom: startEpoch, seconds: (performance.now() - started) / 1000 };
}
