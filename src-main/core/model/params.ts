// The network's weights: named variables, each tagged with the part of the
// network it belongs to, so a task can be given exactly the weights it touches
// (MTL-IO steps each task's own optimiser over those alone).
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../types';

/** Which part of the network a weight belongs to. */
export type ParamGroup = 'encoder' | 'decoder' | 'head:glaucoma' | 'head:od' | 'head:oc' | 'head:fovea';

export interface ParamSpec {
  /** Unique, stable name; the key in saved weights ("enc2.conv1.kernel"). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly group: ParamGroup;
  /** False for batch-norm moving statistics: saved, never stepped by an optimiser. */
  readonly trainable: boolean;
  /** How a fresh network initialises it. */
  readonly init: 'kaiming-uniform' | 'zeros' | 'ones' | 'constant';
  /** The value of a 'constant' init. */
  readonly value?: number;
  /** Fan-in for Kaiming init (kh * kw * in-channels, or in-features). */
  readonly fanIn?: number;
}

/** The groups each task's loss depends on: the glaucoma branch never reaches the decoder. */
export const TASK_GROUPS: Readonly<Record<Task, readonly ParamGroup[]>> = {
  glaucoma: ['encoder', 'head:glaucoma'],
  od: ['encoder', 'decoder', 'head:od'],
  oc: ['encoder', 'decoder', 'head:oc'],
  fovea: ['encoder', 'decoder', 'head:fovea'],
};

export class ParamStore {
  readonly #specs: ParamSpec[];
  readonly #vars = new Map<string, tf.Variable>();

  /** Creates the variables from `values` (name -> tensor, ownership taken), which must match `specs`. */
  constructor(specs: readonly ParamSpec[], values: ReadonlyMap<string, tf.Tensor>) {
    this.#specs = [...specs];
    const known = new Set(specs.map((s) => s.name));
    const unknown = [...values.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) throw new Error(`weights: unknown "${unknown[0]}"${unknown.length > 1 ? ` and ${unknown.length - 1} more` : ''}, not part of the architecture`);
    for (const spec of specs) {
      const value = values.get(spec.name);
      if (!value) throw new Error(`weights: missing "${spec.name}"`);
      if (!sameShape(value.shape, spec.shape)) {
        throw new Error(`weights: "${spec.name}" has shape [${value.shape}] but the architecture needs [${spec.shape}]`);
      }
      // Variable names are global in tfjs; a unique suffix lets several models coexist.
      this.#vars.set(spec.name, tf.variable(value, spec.trainable, `${spec.name}#${nextId++}`));
      value.dispose();
    }
  }

  get specs(): readonly ParamSpec[] {
    return this.#specs;
  }

  get(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (!v) throw new Error(`no weight named "${name}"`);
    return v;
  }

  has(name: string): boolean {
    return this.#vars.has(name);
  }

  /** Trainable variables of the given groups, in a stable order. */
  trainable(groups: readonly ParamGroup[]): tf.Variable[] {
    return this.#specs.filter((s) => s.trainable && groups.includes(s.group)).map((s) => this.get(s.name));
  }

  /** Trainable variables a task's loss depends on. */
  forTask(task: Task): tf.Variable[] {
    return this.trainable(TASK_GROUPS[task]);
  }

  /** Number of trainable parameters (batch-norm moving statistics excluded, as PyTorch counts them). */
  countTrainable(groups?: readonly ParamGroup[]): number {
    return this.#specs
      .filter((s) => s.trainable && (!groups || groups.includes(s.group)))
      .reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Copies of all values, keyed by name (caller disposes). */
  snapshot(): Map<string, tf.Tensor> {
    return new Map(this.#specs.map((s) => [s.name, this.get(s.name).clone()]));
  }

  /** Overwrites every variable from `values` (shapes must match; values are not disposed). */
  assign(values: ReadonlyMap<string, tf.Tensor>): void {
    for (const spec of this.#specs) {
      const value = values.get(spec.name);
      if (!value) throw new Error(`weights: missing "${spec.name}"`);
      if (!sameShape(value.shape, spec.shape)) {
        throw new Error(`weights: "${spec.name}" has shape [${value.shape}] but the architecture needs [${spec.shape}]`);
      }
      this.get(spec.name).assign(value);
    }
  }

  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}

let nextId = 0;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Initial values for a fresh network. Kaiming-uniform (He) for conv and dense
 * kernels: U(-b, b) with b = sqrt(6 / fan_in), the ReLU gain; biases zero;
 * batch-norm scale one, shift zero. Seeded: the same seed gives the same network.
 */
export function initialValues(specs: readonly ParamSpec[], seed: number): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  specs.forEach((spec, index) => {
    const shape = [...spec.shape];
    let value: tf.Tensor;
    if (spec.init === 'zeros') value = tf.zeros(shape);
    else if (spec.init === 'ones') value = tf.ones(shape);
    else if (spec.init === 'constant') value = tf.fill(shape, spec.value ?? 0);
    else {
      const fanIn = spec.fanIn ?? 1;
      const bound = Math.sqrt(6 / fanIn);
      // A per-weight seed keeps each weight's values stable when others are added.
      value = tf.randomUniform(shape, -bound, bound, 'float32', seed * 100_003 + index * 7919 + 1);
    }
    values.set(spec.name, value);
  });
  return values;
}
