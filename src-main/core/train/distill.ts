// Learning without forgetting (Li & Hoiem 2016): while a model is fine-tuned on
// a clinic's corrections, its parent's own outputs on the same (augmented)
// images are extra soft targets, so what the parent knew is kept without the
// parent's training data, which is usually on another machine. Every head the
// parent was trained on is distilled, the ones the corrections carry no label
// for too (the glaucoma head, when experts corrected only disc and cup): the
// shared encoder moves under the new labels, and distillation pulls each head
// back towards what the parent said.
import * as tf from '@tensorflow/tfjs-core';
import type { MultiTaskUNet } from '../model/network';
import type { Task } from '../types';

/** Weight of the distillation term against the corrections' own loss when nothing is replayed (measured in docs/finetune.md). */
export const DEFAULT_DISTILL_WEIGHT = 1;

export interface Distillation {
  /** The frozen parent network (same architecture and input as the student). */
  readonly teacher: MultiTaskUNet;
  /** Multiplies the distillation term; 0 turns it off. */
  readonly weight: number;
}

/**
 * Binary Kullback-Leibler divergence KL(p || sigmoid(z)), element-wise, from
 * logits z and soft targets p in [0,1]:
 *   p log(p/q) + (1-p) log((1-p)/(1-q)) = BCE(z, p) - H(p),
 * zero exactly where the student agrees with the teacher (unlike the bare
 * cross-entropy, whose minimum is the teacher's entropy), so the term measures
 * only the disagreement. BCE is the overflow-free form on logits.
 */
export function binaryKlElementwise(logits: tf.Tensor, teacher: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, teacher)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    // H(p) with 0 log 0 = 0: clip inside the logs only.
    const eps = 1e-7;
    const p = tf.clipByValue(teacher, eps, 1 - eps);
    const entropy = tf.neg(tf.add(tf.mul(teacher, tf.log(p)), tf.mul(tf.sub(1, teacher), tf.log(tf.sub(1, p)))));
    return tf.sub(bce, entropy);
  });
}

/**
 * The distillation loss of one head: the mean binary KL for the probability
 * heads (glaucoma, disc, cup), the mean absolute difference of the heat maps
 * for the fovea (its own loss is L1 on the sigmoid too).
 */
export function distillationLoss(task: Task, studentLogits: tf.Tensor, teacherProbabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    task === 'fovea'
      ? (tf.mean(tf.abs(tf.sub(tf.sigmoid(studentLogits), teacherProbabilities))) as tf.Scalar)
      : (tf.mean(binaryKlElementwise(studentLogits, teacherProbabilities)) as tf.Scalar),
  );
}

/** The teacher's probabilities for `tasks` on a batch (inference mode: moving batch-norm statistics, no dropout). Caller disposes. */
export function teacherProbabilities(teacher: MultiTaskUNet, x: tf.Tensor4D, tasks: readonly Task[]): Partial<Record<Task, tf.Tensor>> {
  return tf.tidy(() => {
    const out = teacher.forward(x, { training: false, tasks });
    const probs: Partial<Record<Task, tf.Tensor>> = {};
    for (const task of tasks) if (out[task]) probs[task] = tf.sigmoid(out[task]!);
    return probs as Record<Task, tf.Tensor>;
  });
}
