// A training example as the trainer sees it: the network input already
// letterboxed to the model size, labels in the same pixel frame. Any label may
// be missing; each task trains only on the examples that carry its label.
import * as tf from '@tensorflow/tfjs-core';
import { foveaSigma } from '../model/tasks';
import type { Point, Task } from '../types';

export interface TrainingExample {
  readonly id: string;
  /** Side of the square input in pixels. */
  readonly size: number;
  /** RGB, interleaved, size*size*3, 0-255. */
  readonly image: Uint8Array;
  /** Optic disc mask, size*size, 0/1 (includes the cup). */
  readonly od?: Uint8Array;
  /** Optic cup mask, size*size, 0/1. */
  readonly oc?: Uint8Array;
  /**
   * The experts' agreement on the cup, size*size, 0-255 (the share of experts who drew
   * each pixel cup). When present it is the cup's training target in place of `oc` (a
   * soft target); `oc` stays the consensus that validation scores against.
   */
  readonly ocAgreement?: Uint8Array;
  /** Fovea in model pixels. */
  readonly fovea?: Point;
  readonly glaucoma?: 0 | 1;
}

export function hasLabel(example: TrainingExample, task: Task): boolean {
  switch (task) {
    case 'glaucoma':
      return example.glaucoma !== undefined;
    case 'od':
      return example.od !== undefined;
    case 'oc':
      return example.oc !== undefined;
    case 'fovea':
      return example.fovea !== undefined;
  }
}


/**
 * Isotropic Gaussian heat map with peak 1 at `center` (pixel centres at
 * integer coordinates). Returns size*size floats.
 */
export function gaussianHeatmap(size: number, center: Point, sigma: number): Float32Array {
  const out = new Float32Array(size * size);
  const inv = 1 / (2 * sigma * sigma);
  const gx = new Float32Array(size);
  const gy = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    gx[i] = Math.exp(-((i - center.x) ** 2) * inv);
    gy[i] = Math.exp(-((i - center.y) ** 2) * inv);
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = gy[y]! * gx[x]!;
  return out;
}

/** A batch on the device, with the indices of the examples that carry each label. */
export interface Batch {
  /** [B,S,S,3] float32 in [0,1]. */
  readonly x: tf.Tensor4D;
  readonly size: number;
  readonly count: number;
  /** Rows of the batch that carry each task's label. */
  readonly rows: Readonly<Record<Task, number[]>>;
  /** Targets of the rows in `rows[task]`, in that order. od/oc/fovea: [b,S,S,1]; glaucoma: [b]. */
  readonly targets: { readonly [T in Task]?: tf.Tensor };
}

/** Builds a batch (tensors owned by the caller: disposeBatch). */
export function makeBatch(examples: readonly TrainingExample[]): Batch {
  if (examples.length === 0) throw new Error('makeBatch: empty batch');
  const size = examples[0]!.size;
  const n = size * size;
  const pixels = new Float32Array(examples.length * n * 3);
  examples.forEach((e, i) => {
    if (e.size !== size) throw new Error(`makeBatch: example ${e.id} is ${e.size}px, the batch ${size}px`);
    const offset = i * n * 3;
    for (let j = 0; j < n * 3; j++) pixels[offset + j] = e.image[j]! / 255;
  });
  const rows = {} as Record<Task, number[]>;
  const targets: { [T in Task]?: tf.Tensor } = {};
  for (const task of ['glaucoma', 'od', 'oc', 'fovea'] as const) {
    rows[task] = examples.flatMap((e, i) => (hasLabel(e, task) ? [i] : []));
    const labelled = rows[task].map((i) => examples[i]!);
    if (labelled.length === 0) continue;
    if (task === 'glaucoma') {
      targets.glaucoma = tf.tensor1d(labelled.map((e) => e.glaucoma!));
    } else {
      const data = new Float32Array(labelled.length * n);
      labelled.forEach((e, k) => {
        if (task === 'fovea') data.set(gaussianHeatmap(size, e.fovea!, foveaSigma(size)), k * n);
        else {
          const agreement = task === 'oc' ? e.ocAgreement : undefined;
          if (agreement) for (let j = 0; j < n; j++) data[k * n + j] = agreement[j]! / 255;
          else {
            const mask = task === 'od' ? e.od! : e.oc!;
            for (let j = 0; j < n; j++) data[k * n + j] = mask[j]!;
          }
        }
      });
      targets[task] = tf.tensor4d(data, [labelled.length, size, size, 1]);
    }
  }
  return { x: tf.tensor4d(pixels, [examples.length, size, size, 3]), size, count: examples.length, rows, targets };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.x, ...Object.values(batch.targets).filter((t): t is tf.Tensor => t !== undefined)]);
}

/** Mean target value of each dense task over the examples that carry it (the heads' prior). */
export function foregroundFractions(examples: readonly TrainingExample[]): Partial<Record<'od' | 'oc' | 'fovea', number>> {
  const out: Partial<Record<'od' | 'oc' | 'fovea', number>> = {};
  for (const task of ['od', 'oc'] as const) {
    const masks = examples.flatMap((e) => (e[task] ? [e[task]!] : []));
    if (masks.length === 0) continue;
    let on = 0;
    let total = 0;
    for (const m of masks) {
      for (let i = 0; i < m.length; i++) on += m[i]!;
      total += m.length;
    }
    out[task] = on / total;
  }
  const withFovea = examples.find((e) => e.fovea);
  // A Gaussian of peak 1 sums to 2 pi sigma^2: that over the image is the mean target.
  if (withFovea) out.fovea = (2 * Math.PI * foveaSigma(withFovea.size) ** 2) / (withFovea.size * withFovea.size);
  return out;
}
