// Fused TensorFlow kernels for training, reached through the native backend's
// generic op runner. tfjs composes batch norm from ~15 small kernels and runs
// ReLU's gradient as a Step kernel that tfjs-node builds from IsNan, Greater,
// Fill and Select; TensorFlow has one fused kernel for each (FusedBatchNormV3,
// FusedBatchNormGradV3, ReluGrad). Measured on a 128 px training step
// (bench/RESULTS.md): the ReLU-gradient path alone was a quarter of the step.
//
// Duck-typed, not imported: the core must not load tfjs-node. Every other
// backend (wasm, cpu, webgl) takes the generic path in layers.ts.
import * as tf from '@tensorflow/tfjs-core';

interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

interface NativeBackendShape {
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
}

export interface NativeKernels {
  /**
   * Batch norm over a training batch (NHWC). Returns y, the batch mean, the
   * unbiased batch variance (for moving averages) and the reserve tensors the
   * gradient needs.
   */
  batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): { y: tf.Tensor4D; mean: tf.Tensor1D; unbiasedVariance: tf.Tensor1D; reserve: tf.Tensor[] };
  /** Gradients of batch norm w.r.t. x, gamma and beta. */
  batchNormGrad(dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, reserve: readonly tf.Tensor[], epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor];
  /** dy where the ReLU's output (or input) is positive, else 0. */
  reluGrad(dy: tf.Tensor, features: tf.Tensor): tf.Tensor;
}

let cached: { backend: unknown; kernels: NativeKernels | null } | undefined;

/**
 * Set to 0 to train with tfjs's own composed kernels even on native TensorFlow:
 * for comparing speed (bench/RESULTS.md), or as a way out should a TensorFlow
 * build ever lack one of the fused kernels.
 */
export const FUSED_KERNELS_ENV = 'GLAUCOMA_STUDIO_FUSED_KERNELS';

/** The fused kernels when the current backend is native TensorFlow, else null. */
export function nativeKernels(): NativeKernels | null {
  const enabled = (typeof process === 'undefined' ? undefined : process.env[FUSED_KERNELS_ENV]) !== '0';
  const backend = enabled && tf.getBackend() === 'tensorflow' ? (tf.backend() as unknown) : null;
  if (cached && cached.backend === backend) return cached.kernels;
  cached = { backend, kernels: backend && isNative(backend) ? makeKernels(backend) : null };
  return cached.kernels;
}

function isNative(backend: unknown): backend is NativeBackendShape {
  const b = backend as Partial<NativeBackendShape>;
  return typeof b.executeMultipleOutputs === 'function' && typeof b.executeSingleOutput === 'function' && typeof b.binding?.TF_ATTR_TYPE === 'number';
}

function makeKernels(backend: NativeBackendShape): NativeKernels {
  const b = backend.binding;
  const type = (name: string): OpAttr => ({ name, type: b.TF_ATTR_TYPE, value: b.TF_FLOAT });
  const common = (epsilon: number): OpAttr[] => [
    type('T'),
    type('U'),
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: true },
  ];
  return {
    batchNormTrain(x, gamma, beta, epsilon) {
      const empty = tf.tensor1d([], 'float32');
      const attrs = [...common(epsilon), { name: 'exponential_avg_factor', type: b.TF_ATTR_FLOAT, value: 1 }];
      const [y, mean, variance, r1, r2, r3] = backend.executeMultipleOutputs('FusedBatchNormV3', attrs, [x, gamma, beta, empty, empty], 6);
      empty.dispose();
      return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, unbiasedVariance: variance as tf.Tensor1D, reserve: [r1!, r2!, r3!] };
    },
    batchNormGrad(dy, x, gamma, reserve, epsilon) {
      const [dx, dGamma, dBeta, extra1, extra2] = backend.executeMultipleOutputs('FusedBatchNormGradV3', common(epsilon), [dy, x, gamma, ...reserve], 5);
      tf.dispose([extra1!, extra2!]);
      return [dx!, dGamma!, dBeta!];
    },
    reluGrad(dy, features) {
      return backend.executeSingleOutput('ReluGrad', [type('T')], [dy, features]);
    },
  };
}
