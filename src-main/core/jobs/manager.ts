// The job queue of the app: screening and fine-tuning runs, one at a time, in
// the job process that owns TensorFlow. The queue lives in the store, so it
// survives the app: at start-up, jobs a killed process left 'queued' or
// 'running' become 'interrupted', and the user resumes them.
//
// What the manager promises:
// - each screened image is stored (prediction + case) in one transaction as
//   soon as its 'item' message arrives, so a crash loses at most the image in
//   flight; a resumed screening sends only the images still without a
//   prediction;
// - a fine-tune's model version is registered only from its 'done' message,
//   after the job process wrote the package atomically; a resumed fine-tune is
//   sent again with resume: true and the same runDir (its checkpoint);
// - if the job process dies mid-job, the job becomes 'interrupted' (not
//   'failed'): the same state as after a killed app, with a message saying what
//   happened, and resumable. A process that never becomes ready fails the job.
// - 'cancelled' is final: the job is marked at once, the process is asked to
//   stop and is killed if it has not within a grace period.
import fs from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../backend';
import { LabelMapSchema, PredictionSummarySchema } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import type { AppEventSink } from '../contract/events';
import { errorMessage } from '../errors';
import type { Log } from '../log';
import type { JobRow } from '../store/jobs';
import type { FinetuneJobRecord, ScreenJobRecord } from '../store/json';
import type { ModelRegistry } from '../registry/model-registry';
import { newId } from '../store/ids';
import type { Store } from '../store/store';
import type { JobChannel, JobProcessLauncher } from './launcher';
import { assertNever, type FromJob, type JobProgress, type JobSpec } from './protocol';

export interface JobManagerTuning {
  /** Progress is written to the store and announced at most this often (ms). */
  readonly progressIntervalMs: number;
  /** How long the job process may take to load TensorFlow and say 'ready' (ms). */
  readonly readyTimeoutMs: number;
  /** After 'cancel', how long the process may take to stop before it is killed (ms). */
  readonly cancelGraceMs: number;
  /** An idle job process is shut down after this long (ms), freeing its memory. */
  readonly idleShutdownMs: number;
  /** Screening options sent to the job process. */
  readonly tta: boolean;
  readonly heatmaps: boolean;
}

export const DEFAULT_JOB_TUNING: JobManagerTuning = {
  progressIntervalMs: 500,
  readyTimeoutMs: 180_000,
  cancelGraceMs: 15_000,
  idleShutdownMs: 120_000,
  tta: true,
  heatmaps: true,
};

export interface JobManagerOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly launcher: JobProcessLauncher;
  readonly events: AppEventSink;
  readonly userDataDir: string;
  readonly tuning?: Partial<JobManagerTuning>;
  readonly log?: Log;
}

/** Heat maps of model version M go to <userData>/heatmaps/M/<caseId>.<task>.png. */
export const HEATMAPS_FOLDER = 'heatmaps';

interface ProcessHandle {
  readonly channel: JobChannel;
  readonly ready: Promise<JobChannel>;
  /** Exited, or killed by the manager (its exit may come later): never given another job. */
  exited: boolean;
  onReady(backend: BackendInfo): void;
  onEarlyExit(code: number | null): void;
}

interface CurrentJob {
  readonly id: string;
  readonly kind: JobRow['kind'];
  readonly proc: ProcessHandle;
  readonly record: JobRow['spec'];
  /** Items (and their count) a resumed screening had already finished: added to the process's own counts. */
  readonly offset: number;
  readonly finished: () => void;
  pendingProgress: JobProgress | null;
  lastProgressWrite: number;
  progressTimer: NodeJS.Timeout | null;
  cancelTimer: NodeJS.Timeout | null;
}

const RESUMABLE: readonly JobRow['status'][] = ['interrupted', 'cancelled', 'failed'];

export class JobManager {
  readonly #store: Store;
  readonly #registry: ModelRegistry;
  readonly #launcher: JobProcessLauncher;
  readonly #events: AppEventSink;
  readonly #userDataDir: string;
  readonly #tuning: JobManagerTuning;
  readonly #log: Log;
  #proc: ProcessHandle | null = null;
  #current: CurrentJob | null = null;
  #loop: Promise<void> | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #backend: BackendInfo | null = null;

  constructor(options: JobManagerOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#launcher = options.launcher;
    this.#events = options.events;
    this.#userDataDir = options.userDataDir;
    this.#tuning = { ...DEFAULT_JOB_TUNING, ...options.tuning };
    this.#log = options.log ?? (() => {});
  }

  /** The backend the job process reported, once it has started. */
  get backend(): BackendInfo | null {
    return this.#backend;
  }

  /**
   * Starts the job process ahead of the first job, so TensorFlow is loaded and
   * the backend is known (and shown) before the user asks for anything. The
   * process is shut down again after the usual idle time if no job comes.
   */
  warmUp(): void {
    if (this.#closed || (this.#proc && !this.#proc.exited)) return;
    try {
      const proc = this.#ensureProcess();
      proc.ready.then(
        () => {
          this.#events.emit({ type: 'app' });
          if (!this.#loop && !this.#current) this.#scheduleIdleShutdown();
        },
        (error: unknown) => this.#log('warn', `the job process did not start: ${errorMessage(error)}`),
      );
    } catch (error) {
      this.#log('warn', errorMessage(error));
    }
  }

  /**
   * Start-up recovery: jobs left 'queued' or 'running' by a process that did
   * not shut down cleanly become 'interrupted'. Call once, before anything is enqueued.
   */
  recover(): string[] {
    const ids = this.#store.jobs.interruptUnfinished('The app stopped while this job was waiting or running; resume it to continue where it stopped');
    if (ids.length > 0) this.#log('info', `marked ${ids.length} unfinished job(s) as interrupted: ${ids.join(', ')}`);
    return ids;
  }

  // ---------- requests ----------

  /**
   * Queues a screening of a study with the active model (its id is fixed now:
   * a later activation does not change a queued run). Returns the study's
   * already pending screening instead of queueing a second one.
   */
  enqueueScreening(studyId: string, rescreen: boolean): JobRow {
    const study = this.#store.studies.get(studyId);
    if (!study) throw notFound('study', studyId);
    const model = this.#registry.requireActive();
    const pending = this.#store.jobs.pending('screen', studyId);
    if (pending.length > 0) return pending[0]!;
    const record: ScreenJobRecord = { kind: 'screen', studyId, modelId: model.row.id, rescreen, tta: this.#tuning.tta, heatmaps: this.#tuning.heatmaps };
    const total = this.#screenCandidates(record, null).length;
    const job = this.#store.jobs.insert({ id: newId('j'), studyId, title: `Screening "${study.name}" with ${model.row.name}`, spec: record, total });
    this.#announce(job.id);
    this.#pump();
    return job;
  }

  /** Queues a fine-tune whose spec (and correction masks) the caller prepared under record.runDir. */
  enqueueFinetune(jobId: string, record: FinetuneJobRecord, title: string): JobRow {
    const job = this.#store.jobs.insert({ id: jobId, studyId: null, title, spec: record, total: record.epochs });
    this.#announce(job.id);
    this.#pump();
    return job;
  }

  /** Cancels a queued, interrupted or running job; a finished one is returned as it is. */
  cancel(jobId: string): JobRow {
    const job = this.#store.jobs.get(jobId);
    if (!job) throw notFound('job', jobId);
    if (job.status === 'queued' || job.status === 'interrupted') {
      this.#store.jobs.setStatus(jobId, 'cancelled', { message: 'cancelled' });
    } else if (job.status === 'running') {
      this.#store.jobs.setStatus(jobId, 'cancelled', { message: 'cancelled; stopping…' });
      const current = this.#current;
      if (current && current.id === jobId) {
        current.proc.channel.send({ type: 'cancel', jobId });
        current.cancelTimer = setTimeout(() => {
          if (this.#current === current) {
            this.#log('warn', `job ${jobId} did not stop within ${this.#tuning.cancelGraceMs} ms of 'cancel'; killing the job process`);
            this.#kill(current.proc);
          }
        }, this.#tuning.cancelGraceMs);
        current.cancelTimer.unref?.();
      }
    }
    this.#announce(jobId);
    return this.#store.jobs.get(jobId)!;
  }

  /** Queues an interrupted, cancelled or failed job again; it continues where it stopped. */
  resume(jobId: string): JobRow {
    const job = this.#store.jobs.get(jobId);
    if (!job) throw notFound('job', jobId);
    if (!RESUMABLE.includes(job.status)) {
      throw new ApiError('conflict', `this job is ${job.status}; only interrupted, cancelled or failed jobs can be resumed`);
    }
    if (job.resultModelId) throw new ApiError('conflict', `this fine-tune already produced model version ${job.resultModelId}`);
    this.#store.jobs.setStatus(jobId, 'queued', { error: null, message: 'waiting to resume' });
    this.#announce(jobId);
    this.#pump();
    return this.#store.jobs.get(jobId)!;
  }

  /** Resolves when no job is queued or running (tests, orderly shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  /**
   * Stops: a running job is marked 'interrupted' (resumable next time), the job
   * process is asked to shut down and killed if it has not after `graceMs`.
   */
  async close(graceMs = 3000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const current = this.#current;
    if (current) {
      const row = this.#store.jobs.get(current.id);
      if (row?.status === 'running') {
        this.#flushProgress(current);
        this.#store.jobs.setStatus(current.id, 'interrupted', { error: 'The app was closed while this job ran; resume it to continue where it stopped' });
      }
      this.#endCurrent(current);
    }
    const proc = this.#proc;
    if (proc && !proc.exited) {
      const exited = new Promise<void>((resolve) => proc.channel.onExit(() => resolve()));
      proc.channel.send({ type: 'shutdown' });
      const timer = setTimeout(() => this.#kill(proc), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await this.#loop?.catch(() => {});
  }

  // ---------- the queue ----------

  #pump(): void {
    if (this.#loop || this.#closed) return;
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    this.#loop = this.#drain().finally(() => {
      this.#loop = null;
      // A job queued between the last look at the queue and here.
      if (!this.#closed && this.#store.jobs.nextQueued()) this.#pump();
      else this.#scheduleIdleShutdown();
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      const job = this.#store.jobs.nextQueued();
      if (!job) return;
      try {
        await this.#run(job);
      } catch (error) {
        this.#log('error', `job ${job.id}: ${errorMessage(error)}`);
        this.#finish(job.id, 'failed', { error: `internal error: ${errorMessage(error)}` });
      }
    }
  }

  #scheduleIdleShutdown(): void {
    const proc = this.#proc;
    if (!proc || proc.exited || this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#proc === proc && !this.#current && !proc.exited) proc.channel.send({ type: 'shutdown' });
    }, this.#tuning.idleShutdownMs);
    this.#idleTimer.unref?.();
  }

  async #run(job: JobRow): Promise<void> {
    let prepared: { spec: JobSpec; offset: number } | null;
    try {
      prepared = this.#prepare(job);
    } catch (error) {
      this.#finish(job.id, 'failed', { error: errorMessage(error) });
      return;
    }
    if (prepared === null) {
      this.#finish(job.id, 'done', { message: 'nothing to screen: every readable image already has a prediction from this model' });
      return;
    }
    this.#store.jobs.markStarted(job.id);
    this.#store.jobs.setStatus(job.id, 'running', { message: 'starting the job process…' });
    this.#announce(job.id);

    let channel: JobChannel;
    let proc: ProcessHandle;
    try {
      proc = this.#ensureProcess();
      channel = await proc.ready;
    } catch (error) {
      if (this.#store.jobs.get(job.id)?.status === 'running') this.#finish(job.id, 'failed', { error: errorMessage(error) });
      return;
    }
    // Cancelled, or the app closed, while the process was starting.
    if (this.#closed || this.#store.jobs.get(job.id)?.status !== 'running') return;

    await new Promise<void>((resolve) => {
      this.#current = {
        id: job.id,
        kind: job.kind,
        proc,
        record: job.spec,
        offset: prepared.offset,
        finished: resolve,
        pendingProgress: null,
        lastProgressWrite: 0,
        progressTimer: null,
        cancelTimer: null,
      };
      channel.send({ type: 'start', jobId: job.id, spec: prepared.spec });
    });
  }

  /** The spec to send, or null when a screening has nothing left to do. */
  #prepare(job: JobRow): { spec: JobSpec; offset: number } | null {
    const record = job.spec;
    switch (record.kind) {
      case 'screen': {
        const model = this.#store.models.get(record.modelId);
        if (!model) throw new ApiError('not-found', `No model: model version ${record.modelId} is no longer installed`);
        const modelDir = this.#registry.dirOf(model);
        this.#registry.manifest(model); // a missing or damaged package fails here, with its file named
        const items = this.#screenCandidates(record, job);
        if (items.length === 0) return null;
        const done = job.attempts > 0 ? this.#store.predictions.casesPredictedByJob(job.id).size + this.#problemKeys(job.id).size : 0;
        return {
          offset: done,
          spec: {
            kind: 'screen',
            modelDir,
            items: items.map((c) => ({ key: c.id, file: c.file })),
            outDir: path.join(this.#userDataDir, HEATMAPS_FOLDER, record.modelId),
            tta: record.tta,
            heatmaps: record.heatmaps,
          },
        };
      }
      case 'finetune': {
        if (!fs.existsSync(record.parentModelDir)) throw new ApiError('not-found', `the parent model package is gone: ${record.parentModelDir}`);
        const { parentModelId: _parent, ...spec } = record;
        return { offset: 0, spec: { ...spec, resume: job.attempts > 0 } };
      }
      default:
        return assertNever(record, 'job record');
    }
  }

  /**
   * Cases to screen: readable ones (no import problem) without a prediction
   * from the job's model (all of them for a rescreen). A resumed job also skips
   * the cases it already predicted or reported a problem for.
   */
  #screenCandidates(record: ScreenJobRecord, job: JobRow | null): Array<{ id: string; file: string }> {
    const cases = this.#store.cases.listByStudy(record.studyId).filter((c) => c.problemStage !== 'import');
    const skip = new Set<string>();
    if (!record.rescreen) for (const id of this.#store.predictions.casesWithPrediction(record.studyId, record.modelId)) skip.add(id);
    if (job && job.attempts > 0) {
      for (const id of this.#store.predictions.casesPredictedByJob(job.id)) skip.add(id);
      for (const id of this.#problemKeys(job.id)) skip.add(id);
    }
    return cases.filter((c) => !skip.has(c.id)).map((c) => ({ id: c.id, file: c.file }));
  }

  #problemKeys(jobId: string): Set<string> {
    return new Set(this.#store.jobs.problems(jobId).flatMap((p) => (p.key === null ? [] : [p.key])));
  }

  // ---------- the job process ----------

  #ensureProcess(): ProcessHandle {
    if (this.#proc && !this.#proc.exited) return this.#proc;
    let resolveReady!: (channel: JobChannel) => void;
    let rejectReady!: (error: Error) => void;
    const ready = new Promise<JobChannel>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => {}); // observed by #run; a process that dies later must not raise an unhandled rejection
    let channel: JobChannel;
    try {
      channel = this.#launcher.launch();
    } catch (error) {
      throw new Error(`the job process could not be started: ${errorMessage(error)}`);
    }
    const timer = setTimeout(() => {
      rejectReady(new Error(`the job process did not start within ${formatSeconds(this.#tuning.readyTimeoutMs)} (loading TensorFlow failed or hung)`));
      this.#kill(proc);
    }, this.#tuning.readyTimeoutMs);
    timer.unref?.();
    const proc: ProcessHandle = {
      channel,
      ready,
      exited: false,
      onReady: (backend) => {
        clearTimeout(timer);
        this.#backend = backend;
        resolveReady(channel);
      },
      onEarlyExit: (code) => {
        clearTimeout(timer);
        rejectReady(new Error(`the job process stopped before it was ready (${describeExit(code)}); see the log for its error output`));
      },
    };
    this.#proc = proc;
    channel.onMessage((message) => {
      try {
        this.#onMessage(proc, message);
      } catch (error) {
        this.#log('error', `handling '${message.type}' from the job process: ${errorMessage(error)}`);
      }
    });
    channel.onExit((code) => this.#onExit(proc, code));
    return proc;
  }

  /** Kills a process and stops handing it jobs at once (its exit is handled when it comes). */
  #kill(proc: ProcessHandle): void {
    proc.exited = true;
    if (this.#proc === proc) this.#proc = null;
    proc.channel.kill();
  }

  #onExit(proc: ProcessHandle, code: number | null): void {
    proc.exited = true;
    proc.onEarlyExit(code);
    if (this.#proc === proc) this.#proc = null;
    const current = this.#current;
    if (current && current.proc === proc) {
      this.#flushProgress(current);
      if (this.#store.jobs.get(current.id)?.status === 'running') {
        this.#log('warn', `job process exited (${describeExit(code)}) during job ${current.id}`);
        this.#store.jobs.setStatus(current.id, 'interrupted', {
          error: `The job process stopped unexpectedly (${describeExit(code)}); resume the job to continue where it stopped`,
        });
      }
      this.#announce(current.id);
      this.#endCurrent(current);
    }
  }

  #onMessage(proc: ProcessHandle, message: FromJob): void {
    if (this.#closed) return;
    if (message.type === 'ready') {
      proc.onReady(message.backend);
      return;
    }
    if (message.type === 'log' && message.jobId === null) {
      this.#log(message.level, `job process: ${message.message}`);
      return;
    }
    const current = this.#current;
    if (!current || current.proc !== proc || message.jobId !== current.id) {
      this.#log('warn', `ignored '${message.type}' for job ${message.jobId}: not the running job`);
      return;
    }
    switch (message.type) {
      case 'progress':
        current.pendingProgress = current.offset === 0 ? message.progress : { ...message.progress, done: message.progress.done + current.offset, total: message.progress.total + current.offset };
        this.#throttleProgress(current);
        return;
      case 'item':
        this.#storeItem(current, message.item);
        return;
      case 'item-error':
        this.#storeItemError(current, message.key, message.file, message.problem);
        return;
      case 'epoch': {
        const { epoch, losses, validation, seconds } = message.record;
        const numeric = Object.fromEntries(Object.entries(losses).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
        this.#store.jobs.addEpoch(current.id, { epoch, losses: numeric, ...(validation ? { validation: { ...validation } } : {}), seconds });
        this.#announce(current.id);
        return;
      }
      case 'log':
        this.#log(message.level, `job ${current.id}: ${message.message}`);
        return;
      case 'done':
        this.#onDone(current, message.result);
        return;
      case 'cancelled':
        this.#flushProgress(current);
        this.#finish(current.id, 'cancelled', { message: 'cancelled' });
        this.#endCurrent(current);
        return;
      case 'failed': {
        this.#flushProgress(current);
        const text = message.file && !message.message.includes(message.file) ? `${message.file}: ${message.message}` : message.message;
        this.#finish(current.id, 'failed', { error: text });
        this.#endCurrent(current);
        return;
      }
      default:
        assertNever(message);
    }
  }

  #storeItem(current: CurrentJob, item: Extract<FromJob, { type: 'item' }>['item']): void {
    const record = current.record;
    if (record.kind !== 'screen') return;
    const row = this.#store.cases.get(item.key);
    if (!row || row.studyId !== record.studyId) return; // the study was removed meanwhile
    const summary = PredictionSummarySchema.safeParse(item.summary);
    const labels = LabelMapSchema.safeParse(item.labels);
    if (!summary.success || !labels.success) {
      const issue = (summary.error ?? labels.error)!.issues[0];
      this.#storeItemError(current, item.key, item.file, `the job process returned an invalid result (${issue?.path.join('.')}: ${issue?.message})`);
      return;
    }
    this.#store.transaction(() => {
      this.#store.predictions.upsert({ caseId: item.key, modelId: record.modelId, jobId: current.id, summary: summary.data, labels: labels.data, heatmaps: item.heatmapFiles });
      this.#store.cases.markScreened(item.key, { width: summary.data.width, height: summary.data.height });
    });
    this.#events.emit({ type: 'case', caseId: item.key, studyId: record.studyId });
  }

  #storeItemError(current: CurrentJob, key: string, file: string, problem: string): void {
    const record = current.record;
    const row = this.#store.cases.get(key);
    this.#store.transaction(() => {
      if (row) this.#store.cases.setProblem(key, problem, 'screening');
      this.#store.jobs.addProblem(current.id, { key, file, problem });
    });
    if (row && record.kind === 'screen') this.#events.emit({ type: 'case', caseId: key, studyId: record.studyId });
    this.#throttleProgress(current);
  }

  #onDone(current: CurrentJob, result: Extract<FromJob, { type: 'done' }>['result']): void {
    this.#flushProgress(current);
    const record = current.record;
    const status = this.#store.jobs.get(current.id)?.status;
    if (result.kind === 'screen' && record.kind === 'screen') {
      const failed = this.#problemKeys(current.id).size;
      const screened = this.#store.predictions.casesPredictedByJob(current.id).size;
      const total = current.pendingProgress?.total ?? screened + failed;
      this.#store.jobs.setProgress(current.id, { done: total, total, etaS: 0, message: `${screened} screened, ${failed} with a problem` });
      if (status === 'running') this.#store.jobs.setStatus(current.id, 'done');
      this.#announce(current.id);
      this.#events.emit({ type: 'study', studyId: record.studyId });
    } else if (result.kind === 'finetune' && record.kind === 'finetune') {
      if (status !== 'running') {
        // Cancelled meanwhile: the user chose not to have this version. It was never registered.
        fs.rmSync(record.outModelDir, { recursive: true, force: true });
        this.#announce(current.id);
      } else if (path.resolve(result.modelDir) !== path.resolve(record.outModelDir)) {
        this.#finish(current.id, 'failed', { error: `the job process wrote the model to ${result.modelDir}, not to ${record.outModelDir} as asked` });
      } else {
        try {
          const existing = this.#store.models.get(record.modelId);
          if (!existing) {
            this.#registry.registerFinetuned({
              id: record.modelId,
              dir: record.outModelDir,
              parentId: record.parentModelId,
              jobId: current.id,
              comparison: { validation: result.validation, parentValidation: result.parentValidation, cases: record.validation.length },
            });
          }
          this.#finish(current.id, 'done', { resultModelId: record.modelId, message: `new model version ${record.modelName}` });
          this.#events.emit({ type: 'models' });
        } catch (error) {
          this.#finish(current.id, 'failed', { error: `the fine-tuned model package cannot be used: ${errorMessage(error)}` });
        }
      }
    } else {
      this.#finish(current.id, 'failed', { error: `the job process answered a ${record.kind} job with a ${result.kind} result` });
    }
    this.#endCurrent(current);
  }

  // ---------- bookkeeping ----------

  /** Moves a job to a final status unless it was cancelled (which is final) and announces it. */
  #finish(jobId: string, status: 'done' | 'failed' | 'cancelled', fields: { error?: string | null; resultModelId?: string; message?: string } = {}): void {
    const row = this.#store.jobs.get(jobId);
    if (!row) return;
    if (row.status !== 'cancelled' || status === 'cancelled') this.#store.jobs.setStatus(jobId, status, fields);
    this.#announce(jobId);
  }

  #endCurrent(current: CurrentJob): void {
    if (current.progressTimer) clearTimeout(current.progressTimer);
    if (current.cancelTimer) clearTimeout(current.cancelTimer);
    if (this.#current === current) this.#current = null;
    current.finished();
  }

  #throttleProgress(current: CurrentJob): void {
    if (current.progressTimer) return;
    const wait = current.lastProgressWrite + this.#tuning.progressIntervalMs - Date.now();
    if (wait <= 0) {
      this.#flushProgress(current);
      return;
    }
    current.progressTimer = setTimeout(() => {
      current.progressTimer = null;
      if (this.#current === current && !this.#closed) this.#flushProgress(current);
    }, wait);
    current.progressTimer.unref?.();
  }

  #flushProgress(current: CurrentJob): void {
    if (current.progressTimer) {
      clearTimeout(current.progressTimer);
      current.progressTimer = null;
    }
    current.lastProgressWrite = Date.now();
    const progress = current.pendingProgress;
    if (progress) this.#store.jobs.setProgress(current.id, { done: progress.done, total: progress.total, etaS: progress.etaS, message: progress.message });
    this.#announce(current.id);
  }

  #announce(jobId: string): void {
    const row = this.#store.jobs.get(jobId);
    if (row) this.#events.emit({ type: 'job', job: this.#store.jobs.dto(row) });
  }
}

function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 100) / 10} s`;
}

function describeExit(code: number | null): string {
  return code === null ? 'killed by a signal' : `exit code ${code}`;
}
