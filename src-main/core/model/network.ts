// The multi-task U-Net: a VGG-style encoder, one shared decoder with skip
// connections, three 1x1 heads on the decoder (optic disc, optic cup, fovea
// heat map) and a fully connected glaucoma branch on the encoder's bottleneck.
// Encoder, decoder and heads are separate parameter groups; outputs are keyed
// by task.
import * as tf from '@tensorflow/tfjs-core';
import { DENSE_TASKS, type DenseTask } from './tasks';
import { LAYOUTS, resolveArchConfig, scaledChannels, type ArchConfig } from './config';
import {
  batchNormReluTrain,
  BN_MOMENTUM,
  frozenBatchNormReluTrain,
  conv,
  dropout,
  foldBatchNorm,
  globalMaxPool,
  maxPool2x2,
  reluTrain,
  upsample2x,
  type BatchStatsSink,
} from './layers';
import { fromPolar, toPolar } from './polar';
import { initialValues, ParamStore, type ParamGroup, type ParamSpec } from './params';
import type { Task } from '../types';

/** Initial bias of the 1x1 heads without data to go by: logit of a 1.8 % prior. */
export const HEAD_PRIOR_BIAS = -4;

/** Foreground fraction of each dense head's targets, for its initial bias. */
export type HeadPriors = Partial<Record<DenseTask, number>>;

/** logit(p), with p clamped to [0.0005, 0.5]: a head never starts more certain than that. */
export function priorBias(p: number): number {
  const q = Math.min(0.5, Math.max(5e-4, p));
  return Math.log(q / (1 - q));
}

/** One batch norm's mean and (unbiased) variance. */
export interface BatchNormStatistics {
  readonly layer: string;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** Raw (pre-sigmoid) outputs keyed by task. glaucoma: [B]; dense tasks: [B,S,S,1]. */
export interface TaskLogits {
  glaucoma?: tf.Tensor1D;
  od?: tf.Tensor4D;
  oc?: tf.Tensor4D;
  fovea?: tf.Tensor4D;
}

export interface ForwardOptions {
  /** Batch statistics and dropout (true), or moving statistics and folded batch norm (false). */
  readonly training: boolean;
  /** Heads to compute; with only 'glaucoma' the decoder is skipped entirely. */
  readonly tasks: readonly Task[];
  /** Seed of the glaucoma branch's dropout mask (training only). */
  readonly dropoutSeed?: number;
  /** Training only: normalise with the moving statistics and leave them unchanged (fine-tuning; layers.ts frozenBatchNormReluTrain). */
  readonly frozenBatchNorm?: boolean;
}

interface ConvUnit {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
}

/** Conv units of each encoder and decoder level, after the width multiplier. */
function convUnits(config: ArchConfig): { encoder: ConvUnit[][]; decoder: ConvUnit[][] } {
  const layout = LAYOUTS[config.variant];
  const encoder: ConvUnit[][] = [];
  let channels = 3;
  layout.encoder.forEach((level, l) => {
    encoder.push(
      level.map((c, i) => {
        const unit = { name: `enc${l}.conv${i}`, inChannels: channels, outChannels: scaledChannels(c, config.width) };
        channels = unit.outChannels;
        return unit;
      }),
    );
  });
  const decoder: ConvUnit[][] = [];
  layout.decoder.forEach((level, d) => {
    const skip = encoder[encoder.length - 2 - d]!;
    channels += skip[skip.length - 1]!.outChannels;
    decoder.push(
      level.map((c, i) => {
        const unit = { name: `dec${d}.conv${i}`, inChannels: channels, outChannels: scaledChannels(c, config.width) };
        channels = unit.outChannels;
        return unit;
      }),
    );
  });
  if (layout.decoder.length !== layout.encoder.length - 1) {
    throw new Error(`layout ${config.variant}: the decoder needs one level fewer than the encoder`);
  }
  return { encoder, decoder };
}

function convSpecs(unit: ConvUnit, group: ParamGroup, batchNorm: boolean, convBias: boolean): ParamSpec[] {
  const { name, inChannels: cin, outChannels: cout } = unit;
  const specs: ParamSpec[] = [
    { name: `${name}.kernel`, shape: [3, 3, cin, cout], group, trainable: true, init: 'kaiming-uniform', fanIn: 9 * cin },
  ];
  if (!batchNorm || convBias) {
    specs.push({ name: `${name}.bias`, shape: [cout], group, trainable: true, init: 'zeros' });
  }
  if (batchNorm) {
    specs.push(
      { name: `${name}.bn.gamma`, shape: [cout], group, trainable: true, init: 'ones' },
      { name: `${name}.bn.beta`, shape: [cout], group, trainable: true, init: 'zeros' },
      { name: `${name}.bn.mean`, shape: [cout], group, trainable: false, init: 'zeros' },
      { name: `${name}.bn.variance`, shape: [cout], group, trainable: false, init: 'ones' },
    );
  }
  return specs;
}

/** Every weight of the network for `config`, in a stable order. */
export function networkParamSpecs(config: ArchConfig): ParamSpec[] {
  const { encoder, decoder } = convUnits(config);
  const bn = config.normalization === 'batch';
  const bias = LAYOUTS[config.variant].convBias;
  const specs: ParamSpec[] = [];
  for (const level of encoder) for (const unit of level) specs.push(...convSpecs(unit, 'encoder', bn, bias));
  for (const level of decoder) for (const unit of level) specs.push(...convSpecs(unit, 'decoder', bn, bias));
  const decoderOut = decoder[decoder.length - 1]!.at(-1)!.outChannels;
  for (const task of DENSE_TASKS) {
    const group: ParamGroup = `head:${task}`;
    specs.push(
      { name: `head.${task}.kernel`, shape: [1, 1, decoderOut, 1], group, trainable: true, init: 'kaiming-uniform', fanIn: decoderOut },
      // Prior-probability bias (as RetinaNet's): the heads start out predicting "rare"
      // (sigmoid(-4) = 0.018) instead of 0.5 everywhere. Disc, cup and the fovea blob
      // cover a few percent of the image; starting at 0.5 spends the first epochs
      // only pushing the background down, and a flat fovea map has no usable peak.
      { name: `head.${task}.bias`, shape: [1], group, trainable: true, init: 'constant', value: HEAD_PRIOR_BIAS },
    );
  }
  const bottleneck = encoder[encoder.length - 1]!.at(-1)!.outChannels;
  let features = bottleneck;
  if (config.glaucomaHidden > 0) {
    specs.push(
      { name: 'head.glaucoma.hidden.kernel', shape: [features, config.glaucomaHidden], group: 'head:glaucoma', trainable: true, init: 'kaiming-uniform', fanIn: features },
      { name: 'head.glaucoma.hidden.bias', shape: [config.glaucomaHidden], group: 'head:glaucoma', trainable: true, init: 'zeros' },
    );
    features = config.glaucomaHidden;
  }
  specs.push(
    { name: 'head.glaucoma.out.kernel', shape: [features, 1], group: 'head:glaucoma', trainable: true, init: 'kaiming-uniform', fanIn: features },
    { name: 'head.glaucoma.out.bias', shape: [1], group: 'head:glaucoma', trainable: true, init: 'zeros' },
  );
  return specs;
}

/** The network: configuration plus weights. Owns its variables; call dispose(). */
export class MultiTaskUNet {
  readonly config: ArchConfig;
  readonly params: ParamStore;
  readonly #units: { encoder: ConvUnit[][]; decoder: ConvUnit[][] };
  /** Batch norm folded into conv weights for inference; rebuilt after the weights change. */
  #folded: Map<string, { kernel: tf.Tensor4D; bias: tf.Tensor1D }> | undefined;

  private constructor(config: ArchConfig, params: ParamStore) {
    this.config = config;
    this.params = params;
    this.#units = convUnits(config);
  }

  /** A freshly initialised network (Kaiming-uniform, seeded). */
  /**
   * A freshly initialised network (Kaiming-uniform, seeded). `priors` sets each
   * dense head's initial bias to the log-odds of its targets' foreground
   * fraction: Adam moves a bias by about one learning rate per step, so a bias
   * that starts far from the data's prior (a disc filling 20 % of a crop, not
   * 1.8 % of a photograph) takes thousands of steps to correct.
   */
  static create(config: Partial<ArchConfig>, seed = 1, priors: HeadPriors = {}): MultiTaskUNet {
    const resolved = resolveArchConfig(config);
    const specs = networkParamSpecs(resolved).map((spec) => {
      const task = /^head\.(od|oc|fovea)\.bias$/.exec(spec.name)?.[1] as DenseTask | undefined;
      return task && priors[task] !== undefined ? { ...spec, value: priorBias(priors[task]) } : spec;
    });
    return new MultiTaskUNet(resolved, new ParamStore(specs, initialValues(specs, seed)));
  }

  /** A network with the given weights (ownership of the tensors is taken). */
  static fromWeights(config: Partial<ArchConfig>, values: ReadonlyMap<string, tf.Tensor>): MultiTaskUNet {
    const resolved = resolveArchConfig(config);
    return new MultiTaskUNet(resolved, new ParamStore(networkParamSpecs(resolved), values));
  }

  /** Trainable parameter count, as PyTorch's sum(p.numel()) counts it. */
  parameterCount(groups?: readonly ParamGroup[]): number {
    return this.params.countTrainable(groups);
  }

  /** Must be called after the weights were changed in place (optimiser steps, loads). */
  weightsChanged(): void {
    if (this.#folded) for (const { kernel, bias } of this.#folded.values()) tf.dispose([kernel, bias]);
    this.#folded = undefined;
  }

  /**
   * Forward pass. x: [B,S,S,3] float32 in [0,1]. Returns logits for the
   * requested tasks. In training mode each batch norm's batch statistics go to
   * `onBatchStats` (see updateBatchNormStatistics).
   */
  forward(x: tf.Tensor4D, options: ForwardOptions, onBatchStats?: BatchStatsSink): TaskLogits {
    const { training, tasks } = options;
    const size = this.config.inputSize;
    if (x.shape[1] !== size || x.shape[2] !== size || x.shape[3] !== 3) {
      throw new Error(`network input must be [B,${size},${size},3], got [${x.shape}]`);
    }
    const unit = (h: tf.Tensor4D, u: ConvUnit): tf.Tensor4D => this.#convUnit(h, u, training, onBatchStats, options.frozenBatchNorm === true);
    const skips: tf.Tensor4D[] = [];
    let h = this.config.polar ? toPolar(x) : x;
    this.#units.encoder.forEach((level, l) => {
      if (l > 0) h = maxPool2x2(h);
      for (const u of level) h = unit(h, u);
      skips.push(h);
    });
    const out: TaskLogits = {};
    if (tasks.includes('glaucoma')) out.glaucoma = this.#glaucomaHead(h, training, options.dropoutSeed ?? 0);
    const dense = DENSE_TASKS.filter((t) => tasks.includes(t));
    if (dense.length === 0) return out;
    this.#units.decoder.forEach((level, d) => {
      const skip = skips[skips.length - 2 - d]!;
      // Skip first, then the upsampled path: the channel order of the paper's torch.cat([x2, x1]).
      h = tf.concat([skip, upsample2x(h)], 3);
      for (const u of level) h = unit(h, u);
    });
    for (const task of dense) {
      const logits = this.#denseHead(h, task);
      out[task] = this.config.polar ? fromPolar(logits) : logits;
    }
    return out;
  }

  #convUnit(x: tf.Tensor4D, u: ConvUnit, training: boolean, onBatchStats?: BatchStatsSink, frozenBatchNorm = false): tf.Tensor4D {
    const p = this.params;
    const bias = p.has(`${u.name}.bias`) ? (p.get(`${u.name}.bias`) as tf.Tensor1D) : undefined;
    const kernel = p.get(`${u.name}.kernel`) as tf.Tensor4D;
    if (this.config.normalization === 'none') {
      // Inference fuses conv, bias and ReLU; training keeps the ReLU apart for its one-kernel gradient.
      return training ? reluTrain(conv(x, kernel, bias)) : conv(x, kernel, bias, 'relu');
    }
    if (!training) {
      const folded = this.#foldedWeights().get(u.name)!;
      return conv(x, folded.kernel, folded.bias, 'relu');
    }
    if (frozenBatchNorm) {
      const c = bias ? tf.add(conv(x, kernel), bias) as tf.Tensor4D : conv(x, kernel);
      return frozenBatchNormReluTrain(
        c,
        p.get(`${u.name}.bn.gamma`) as tf.Tensor1D,
        p.get(`${u.name}.bn.beta`) as tf.Tensor1D,
        p.get(`${u.name}.bn.mean`) as tf.Tensor1D,
        p.get(`${u.name}.bn.variance`) as tf.Tensor1D,
      );
    }
    // The conv bias (kept by the paper variant for parity with its code) cannot change
    // a batch-normalised output: BN subtracts the batch mean, so its gradient is
    // exactly zero. Skipping it saves an add and a reduction per layer; the folded
    // inference path still adds it (it stays at its initial value, zero).
    return batchNormReluTrain(
      conv(x, kernel),
      p.get(`${u.name}.bn.gamma`) as tf.Tensor1D,
      p.get(`${u.name}.bn.beta`) as tf.Tensor1D,
      onBatchStats ? (mean, variance) => onBatchStats(u.name, mean, variance) : undefined,
    );
  }

  #foldedWeights(): Map<string, { kernel: tf.Tensor4D; bias: tf.Tensor1D }> {
    if (!this.#folded) {
      const p = this.params;
      this.#folded = new Map();
      for (const u of [...this.#units.encoder.flat(), ...this.#units.decoder.flat()]) {
        // Kept: the first inference usually runs inside a caller's tf.tidy, which must not free the cache.
        const folded = foldBatchNorm(
            p.get(`${u.name}.kernel`) as tf.Tensor4D,
            p.get(`${u.name}.bn.gamma`) as tf.Tensor1D,
            p.get(`${u.name}.bn.beta`) as tf.Tensor1D,
            p.get(`${u.name}.bn.mean`) as tf.Tensor1D,
            p.get(`${u.name}.bn.variance`) as tf.Tensor1D,
            p.has(`${u.name}.bias`) ? (p.get(`${u.name}.bias`) as tf.Tensor1D) : undefined,
        );
        this.#folded.set(u.name, { kernel: tf.keep(folded.kernel), bias: tf.keep(folded.bias) });
      }
    }
    return this.#folded;
  }

  #glaucomaHead(bottleneck: tf.Tensor4D, training: boolean, seed: number): tf.Tensor1D {
    const p = this.params;
    let f = globalMaxPool(bottleneck);
    if (training) f = dropout(f, this.config.glaucomaDropout, seed);
    if (this.config.glaucomaHidden > 0) {
      f = (training ? (v: tf.Tensor) => reluTrain(v as tf.Tensor4D) : tf.relu)(tf.add(tf.matMul(f, p.get('head.glaucoma.hidden.kernel') as tf.Tensor2D), p.get('head.glaucoma.hidden.bias'))) as tf.Tensor2D;
    }
    const logit = tf.add(tf.matMul(f, p.get('head.glaucoma.out.kernel') as tf.Tensor2D), p.get('head.glaucoma.out.bias'));
    return tf.reshape(logit, [-1]) as tf.Tensor1D;
  }

  #denseHead(features: tf.Tensor4D, task: DenseTask): tf.Tensor4D {
    const p = this.params;
    return conv(features, p.get(`head.${task}.kernel`) as tf.Tensor4D, p.get(`head.${task}.bias`) as tf.Tensor1D);
  }

  /** Copies of every batch norm's moving statistics (the caller disposes them). */
  batchNormStatistics(): BatchNormStatistics[] {
    return [...this.#units.encoder.flat(), ...this.#units.decoder.flat()]
      .filter((u) => this.params.has(`${u.name}.bn.mean`))
      .map((u) => ({ layer: u.name, mean: tf.clone(this.params.get(`${u.name}.bn.mean`)) as tf.Tensor1D, variance: tf.clone(this.params.get(`${u.name}.bn.variance`)) as tf.Tensor1D }));
  }

  /**
   * Moves the moving statistics toward a batch's statistics (PyTorch's rule:
   * moving = (1 - m) moving + m batch, with the unbiased batch variance);
   * momentum 1 replaces them. Disposes the batch tensors.
   */
  updateBatchNormStatistics(stats: readonly BatchNormStatistics[], m: number = BN_MOMENTUM): void {
    for (const { layer, mean, variance } of stats) {
      const movingMean = this.params.get(`${layer}.bn.mean`);
      const movingVar = this.params.get(`${layer}.bn.variance`);
      tf.tidy(() => {
        movingMean.assign(tf.add(tf.mul(movingMean, 1 - m), tf.mul(mean, m)));
        movingVar.assign(tf.add(tf.mul(movingVar, 1 - m), tf.mul(variance, m)));
      });
      tf.dispose([mean, variance]);
    }
    // The inference path folds the statistics into the convolutions: refold.
    this.weightsChanged();
  }

  dispose(): void {
    this.weightsChanged();
    this.params.dispose();
  }
}
