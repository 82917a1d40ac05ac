// An in-memory job process that speaks the real protocol (ready, progress,
// item, item-error, epoch, done, cancelled, failed): the test double for the
// process that owns TensorFlow. It "screens" with a function the test gives
// and "fine-tunes" by writing per-epoch checkpoints under runDir and a model
// package (atomically) at outModelDir. It can hang or die after N items or
// epochs, to test interruption and resume.
import fs from 'node:fs';
import path from 'node:path';
import type { LabelMapDto } from '../../../src-main/core/contract/contract';
import type { BackendInfo } from '../../../src-main/core/backend';
import { errorMessage, InputError } from '../../../src-main/core/errors';
import type { PredictionSummary } from '../../../src-main/core/infer/types';
import type { JobChannel, JobProcessLauncher } from '../../../src-main/core/jobs/launcher';
import type { FinetuneJobSpec, FromJob, JobSpec, ScreenJobSpec, ToJob } from '../../../src-main/core/jobs/protocol';
import { writeFileAtomic } from '../../../src-main/core/fs/atomic';
import { encodePng } from '../../../src-main/core/report/png';
import { readFakeModel, writeFakeModel } from './model-fixture';

export interface FakePrediction {
  readonly summary: PredictionSummary;
  readonly labels: LabelMapDto;
}

export interface FakeBehaviour {
  /** Screens one file; throw InputError for an unreadable one (it becomes an item-error). Default: a fixed 64x64 result. */
  predict?: (file: string) => Promise<FakePrediction> | FakePrediction;
  /** After this many screened items (or epochs) the process stops answering, as if frozen. */
  hangAfter?: number;
  /** After this many items (or epochs) the process exits with this code. */
  exitAfter?: { count: number; code: number | null };
  /** The process never says 'ready'. */
  neverReady?: boolean;
  /** The process fails the job with this message. */
  failWith?: string;
}

export const FAKE_BACKEND: BackendInfo = { name: 'cpu', device: 'fake', tfjsVersion: '0.0.0', skipped: [] };

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeLauncher implements JobProcessLauncher {
  readonly processes: FakeJobProcess[] = [];
  /** Every 'start' any process received, in order. */
  readonly starts: Array<Extract<ToJob, { type: 'start' }>> = [];

  constructor(public behaviour: FakeBehaviour = {}) {}

  launch(): JobChannel {
    const proc = new FakeJobProcess(this);
    this.processes.push(proc);
    return proc;
  }
}

export class FakeJobProcess implements JobChannel {
  readonly #messageListeners: Array<(m: FromJob) => void> = [];
  readonly #exitListeners: Array<(code: number | null) => void> = [];
  readonly #cancelled = new Set<string>();
  exited = false;
  /** Set when the process stopped answering (hangAfter). */
  hung = false;

  constructor(private readonly launcher: FakeLauncher) {
    if (!launcher.behaviour.neverReady) setImmediate(() => this.#emit({ type: 'ready', backend: FAKE_BACKEND }));
  }

  send(message: ToJob): void {
    if (this.exited) return;
    switch (message.type) {
      case 'start':
        this.launcher.starts.push(message);
        this.#run(message.jobId, message.spec).catch((error: unknown) => this.#emit({ type: 'failed', jobId: message.jobId, message: errorMessage(error) }));
        return;
      case 'cancel':
        this.#cancelled.add(message.jobId);
        return;
      case 'shutdown':
        setImmediate(() => this.#exit(0));
        return;
    }
  }

  onMessage(listener: (m: FromJob) => void): void {
    this.#messageListeners.push(listener);
  }

  onExit(listener: (code: number | null) => void): void {
    this.#exitListeners.push(listener);
  }

  kill(): void {
    setImmediate(() => this.#exit(null));
  }

  /** Dies with its parent: stops at once and tells no one (the parent is gone too). */
  vanish(): void {
    this.exited = true;
  }

  #emit(message: FromJob): void {
    if (this.exited) return;
    for (const l of this.#messageListeners) l(message);
  }

  #exit(code: number | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const l of this.#exitListeners) l(code);
  }

  /** True when the run must stop here (hang, exit or cancel), after `count` items/epochs. */
  #stopAt(jobId: string, count: number): 'stop' | 'go' {
    const b = this.launcher.behaviour;
    if (this.exited) return 'stop';
    if (this.#cancelled.has(jobId)) {
      this.#emit({ type: 'cancelled', jobId });
      return 'stop';
    }
    if (b.exitAfter && count >= b.exitAfter.count) {
      this.#exit(b.exitAfter.code);
      return 'stop';
    }
    if (b.hangAfter !== undefined && count >= b.hangAfter) {
      this.hung = true;
      return 'stop';
    }
    return 'go';
  }

  async #run(jobId: string, spec: JobSpec): Promise<void> {
    await tick();
    if (this.launcher.behaviour.failWith) {
      this.#emit({ type: 'failed', jobId, message: this.launcher.behaviour.failWith });
      return;
    }
    if (spec.kind === 'screen') await this.#screen(jobId, spec);
    else if (spec.kind === 'finetune') await this.#finetune(jobId, spec);
    else this.#emit({ type: 'failed', jobId, message: `the fake job process does not run ${spec.kind} jobs` });
  }

  async #screen(jobId: string, spec: ScreenJobSpec): Promise<void> {
    let screened = 0;
    let failed = 0;
    for (let i = 0; i < spec.items.length; i++) {
      if (this.#stopAt(jobId, i) === 'stop') return;
      const { key, file } = spec.items[i]!;
      try {
        const result = await (this.launcher.behaviour.predict ?? fixedPrediction)(file);
        let od: string | null = null;
        if (spec.heatmaps) {
          od = path.join(spec.outDir, `${key}.od.png`);
          writeFileAtomic(od, encodePng({ width: 2, height: 2, data: new Uint8Array([0, 64, 128, 255]) }));
        }
        this.#emit({ type: 'item', jobId, item: { key, file, summary: result.summary, labels: result.labels, heatmapFiles: { od, oc: null, fovea: null } } });
        screened++;
      } catch (error) {
        this.#emit({ type: 'item-error', jobId, key, file, problem: error instanceof InputError ? error.problem : errorMessage(error) });
        failed++;
      }
      this.#emit({ type: 'progress', jobId, progress: { done: i + 1, total: spec.items.length, etaS: null, message: `screened ${i + 1} of ${spec.items.length}` } });
      await tick();
    }
    if (this.#stopAt(jobId, spec.items.length) === 'stop') return;
    this.#emit({ type: 'done', jobId, result: { kind: 'screen', screened, failed, seconds: 0 } });
  }

  async #finetune(jobId: string, spec: FinetuneJobSpec): Promise<void> {
    const checkpoint = path.join(spec.runDir, 'fake-checkpoint.json');
    // Epochs are numbered from 0, as the training loop numbers them; the checkpoint counts finished ones.
    let from = 0;
    if (spec.resume && fs.existsSync(checkpoint)) from = (JSON.parse(fs.readFileSync(checkpoint, 'utf8')) as { done: number }).done;
    for (let epoch = from; epoch < spec.epochs; epoch++) {
      if (this.#stopAt(jobId, epoch) === 'stop') return;
      const n = epoch + 1;
      writeFileAtomic(checkpoint, JSON.stringify({ done: n }));
      this.#emit({ type: 'epoch', jobId, unit: 'finetune', record: { epoch, losses: { od: 1 / n, oc: 2 / n }, validation: { odDice: 0.5 + n / 100 }, seconds: 0.01 } });
      this.#emit({ type: 'progress', jobId, progress: { done: n, total: spec.epochs, etaS: null, message: `epoch ${n}` } });
      await tick();
    }
    if (this.#stopAt(jobId, spec.epochs) === 'stop') return;
    const parent = readFakeModel(spec.parentModelDir);
    await writeFakeModel(spec.outModelDir, {
      id: spec.modelId,
      name: spec.modelName,
      parent: parent.id,
      vcdrRegression: parent.vcdrRegression,
      metrics: { odDice: 0.5 + spec.epochs / 100 },
    });
    // Each held-back case: the new model's disc Dice epochs/100 above the parent's.
    const heldBack = spec.validation.map((v) => ({
      id: v.id,
      child: { odDice: 0.5 + spec.epochs / 100, ocDice: 0.4, vcdrError: 0.1 },
      parent: { odDice: 0.5, ocDice: 0.4, vcdrError: 0.1 },
    }));
    this.#emit({ type: 'done', jobId, result: { kind: 'finetune', modelDir: spec.outModelDir, modelId: spec.modelId, validation: { odDice: 0.5 + spec.epochs / 100 }, parentValidation: { odDice: 0.5 }, heldBack, seconds: 0 } });
  }
}

/** A 64x64 result with a disc over rows 16..47 and a cup over rows 24..39 of column 32 (vCDR 0.5). */
export function fixedPrediction(): FakePrediction {
  return columnPrediction(64, 64, 0.3);
}

/** A prediction whose label map has a disc of 32 rows and a cup of 16 rows in the centre column (vCDR 0.5). */
export function columnPrediction(width: number, height: number, network: number | null): FakePrediction {
  const labels = new Uint8Array(width * height);
  const x = Math.floor(width / 2);
  const top = Math.floor(height / 2) - 16;
  for (let y = top; y < top + 32; y++) labels[y * width + x] = y >= top + 8 && y < top + 24 ? 2 : 1;
  const runs: number[] = [];
  for (let i = 0; i < labels.length; ) {
    let j = i + 1;
    while (j < labels.length && labels[j] === labels[i]) j++;
    runs.push(labels[i]!, j - i);
    i = j;
  }
  const structure = (rows: number, y0: number) => ({ found: true, areaPx: rows, verticalDiameterPx: rows, box: { x0: x, y0, x1: x + 1, y1: y0 + rows } });
  const probability = network;
  return {
    labels: { width, height, runs },
    summary: {
      width,
      height,
      glaucoma: { network, vcdrRegression: null, probability, decision: probability === null ? null : probability >= 0.5 ? 'glaucoma' : 'normal' },
      vcdr: 0.5,
      disc: structure(32, top),
      cup: structure(16, top + 8),
      fovea: null,
      uncertainty: 0.1,
      tasks: ['glaucoma', 'od', 'oc'],
      warnings: [],
    },
  };
}
