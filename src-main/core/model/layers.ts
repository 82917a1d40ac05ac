// Building blocks of the U-Net as functions of tensors and weights. All tensors
// are NHWC float32. Each function is one step, to be called inside tf.tidy or a
// gradient tape.
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernels } from './native-ops';

export const BN_EPSILON = 1e-5;
/** PyTorch's default: moving = (1 - m) * moving + m * batch. */
export const BN_MOMENTUM = 0.1;

/** Receives each batch-norm layer's batch mean and unbiased variance during training (for the moving averages). */
export type BatchStatsSink = (layer: string, mean: tf.Tensor1D, unbiasedVariance: tf.Tensor1D) => void;

/** 3x3 (or 1x1) convolution, stride 1, 'same' padding. x: [B,H,W,Cin], kernel: [k,k,Cin,Cout] -> [B,H,W,Cout]. */
export function conv(x: tf.Tensor4D, kernel: tf.Tensor4D, bias?: tf.Tensor1D, activation: 'relu' | 'linear' = 'linear'): tf.Tensor4D {
  if (bias || activation !== 'linear') {
    return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: 'same', bias, activation });
  }
  return tf.conv2d(x, kernel, 1, 'same');
}

/**
 * ReLU for training, with its gradient written as one kernel (ReluGrad) on the
 * native backend or as dy * (y > 0) elsewhere. tfjs's own ReLU gradient goes
 * through Step, which tfjs-node builds from four kernels per call.
 */
export function reluTrain(x: tf.Tensor4D): tf.Tensor4D {
  const native = nativeKernels();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.relu(xIn);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => (native ? native.reluGrad(dy, saved[0]!) : tf.mul(dy, tf.cast(tf.greater(saved[0]!, 0), 'float32'))),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Batch norm with its moving statistics held fixed, then ReLU, differentiable
 * in x, gamma and beta: relu(gamma (x - mean) / sqrt(variance + eps) + beta).
 * Fine-tuning on a handful of another camera's images uses it: batch
 * statistics of those images would replace the moving statistics the parent
 * learnt on its own data (momentum 0.1: gone in a few dozen steps), which is
 * most of what a fine-tune forgets, and no loss term can protect them.
 */
export function frozenBatchNormReluTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, mean: tf.Tensor1D, variance: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
    const shift = tf.sub(beta, tf.mul(mean, scale));
    return reluTrain(tf.add(tf.mul(x, scale), shift) as tf.Tensor4D);
  });
}

/**
 * Batch norm over a training batch followed by ReLU, as one operation with a
 * hand-written gradient. On native TensorFlow: FusedBatchNormV3 + Relu forward,
 * ReluGrad + FusedBatchNormGradV3 backward. Elsewhere the closed form
 *   dx = gamma * invStd / n * (n * dy' - sum(dy') - xhat * sum(dy' * xhat)),
 * dy' = dy * (y > 0), which needs two reductions and a few element-wise ops
 * where the composed autodiff of moments + normalise costs about a third of a
 * training step. x: [B,H,W,C], gamma/beta: [C] -> [B,H,W,C]. The batch mean and
 * unbiased variance go to `onStats` (kept; the receiver disposes them).
 */
export function batchNormReluTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  onStats?: (mean: tf.Tensor1D, unbiasedVariance: tf.Tensor1D) => void,
): tf.Tensor4D {
  const native = nativeKernels();
  const [b, h, w] = x.shape;
  const n = b * h * w;
  // tfjs types customGrad's arguments as one variadic list: inputs, then the save function.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gammaIn, betaIn, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    if (native) {
      const { y, mean, unbiasedVariance, reserve } = native.batchNormTrain(xIn, gammaIn, betaIn, BN_EPSILON);
      const out = tf.relu(y);
      if (onStats) onStats(tf.keep(mean), tf.keep(unbiasedVariance));
      else tf.dispose([mean, unbiasedVariance]);
      save([xIn, gammaIn, out, ...reserve]);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, g, o, ...rest] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
          return native.batchNormGrad(native.reluGrad(dy, o), xs, g, rest, BN_EPSILON);
        },
      };
    }
    const { mean, variance } = tf.moments(xIn, [0, 1, 2]);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const xhat = tf.mul(tf.sub(xIn, mean), invStd);
    const out = tf.relu(tf.add(tf.mul(xhat, gammaIn), betaIn));
    if (onStats) onStats(tf.keep(mean as tf.Tensor1D), tf.keep(tf.mul(variance, n > 1 ? n / (n - 1) : 1) as tf.Tensor1D));
    save([xhat, invStd, gammaIn, out]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv, g, o] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dz = tf.mul(dy, tf.cast(tf.greater(o, 0), 'float32'));
        const dBeta = tf.sum(dz, [0, 1, 2]);
        const dGamma = tf.sum(tf.mul(dz, xh), [0, 1, 2]);
        const scale = tf.div(tf.mul(g, inv), n);
        const inner = tf.sub(tf.sub(tf.mul(dz, n), dBeta), tf.mul(xh, dGamma));
        return [tf.mul(inner, scale), dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/** 2x2 max-pool, stride 2. [B,H,W,C] -> [B,H/2,W/2,C]. */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}

/**
 * 2x bilinear upsampling with aligned corners, as the paper's PyTorch code
 * (nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)).
 * [B,H,W,C] -> [B,2H,2W,C].
 */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.image.resizeBilinear(x, [h * 2, w * 2], true);
}

/** Global max-pool over space: [B,H,W,C] -> [B,C]. */
export function globalMaxPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.max(x, [1, 2]) as tf.Tensor2D;
}

/**
 * Inverted dropout: keeps each unit with probability 1 - rate and scales by
 * 1 / (1 - rate). Seeded, so a training run is reproducible.
 */
export function dropout(x: tf.Tensor2D, rate: number, seed: number): tf.Tensor2D {
  if (rate <= 0) return x;
  const keep = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate));
  return tf.mul(x, tf.div(keep, 1 - rate));
}

/**
 * Folds a batch norm into the preceding convolution for inference:
 * w' = w * g / sqrt(v + eps), b' = beta + (convBias - mean) * g / sqrt(v + eps).
 * Saves a full pass over every activation map at test time.
 */
export function foldBatchNorm(
  kernel: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  convBias?: tf.Tensor1D,
): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const factor = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON))) as tf.Tensor1D;
    return {
      kernel: tf.mul(kernel, factor) as tf.Tensor4D,
      bias: tf.add(beta, tf.mul(convBias ? tf.sub(convBias, mean) : tf.neg(mean), factor)) as tf.Tensor1D,
    };
  });
}
