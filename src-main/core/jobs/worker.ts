// The job process's logic: it owns TensorFlow, runs one job at a time and
// reports through the typed protocol. The process entry (src-main/worker/main.ts)
// picks the backend, builds the codec and connects this to its parent; tests
// can drive it directly.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend';
import { encodeLabelRuns, labelsFromMasks } from '../contract/label-map';
import { runBenchmark } from '../bench/bench';
import type { ImageCodec } from '../data/image-codec';
import { inSplit } from '../data/splits';
import { openDataset } from '../data/spec';
import { seenInTraining, trainingImageIds } from '../data/training-images';
import { CancelledError, errorMessage, InputError } from '../errors';
import { writeJsonAtomic, writeFileAtomic } from '../fs/atomic';
import { evaluateModel } from '../infer/evaluate';
import { renderEvaluationReport } from '../infer/evaluation-report';
import { Predictor } from '../infer/predictor';
import { OVERLAY_SIDE, screenFolder, screeningCounts } from '../infer/screen-folder';
import { screenImage } from '../infer/screen-image';
import { heatmapToRgb } from '../render/heatmap';
import { letterbox, mapToOriginal } from '../geometry/letterbox';
import { runExperiment } from '../train/experiment';
import { runFinetune } from '../train/finetune';
import { runTraining, type TrainingEvent } from '../train/run-training';
import type { FloatMap } from '../types';
import { scoreHeldBack } from './held-back-scores';
import { PredictorCache, runScreenImages } from './screen-images';
import { assertNever, type FromJob, type JobResult, type JobSpec, type ScreenJobSpec, type ToJob } from './protocol';

export interface WorkerDeps {
  readonly codec: ImageCodec;
  readonly backend: BackendInfo;
  readonly send: (message: FromJob) => void;
}

/** Sends progress at most this often (ms): a 1000-step epoch must not flood the parent. */
const PROGRESS_INTERVAL_MS = 250;

export class JobWorker {
  readonly #deps: WorkerDeps;
  #current: { id: string; abort: AbortController } | null = null;
  /** A queue worker screens one image per job: the model stays loaded between them. */
  readonly #predictors: PredictorCache;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#predictors = new PredictorCache(deps.codec);
  }

  /** Handles one message from the parent. Resolves when a started job has finished. */
  async handle(message: ToJob): Promise<void> {
    switch (message.type) {
      case 'start':
        return this.#start(message.jobId, message.spec);
      case 'cancel':
        if (this.#current?.id === message.jobId) this.#current.abort.abort();
        return;
      case 'shutdown':
        this.#current?.abort.abort();
        this.#predictors.dispose();
        return;
      default:
        assertNever(message, 'message to the job process');
    }
  }

  async #start(jobId: string, spec: JobSpec): Promise<void> {
    const send = this.#deps.send;
    if (this.#current) {
      send({ type: 'failed', jobId, message: `the job process is busy with job ${this.#current.id}` });
      return;
    }
    const abort = new AbortController();
    this.#current = { id: jobId, abort };
    try {
      const result = await this.#run(jobId, spec, abort.signal);
      if (abort.signal.aborted) send({ type: 'cancelled', jobId });
      else send({ type: 'done', jobId, result });
    } catch (error) {
      if (error instanceof CancelledError || abort.signal.aborted) send({ type: 'cancelled', jobId });
      else if (error instanceof InputError) send({ type: 'failed', jobId, message: error.message, file: error.file });
      else send({ type: 'failed', jobId, message: errorMessage(error) });
    } finally {
      this.#current = null;
    }
  }

  #progress(jobId: string): (done: number, total: number, message: string, etaS?: number | null) => void {
    let last = 0;
    const started = performance.now();
    return (done, total, message, etaS) => {
      const now = performance.now();
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      const elapsed = (now - started) / 1000;
      const eta = etaS !== undefined ? etaS : done > 0 ? (elapsed / done) * (total - done) : null;
      this.#deps.send({ type: 'progress', jobId, progress: { done, total, etaS: eta, message } });
    };
  }

  #trainingEvents(jobId: string): (event: TrainingEvent | { type: 'log'; message: string }) => void {
    const progress = this.#progress(jobId);
    return (event) => {
      switch (event.type) {
        case 'log':
          this.#deps.send({ type: 'log', jobId, level: 'info', message: event.message });
          return;
        case 'unit':
          this.#deps.send({ type: 'log', jobId, level: 'info', message: `training ${event.unit} (${event.index + 1}/${event.count})` });
          return;
        case 'progress': {
          const p = event.progress;
          progress(event.overall.done, event.overall.total, `${event.unit}: epoch ${p.epoch + 1}/${p.epochs}, step ${p.step}/${p.steps}`);
          return;
        }
        case 'epoch':
          this.#deps.send({ type: 'epoch', jobId, unit: event.unit, record: event.record });
          return;
        case 'fold':
          this.#deps.send({ type: 'log', jobId, level: 'info', message: `fold ${event.fold + 1}: ${JSON.stringify(event.summary)}` });
          return;
      }
    };
  }

  /**
   * tfjs's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train;
   * training jobs move to the (slower) JavaScript backend and say so.
   */
  async #ensureTrainingBackend(jobId: string): Promise<void> {
    if (tf.getBackend() !== 'wasm') return;
    if (!tf.findBackendFactory('cpu') || !(await tf.setBackend('cpu'))) {
      throw new Error('training needs the native TensorFlow backend or the JavaScript backend; only wasm is available here');
    }
    this.#deps.send({ type: 'log', jobId, level: 'warn', message: 'the wasm backend cannot train (it lacks convolution gradients): training on the much slower JavaScript backend instead' });
  }

  async #run(jobId: string, spec: JobSpec, signal: AbortSignal): Promise<JobResult> {
    const { codec, backend } = this.#deps;
    if (spec.kind === 'train' || spec.kind === 'finetune' || spec.kind === 'experiment' || (spec.kind === 'bench' && !spec.config.skipTraining)) {
      await this.#ensureTrainingBackend(jobId);
    }
    switch (spec.kind) {
      case 'screen':
        return this.#screen(jobId, spec, signal);
      case 'screen-folder': {
        const predictor = Predictor.open(spec.modelDir, codec);
        try {
          const progress = this.#progress(jobId);
          const result = await screenFolder(spec.folder, spec.outDir, predictor, codec, backend, {
            tta: spec.tta,
            overlays: spec.overlays,
            resume: spec.resume === true,
            overlaySide: OVERLAY_SIDE,
            ...(spec.decision ? { decision: spec.decision } : {}),
            signal,
            onImage: (done, total, file) => progress(done, total, path.basename(file)),
          });
          return { kind: 'screen-folder', ...screeningCounts(result.images), failed: result.problems.length, problems: result.problems, seconds: result.seconds };
        } finally {
          predictor.dispose();
        }
      }
      case 'screen-images':
        return runScreenImages(spec, this.#predictors, codec, signal);
      case 'train': {
        const result = await runTraining(spec.config, spec.outDir, { codec, backend, signal, onEvent: this.#trainingEvents(jobId) }, spec.resume);
        return { kind: 'train', modelDir: result.modelDir, crossValidation: result.crossValidation, problems: result.problems, seconds: result.seconds };
      }
      case 'evaluate': {
        const started = performance.now();
        const opened = await openDataset(spec.data, codec);
        const hasTest = opened.dataset.samples.some((s) => s.split === 'test');
        const split = spec.split === 'train' ? 'train' : hasTest && spec.split === 'test' ? 'test' : 'all';
        const samples = inSplit(opened.dataset.samples, split);
        const predictor = Predictor.open(spec.modelDir, codec);
        try {
          const trained = await trainingImageIds(predictor.model.manifest.training, codec);
          const seen = trained ? seenInTraining(samples.map((s) => s.id), trained) : null;
          const seenCount = seen?.length ?? null;
          writeJsonAtomic(path.join(spec.outDir, 'config.json'), {
            data: spec.data,
            model: { dir: spec.modelDir, id: predictor.model.manifest.id, name: predictor.model.manifest.name },
            split,
            images: samples.length,
            seenInTraining: seen,
            tta: spec.tta,
            preprocessing: predictor.model.manifest.preprocessing,
            backend,
            startedAt: new Date().toISOString(),
          });
          const progress = this.#progress(jobId);
          const evaluation = await evaluateModel(predictor, samples, codec, { tta: spec.tta, signal, onImage: (done, total) => progress(done, total, 'scoring') });
          const problems = [...opened.dataset.problems, ...evaluation.problems];
          writeJsonAtomic(path.join(spec.outDir, 'metrics.json'), { data: spec.data, model: predictor.model.manifest.id, split, backend, seenInTraining: seen, ...evaluation, problems });
          const report = renderEvaluationReport({ evaluation, problems, model: predictor.model.manifest, data: spec.data, backend, seenInTraining: seenCount });
          writeFileAtomic(path.join(spec.outDir, 'report.md'), report.markdown);
          writeFileAtomic(path.join(spec.outDir, 'report.html'), report.html);
          return { kind: 'evaluate', summary: evaluation.summary, images: evaluation.images.length, seenInTraining: seenCount, problems, seconds: (performance.now() - started) / 1000 };
        } finally {
          predictor.dispose();
        }
      }
      case 'experiment': {
        const result = await runExperiment(spec.config, spec.outDir, { codec, backend, signal, onEvent: this.#trainingEvents(jobId) }, spec.resume);
        return { kind: 'experiment', reportDir: spec.outDir, seconds: result.seconds };
      }
      case 'finetune': {
        const result = await runFinetune(spec, { codec, backend, signal, onEvent: this.#trainingEvents(jobId) });
        // Case by case, so the app can put an interval on the difference (the engine reports means only).
        const progress = this.#progress(jobId);
        progress(1, 1, `scoring the new and the parent model on ${spec.validation.length} held-back cases, case by case`, null);
        const heldBack = await scoreHeldBack(spec.parentModelDir, result.modelDir, spec.validation, codec, signal);
        return { kind: 'finetune', ...result, heldBack };
      }
      case 'bench': {
        const progress = this.#progress(jobId);
        const result = await runBenchmark(spec.config, { codec, backend, signal, onProgress: (message, done, total) => progress(done, total, message) });
        return { kind: 'bench', result };
      }
      default:
        return assertNever(spec, 'job kind');
    }
  }

  /** App screening: predictions go back item by item; heat maps are written as PNGs for the review screen. */
  async #screen(jobId: string, spec: ScreenJobSpec, signal: AbortSignal): Promise<JobResult> {
    const { codec, send } = this.#deps;
    const started = performance.now();
    const predictor = Predictor.open(spec.modelDir, codec);
    const progress = this.#progress(jobId);
    let screened = 0;
    let failed = 0;
    try {
      for (const [i, item] of spec.items.entries()) {
        if (signal.aborted) throw new CancelledError();
        const result = await screenImage(predictor, codec, item.file, { tta: spec.tta }, async (prediction) => {
          const heatmap = async (task: 'od' | 'oc' | 'fovea', map: FloatMap | null): Promise<string | null> => {
            if (!spec.heatmaps || !map) return null;
            const file = path.join(spec.outDir, `${item.key}.${task}.png`);
            await codec.writePng(file, heatmapToRgb(heatmapInImageFrame(map, prediction.summary), { min: 0, max: 1 }));
            return file;
          };
          const heatmapFiles = {
            od: prediction.summary.tasks.includes('od') ? await heatmap('od', prediction.maps.od) : null,
            oc: prediction.summary.tasks.includes('oc') ? await heatmap('oc', prediction.maps.oc) : null,
            fovea: await heatmap('fovea', prediction.maps.fovea),
          };
          const labels = encodeLabelRuns(labelsFromMasks(prediction.od.data, prediction.oc.data), prediction.od.width, prediction.od.height);
          send({ type: 'item', jobId, item: { key: item.key, file: item.file, summary: prediction.summary, labels, heatmapFiles } });
        });
        if (result.ok) screened++;
        else {
          send({ type: 'item-error', jobId, key: item.key, file: result.file, problem: result.problem });
          failed++;
        }
        progress(i + 1, spec.items.length, path.basename(item.file));
      }
    } finally {
      predictor.dispose();
    }
    return { kind: 'screen', screened, failed, seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * A network-size map cut to the photograph's own frame (the letterbox padding
 * removed) at a display size (longer side 512 px), so the review screen can
 * stretch it over the photograph of any aspect ratio.
 */
export function heatmapInImageFrame(map: FloatMap, size: { width: number; height: number }): FloatMap {
  const scale = Math.min(1, 512 / Math.max(size.width, size.height));
  const small = { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
  return mapToOriginal(letterbox(small, map.width), map, small);
}
