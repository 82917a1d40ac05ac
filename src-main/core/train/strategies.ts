// How a batch becomes weight updates. Three strategies, compared in the paper:
//  - mtl-io ("independent optimisers"): for each task in turn its own forward
//    pass, loss, backward and a step of its own Adam; task k starts from the
//    weights task k-1 left.
//  - mtl: one forward pass, the sum of the task losses, one Adam.
//  - single: one task, one Adam (the single-task baseline trains one network per task).
import * as tf from '@tensorflow/tfjs-core';
import { focalLoss, l1HeatmapLoss, segmentationLoss, type SegmentationLoss } from '../model/losses';
import type { MultiTaskUNet, TaskLogits } from '../model/network';
import { TASK_GROUPS, type ParamGroup } from '../model/params';
import { TASKS, type Task } from '../types';
import { Adam, type AdamSettings } from './adam';
import { distillationLoss, teacherProbabilities, type Distillation } from './distill';
import type { Batch } from './example';

export const STRATEGY_NAMES = ['mtl-io', 'mtl', 'single'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Per-task losses of one step, still on the device (read them once per epoch, not per step). */
export type StepLosses = Partial<Record<Task, tf.Scalar>>;

export interface TrainStrategy {
  readonly name: StrategyName;
  /** Tasks this strategy trains, in stepping order. */
  readonly tasks: readonly Task[];
  /** One optimisation step on a batch. `seed` drives dropout. */
  step(model: MultiTaskUNet, batch: Batch, seed: number): StepLosses;
  /** Sets every optimiser's learning rate (schedules). */
  setLearningRate(learningRate: number): void;
  /** Optimiser state for checkpoints, keyed "<optimiser>/<weight>/<m|v>". */
  exportState(): { tensors: Map<string, tf.Tensor>; steps: Record<string, Record<string, number>> };
  importState(tensors: ReadonlyMap<string, tf.Tensor>, steps: Readonly<Record<string, Record<string, number>>>): void;
  dispose(): void;
}

/** The loss of one task on its labelled rows. logits: glaucoma [b] or dense [b,S,S,1]; `segLoss` is the disc and cup loss. */
export function taskLoss(task: Task, logits: tf.Tensor, target: tf.Tensor, segLoss: SegmentationLoss = 'bce'): tf.Scalar {
  switch (task) {
    case 'glaucoma':
      return focalLoss(logits, target, 2, 1);
    case 'od':
    case 'oc':
      return segmentationLoss(segLoss, logits, target);
    case 'fovea':
      return l1HeatmapLoss(logits, target);
  }
}

/** The rows of a batch's input that carry `task`'s label (the whole input if all do). */
function labelledInput(batch: Batch, task: Task): tf.Tensor4D {
  const rows = batch.rows[task];
  return rows.length === batch.count ? batch.x : (tf.gather(batch.x, rows) as tf.Tensor4D);
}

type BnStat = { layer: string; mean: tf.Tensor1D; variance: tf.Tensor1D };

/**
 * Computes the gradient of `loss` over `groups`' trainable weights, applies
 * `optimizer`, then the batch-norm statistics gathered during the forward pass.
 * Returns the loss value (kept).
 */
function optimise(model: MultiTaskUNet, optimizer: Adam, groups: readonly ParamGroup[], loss: (collect: (s: BnStat) => void) => tf.Scalar): tf.Scalar {
  const stats: BnStat[] = [];
  const names = model.params.specs.filter((s) => s.trainable && groups.includes(s.group)).map((s) => s.name);
  const variables = names.map((n) => model.params.get(n));
  const { value, grads } = tf.variableGrads(() => loss((s) => stats.push(s)), variables);
  optimizer.apply(
    names.flatMap((name, i) => {
      const grad = grads[variables[i]!.name];
      return grad ? [{ name, variable: variables[i]!, grad }] : [];
    }),
  );
  tf.dispose(Object.values(grads));
  model.updateBatchNormStatistics(stats);
  model.weightsChanged();
  return value;
}

export class MtlIndependentOptimizers implements TrainStrategy {
  readonly name = 'mtl-io';
  readonly tasks: readonly Task[];
  readonly optimizers: ReadonlyMap<Task, Adam>;
  readonly #distill: Distillation | null;
  readonly #frozenBatchNorm: boolean;
  readonly #segLoss: SegmentationLoss;

  /**
   * `segLoss`: the disc and cup loss (default the paper's BCE).
   * Fine-tuning: `distill`: each task's loss adds weight x the distillation loss
   * against the teacher on every row of the batch, and a task whose label no row
   * carries steps on the distillation term alone. `frozenBatchNorm`: normalise
   * with the parent's moving statistics and keep them.
   */
  constructor(
    tasks: readonly Task[] = TASKS,
    adam: Partial<AdamSettings> = {},
    options: { distill?: Distillation | null; frozenBatchNorm?: boolean; segLoss?: SegmentationLoss } = {},
  ) {
    // Stepping order is the paper's (glaucoma, OD, OC, fovea), whatever order the caller lists.
    this.tasks = TASKS.filter((t) => tasks.includes(t));
    this.optimizers = new Map(this.tasks.map((t) => [t, new Adam(adam)]));
    this.#distill = options.distill && options.distill.weight > 0 ? options.distill : null;
    this.#frozenBatchNorm = options.frozenBatchNorm === true;
    this.#segLoss = options.segLoss ?? 'bce';
  }

  step(model: MultiTaskUNet, batch: Batch, seed: number): StepLosses {
    const losses: StepLosses = {};
    const distill = this.#distill;
    const soft = distill ? teacherProbabilities(distill.teacher, batch.x, this.tasks) : {};
    try {
      this.tasks.forEach((task, k) => {
        const target = batch.targets[task];
        const teacher = soft[task];
        if (!target && !teacher) return; // no example in this batch carries this task's label
        losses[task] = optimise(model, this.optimizers.get(task)!, TASK_GROUPS[task], (collect) => {
          const x = teacher ? batch.x : labelledInput(batch, task);
          // The glaucoma pass asks for the glaucoma head only, so it stops at the encoder.
          const frozenBatchNorm = this.#frozenBatchNorm;
          const out = model.forward(x, { training: true, tasks: [task], dropoutSeed: seed * 4 + k, frozenBatchNorm }, (layer, mean, variance) =>
            collect({ layer, mean, variance }),
          )[task]!;
          if (!teacher) return taskLoss(task, out, target!, this.#segLoss);
          const distilled = tf.mul(distillationLoss(task, out, teacher), distill!.weight) as tf.Scalar;
          if (!target) return distilled;
          const rows = batch.rows[task];
          const labelled = rows.length === batch.count ? out : tf.gather(out, rows);
          return tf.add(taskLoss(task, labelled, target, this.#segLoss), distilled) as tf.Scalar;
        });
      });
    } finally {
      tf.dispose(Object.values(soft));
    }
    return losses;
  }

  setLearningRate(learningRate: number): void {
    for (const o of this.optimizers.values()) o.setLearningRate(learningRate);
  }

  exportState() {
    return exportOptimizers(this.optimizers);
  }

  importState(tensors: ReadonlyMap<string, tf.Tensor>, steps: Readonly<Record<string, Record<string, number>>>): void {
    importOptimizers(this.optimizers, tensors, steps);
  }

  dispose(): void {
    for (const o of this.optimizers.values()) o.dispose();
  }
}

/** Summed-loss multi-task learning, and (with one task) the single-task baseline. */
class SharedOptimizerStrategy implements TrainStrategy {
  readonly optimizer: Adam;
  readonly #segLoss: SegmentationLoss;

  constructor(
    readonly name: 'mtl' | 'single',
    readonly tasks: readonly Task[],
    adam: Partial<AdamSettings>,
    segLoss: SegmentationLoss = 'bce',
  ) {
    this.optimizer = new Adam(adam);
    this.#segLoss = segLoss;
  }

  step(model: MultiTaskUNet, batch: Batch, seed: number): StepLosses {
    const present = this.tasks.filter((t) => batch.targets[t]);
    if (present.length === 0) return {};
    // Rows without any label of these tasks would cost a forward pass and teach nothing.
    const used = [...new Set(present.flatMap((t) => batch.rows[t]))].sort((a, b) => a - b);
    const position = new Map(used.map((row, i) => [row, i]));
    const parts: StepLosses = {};
    const groups = [...new Set(present.flatMap((t) => TASK_GROUPS[t]))];
    const total = optimise(model, this.optimizer, groups, (collect) => {
      const x = used.length === batch.count ? batch.x : (tf.gather(batch.x, used) as tf.Tensor4D);
      const out: TaskLogits = model.forward(x, { training: true, tasks: present, dropoutSeed: seed }, (layer, mean, variance) =>
        collect({ layer, mean, variance }),
      );
      const terms = present.map((task) => {
        const rows = batch.rows[task];
        const logits = rows.length === used.length ? out[task]! : tf.gather(out[task]!, rows.map((r) => position.get(r)!));
        const loss = taskLoss(task, logits, batch.targets[task]!, this.#segLoss);
        parts[task] = tf.keep(loss);
        return loss;
      });
      return tf.addN(terms) as tf.Scalar;
    });
    total.dispose();
    return parts;
  }

  setLearningRate(learningRate: number): void {
    this.optimizer.setLearningRate(learningRate);
  }

  exportState() {
    return exportOptimizers(new Map([['shared', this.optimizer]]));
  }

  importState(tensors: ReadonlyMap<string, tf.Tensor>, steps: Readonly<Record<string, Record<string, number>>>): void {
    importOptimizers(new Map([['shared', this.optimizer]]), tensors, steps);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export class SummedLossMtl extends SharedOptimizerStrategy {
  constructor(tasks: readonly Task[] = TASKS, adam: Partial<AdamSettings> = {}, segLoss: SegmentationLoss = 'bce') {
    super('mtl', TASKS.filter((t) => tasks.includes(t)), adam, segLoss);
  }
}

export class SingleTask extends SharedOptimizerStrategy {
  constructor(task: Task, adam: Partial<AdamSettings> = {}, segLoss: SegmentationLoss = 'bce') {
    super('single', [task], adam, segLoss);
  }
}

function exportOptimizers(optimizers: ReadonlyMap<string, Adam>) {
  const tensors = new Map<string, tf.Tensor>();
  const steps: Record<string, Record<string, number>> = {};
  for (const [key, opt] of optimizers) {
    const state = opt.exportState();
    for (const [name, t] of state.tensors) tensors.set(`${key}/${name}`, t);
    steps[key] = state.steps;
  }
  return { tensors, steps };
}

function importOptimizers(
  optimizers: ReadonlyMap<string, Adam>,
  tensors: ReadonlyMap<string, tf.Tensor>,
  steps: Readonly<Record<string, Record<string, number>>>,
): void {
  for (const [key, opt] of optimizers) {
    const prefix = `${key}/`;
    const own = new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
    opt.importState(own, steps[key] ?? {});
  }
}

/** Builds a strategy by name; `single` needs exactly one task. */
export function createStrategy(name: StrategyName, tasks: readonly Task[], adam: Partial<AdamSettings> = {}, segLoss: SegmentationLoss = 'bce'): TrainStrategy {
  switch (name) {
    case 'mtl-io':
      return new MtlIndependentOptimizers(tasks, adam, { segLoss });
    case 'mtl':
      return new SummedLossMtl(tasks, adam, segLoss);
    case 'single':
      if (tasks.length !== 1) throw new Error(`strategy single trains one task per network, got ${tasks.length} (${tasks.join(', ')})`);
      return new SingleTask(tasks[0]!, adam, segLoss);
  }
}
