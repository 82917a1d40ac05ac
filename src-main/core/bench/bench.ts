// How fast the engine runs on this machine's backend: inference per image at
// several batch sizes, the MTL-IO training step per image, achieved GFLOP/s,
// peak memory, and end-to-end screening of real photographs (decode,
// pre-process, predict, post-process, write outputs). Medians of repeated runs
// after a warm-up, so one-off compilation and allocation costs stay out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend';
import { readImageFolder } from '../data/folder';
import type { ImageCodec } from '../data/image-codec';
import { CancelledError } from '../errors';
import { Predictor } from '../infer/predictor';
import { screenFolder } from '../infer/screen-folder';
import { median } from '../metrics/stats';
import { LAYOUTS, resolveArchConfig, scaledChannels, type ArchConfig } from '../model/config';
import { MultiTaskUNet } from '../model/network';
import { createRng } from '../random';
import { disposeBatch, makeBatch, type TrainingExample } from '../train/example';
import { MtlIndependentOptimizers } from '../train/strategies';
import type { BenchConfig, BenchResult } from './types';

/** Multiply-adds per image of the encoder, the decoder and the 1x1 heads (convolutions only). */
export function convMacs(config: ArchConfig): { encoder: number; decoder: number; heads: number } {
  const layout = LAYOUTS[config.variant];
  let encoder = 0;
  let decoder = 0;
  let channels = 3;
  let side = config.inputSize;
  const skips: number[] = [];
  layout.encoder.forEach((level, l) => {
    if (l > 0) side /= 2;
    for (const c of level) {
      const out = scaledChannels(c, config.width);
      encoder += side * side * 9 * channels * out;
      channels = out;
    }
    skips.push(channels);
  });
  layout.decoder.forEach((level, d) => {
    side *= 2;
    channels += skips[skips.length - 2 - d]!;
    for (const c of level) {
      const out = scaledChannels(c, config.width);
      decoder += side * side * 9 * channels * out;
      channels = out;
    }
  });
  return { encoder, decoder, heads: 3 * side * side * channels };
}

function randomExamples(count: number, size: number, seed: number): TrainingExample[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const image = new Uint8Array(size * size * 3);
    for (let j = 0; j < image.length; j++) image[j] = rng.int(256);
    const od = new Uint8Array(size * size);
    const oc = new Uint8Array(size * size);
    const c = size / 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - c, y - c);
        od[y * size + x] = d < size / 8 ? 1 : 0;
        oc[y * size + x] = d < size / 16 ? 1 : 0;
      }
    }
    return { id: `bench${i}`, size, image, od, oc, fovea: { x: size / 4, y: size / 2 }, glaucoma: (i % 2) as 0 | 1 };
  });
}

export interface BenchDeps {
  readonly codec: ImageCodec;
  readonly backend: BackendInfo;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string, done: number, total: number) => void;
}

export async function runBenchmark(config: BenchConfig, deps: BenchDeps): Promise<BenchResult> {
  const arch = resolveArchConfig({ variant: config.variant, width: config.width, inputSize: config.size });
  const model = MultiTaskUNet.create(arch, 1);
  const macs = convMacs(arch);
  const forwardGflop = (2 * (macs.encoder + macs.decoder + macs.heads)) / 1e9;
  const steps = config.inferBatches.length + (config.skipTraining ? 0 : 1) + (config.screeningFolder ? 1 : 0);
  let step = 0;
  const progress = (message: string): void => deps.onProgress?.(message, step++, steps);
  const check = (): void => {
    if (deps.signal?.aborted) throw new CancelledError('benchmark cancelled');
  };
  try {
    const inferMsPerImage: Record<string, number> = {};
    for (const b of config.inferBatches) {
      progress(`inference at batch ${b}`);
      const x = tf.randomUniform([b, arch.inputSize, arch.inputSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const once = async (): Promise<number> => {
        const t0 = performance.now();
        const out = tf.tidy(() => Object.values(model.forward(x, { training: false, tasks: ['glaucoma', 'od', 'oc', 'fovea'] })).map((t) => tf.sigmoid(t!)));
        await Promise.all(out.map((t) => t.data()));
        tf.dispose(out);
        return performance.now() - t0;
      };
      await once();
      const times: number[] = [];
      for (let r = 0; r < config.repeats; r++) {
        check();
        times.push(await once());
      }
      x.dispose();
      inferMsPerImage[String(b)] = median(times) / b;
    }
    let mtlioStepMsPerImage: number | null = null;
    if (!config.skipTraining) {
      progress(`MTL-IO training step at batch ${config.batch}`);
      const strategy = new MtlIndependentOptimizers();
      const examples = randomExamples(config.batch, arch.inputSize, 2);
      const once = async (): Promise<number> => {
        const batch = makeBatch(examples);
        const t0 = performance.now();
        const losses = strategy.step(model, batch, 1);
        await Promise.all(Object.values(losses).map((l) => l!.data()));
        const dt = performance.now() - t0;
        tf.dispose(Object.values(losses));
        disposeBatch(batch);
        return dt;
      };
      try {
        await once();
        const times: number[] = [];
        for (let r = 0; r < config.repeats; r++) {
          check();
          times.push(await once());
        }
        mtlioStepMsPerImage = median(times) / config.batch;
      } finally {
        strategy.dispose();
      }
    }
    let screening: BenchResult['screening'] = null;
    if (config.screeningFolder && config.screeningModelDir) {
      progress('end-to-end screening of real photographs');
      const predictor = Predictor.open(config.screeningModelDir, deps.codec);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-bench-'));
      try {
        // A warm-up pass on the first image, then the timed run over the folder.
        const first = readImageFolder(config.screeningFolder).samples[0];
        if (first) await predictor.predictFile(first.imageFile, { tta: true });
        const result = await screenFolder(config.screeningFolder, out, predictor, deps.codec, deps.backend, { tta: true, overlays: true, overlaySide: 1024, signal: deps.signal });
        const ok = result.images.filter((i) => i.prediction);
        const sizes = [...new Set(ok.map((i) => `${i.prediction!.width}x${i.prediction!.height}`))].join(', ');
        screening = { images: ok.length, msPerImage: (result.seconds * 1000) / Math.max(1, ok.length), model: predictor.model.manifest.name, imageSize: sizes };
      } finally {
        predictor.dispose();
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
    progress('done');
    const b1 = inferMsPerImage[String(config.inferBatches[0])] ?? NaN;
    // MTL-IO per image: the glaucoma pass runs the encoder forward and backward (~3x),
    // each dense task the whole network forward and backward (~3x each).
    const trainGflop = (2 * (3 * macs.encoder + 9 * (macs.encoder + macs.decoder + macs.heads / 3))) / 1e9;
    return {
      backend: deps.backend.name,
      device: deps.backend.device,
      variant: arch.variant,
      width: arch.width,
      size: arch.inputSize,
      params: model.parameterCount(),
      inferMsPerImage,
      mtlioStepMsPerImage,
      trainBackend: mtlioStepMsPerImage === null ? null : tf.getBackend(),
      trainBatch: config.batch,
      forwardGflopPerImage: forwardGflop,
      inferGflops: forwardGflop / (Math.min(...Object.values(inferMsPerImage), b1) / 1000),
      trainGflops: mtlioStepMsPerImage ? trainGflop / (mtlioStepMsPerImage / 1000) : null,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      screening,
      node: process.version,
      date: new Date().toISOString(),
    };
  } finally {
    model.dispose();
  }
}
