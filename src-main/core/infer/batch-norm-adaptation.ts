// Unsupervised adaptation to the folder being screened: batch-norm statistics
// re-estimated on its photographs (AdaBN: Li, Wang, Shi, Liu & Hou, "Revisiting
// batch normalization for practical domain adaptation", 2016). A network
// normalises each layer with the mean and variance of its training images; on
// another camera those statistics are off, and every later layer sees shifted
// features. Replacing them with the statistics of the new camera's own images
// needs no label and changes no learnt weight. The package on disk is never
// touched: the adapted statistics live in the predictor's memory only.
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormStatistics, MultiTaskUNet } from '../model/network';
import type { RgbImage, Task } from '../types';

/** At most this many network inputs per network (one batch; evenly spaced over the folder). */
export const MAX_ADAPTATION_INPUTS = 64;
/** Fewer gradable photographs than this give statistics too noisy to replace the training ones. */
export const MIN_ADAPTATION_IMAGES = 8;

/** `count` items evenly spaced over `items` (all of them when there are no more). */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / count)]!);
}

/**
 * Each batch norm's mean and unbiased variance over `inputs`, all in one batch
 * in training mode: every layer is normalised by the batch's own statistics
 * before the next layer's are taken, as AdaBN prescribes (statistics taken
 * through the old ones would describe features the adapted network never sees).
 * Only the dense decoder runs besides the encoder: the glaucoma head has no
 * batch norm, and training mode would apply its dropout.
 */
export function batchStatistics(net: MultiTaskUNet, inputs: readonly RgbImage[], tasks: readonly Task[]): BatchNormStatistics[] {
  if (inputs.length < 2) throw new Error(`batch-norm adaptation needs at least 2 network inputs, got ${inputs.length}`);
  const size = net.config.inputSize;
  const dense = tasks.filter((t) => t !== 'glaucoma');
  const stats: BatchNormStatistics[] = [];
  tf.tidy(() => {
    const data = new Float32Array(inputs.length * size * size * 3);
    inputs.forEach((image, i) => {
      if (image.width !== size || image.height !== size) throw new Error(`adaptation input ${i} is ${image.width}x${image.height}, the network reads ${size}x${size}`);
      for (let k = 0; k < image.data.length; k++) data[i * size * size * 3 + k] = image.data[k]! / 255;
    });
    const x = tf.tensor4d(data, [inputs.length, size, size, 3]);
    // The sink's tensors are kept by the batch-norm op and survive this tidy.
    // A glaucoma-only network has no decoder to adapt; its head's dropout touches no statistics.
    net.forward(x, { training: true, tasks: dense.length > 0 ? dense : ['glaucoma'] }, (layer, mean, variance) => stats.push({ layer, mean, variance }));
  });
  return stats;
}

/** Replaces a network's batch-norm statistics with those of `inputs` (AdaBN). */
export function adaptBatchNorm(net: MultiTaskUNet, inputs: readonly RgbImage[], tasks: readonly Task[]): void {
  net.updateBatchNormStatistics(batchStatistics(net, evenlySpaced(inputs, MAX_ADAPTATION_INPUTS), tasks), 1);
}
