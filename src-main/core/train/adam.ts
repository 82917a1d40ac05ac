// Adam (Kingma & Ba) with its moment estimates keyed by weight name. MTL-IO
// gives every task one of these: each keeps its own moments over the weights
// its task touches, and a step of one never reads or writes another's.
//
// Not tf.train.adam: that optimiser matches moments to weights by position in
// the gradient list, and tfjs drops weights without a gradient from that list,
// so a batch that lacks one task's labels would shift every moment onto the
// wrong weight. Keyed by name, the state also checkpoints and resumes exactly.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const DEFAULT_ADAM: AdamSettings = { learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

interface Moments {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** Steps taken on this weight (PyTorch keeps a step count per weight). */
  steps: number;
}

export class Adam {
  #settings: AdamSettings;
  readonly #state = new Map<string, Moments>();

  constructor(settings: Partial<AdamSettings> = {}) {
    this.#settings = { ...DEFAULT_ADAM, ...settings };
  }

  get settings(): AdamSettings {
    return this.#settings;
  }

  /** For learning-rate schedules; the moments are untouched. */
  setLearningRate(learningRate: number): void {
    this.#settings = { ...this.#settings, learningRate };
  }

  /**
   * One update of each weight that has a gradient:
   * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
   * w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
   */
  apply(updates: ReadonlyArray<{ readonly name: string; readonly variable: tf.Variable; readonly grad: tf.Tensor }>): void {
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this.#settings;
    for (const { name, variable, grad } of updates) {
      let s = this.#state.get(name);
      if (!s) {
        s = { m: variableOf(tf.zerosLike(variable)), v: variableOf(tf.zerosLike(variable)), steps: 0 };
        this.#state.set(name, s);
      }
      s.steps += 1;
      const t = s.steps;
      const moments = s;
      tf.tidy(() => {
        const m = tf.add(tf.mul(moments.m, b1), tf.mul(grad, 1 - b1));
        const v = tf.add(tf.mul(moments.v, b2), tf.mul(tf.square(grad), 1 - b2));
        moments.m.assign(m);
        moments.v.assign(v);
        const stepSize = lr / (1 - b1 ** t);
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** t)), eps);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** Names of the weights this optimiser has moments for. */
  get names(): string[] {
    return [...this.#state.keys()];
  }

  /** The moments of one weight (for tests and inspection). */
  moments(name: string): { m: tf.Tensor; v: tf.Tensor; steps: number } | undefined {
    const s = this.#state.get(name);
    return s && { m: s.m, v: s.v, steps: s.steps };
  }

  /** State for a checkpoint: "<name>/m", "<name>/v" tensors (copies) and step counts. */
  exportState(): { tensors: Map<string, tf.Tensor>; steps: Record<string, number> } {
    const tensors = new Map<string, tf.Tensor>();
    const steps: Record<string, number> = {};
    for (const [name, s] of this.#state) {
      tensors.set(`${name}/m`, s.m.clone());
      tensors.set(`${name}/v`, s.v.clone());
      steps[name] = s.steps;
    }
    return { tensors, steps };
  }

  /** Restores exportState's output (tensors are copied; the caller keeps ownership). */
  importState(tensors: ReadonlyMap<string, tf.Tensor>, steps: Readonly<Record<string, number>>): void {
    this.dispose();
    for (const [name, count] of Object.entries(steps)) {
      const m = tensors.get(`${name}/m`);
      const v = tensors.get(`${name}/v`);
      if (!m || !v) throw new Error(`optimizer state: moments of "${name}" are missing`);
      this.#state.set(name, { m: variableOf(m.clone()), v: variableOf(v.clone()), steps: count });
    }
  }

  dispose(): void {
    for (const s of this.#state.values()) tf.dispose([s.m, s.v]);
    this.#state.clear();
  }
}

/** A non-trainable variable holding `value` (the temporary tensor is released). */
function variableOf(value: tf.Tensor): tf.Variable {
  const variable = tf.variable(value, false);
  value.dispose();
  return variable;
}
