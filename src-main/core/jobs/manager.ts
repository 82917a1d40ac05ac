// The job queue of the app: screening and fine-tuning runs, one at a time, in
// the job process that owns TensorFlow. The queue lives in the store, so it
// survives the app: at start-up, jobs a killed process left 'queued' or
// 'running' become 'interrupted', and the user resumes them. The manager takes
// requests (enqueue, cancel, resume) and runs the queue; the job process is
// the supervisor's (process-supervisor.ts), and what a job reports is applied
// to the store by the result handler (result-handler.ts).
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
import { describeExit, JobProcessSupervisor, type JobProcess } from './process-supervisor';
import { assertNever, type JobSpec } from './protocol';
import { JobResultHandler, type JobMessage, type RunningJob } from './result-handler';

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

const RESUMABLE: readonly JobRow['status'][] = ['interrupted', 'cancelled', 'failed'];

export class JobManager {
  readonly #store: Store;
  readonly #registry: ModelRegistry;
  readonly #events: AppEventSink;
  readonly #userDataDir: string;
  readonly #tuning: JobManagerTuning;
  readonly #log: Log;
  readonly #process: JobProcessSupervisor;
  readonly #results: JobResultHandler;
  #current: RunningJob | null = null;
  #loop: Promise<void> | null = null;
  #closed = false;

  constructor(options: JobManagerOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#events = options.events;
    this.#userDataDir = options.userDataDir;
    this.#tuning = { ...DEFAULT_JOB_TUNING, ...options.tuning };
    this.#log = options.log ?? (() => {});
    this.#process = new JobProcessSupervisor({
      launcher: options.launcher,
      readyTimeoutMs: this.#tuning.readyTimeoutMs,
      idleShutdownMs: this.#tuning.idleShutdownMs,
      log: this.#log,
      onMessage: (proc, message) => this.#onMessage(proc, message),
      onExit: (proc, code) => this.#onExit(proc, code),
    });
    this.#results = new JobResultHandler({
      store: this.#store,
      registry: this.#registry,
      events: this.#events,
      log: this.#log,
      progressIntervalMs: this.#tuning.progressIntervalMs,
      isRunning: (job) => this.#current === job && !this.#closed,
    });
  }

  /** The backend the job process reported, once it has started. */
  get backend(): BackendInfo | null {
    return this.#process.backend;
  }

  /**
   * Starts the job process ahead of the first job, so TensorFlow is loaded and
   * the backend is known (and shown) before the user asks for anything. The
   * process is shut down again after the usual idle time if no job comes.
   */
  warmUp(): void {
    if (this.#closed || this.#process.alive) return;
    try {
      const proc = this.#process.ensure();
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
    this.#results.announce(job.id);
    this.#pump();
    return job;
  }

  /** Queues a fine-tune whose spec (and correction masks) the caller prepared under record.runDir. */
  enqueueFinetune(jobId: string, record: FinetuneJobRecord, title: string): JobRow {
    const job = this.#store.jobs.insert({ id: jobId, studyId: null, title, spec: record, total: record.epochs });
    this.#results.announce(job.id);
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
            this.#process.kill(current.proc);
          }
        }, this.#tuning.cancelGraceMs);
        current.cancelTimer.unref?.();
      }
    }
    this.#results.announce(jobId);
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
    this.#results.announce(jobId);
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
    this.#process.close();
    const current = this.#current;
    if (current) {
      const row = this.#store.jobs.get(current.id);
      if (row?.status === 'running') {
        this.#results.flushProgress(current);
        this.#store.jobs.setStatus(current.id, 'interrupted', { error: 'The app was closed while this job ran; resume it to continue where it stopped' });
      }
      this.#endCurrent(current);
    }
    await this.#process.shutdown(graceMs);
    await this.#loop?.catch(() => {});
  }

  // ---------- the queue ----------

  #pump(): void {
    if (this.#loop || this.#closed) return;
    this.#process.cancelIdleShutdown();
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
        this.#results.finish(job.id, 'failed', { error: `internal error: ${errorMessage(error)}` });
      }
    }
  }

  #scheduleIdleShutdown(): void {
    this.#process.scheduleIdleShutdown(() => this.#current !== null);
  }

  async #run(job: JobRow): Promise<void> {
    let prepared: { spec: JobSpec; offset: number } | null;
    try {
      prepared = this.#prepare(job);
    } catch (error) {
      this.#results.finish(job.id, 'failed', { error: errorMessage(error) });
      return;
    }
    if (prepared === null) {
      this.#results.finish(job.id, 'done', { message: 'nothing to screen: every readable image already has a prediction from this model' });
      return;
    }
    this.#store.jobs.markStarted(job.id);
    this.#store.jobs.setStatus(job.id, 'running', { message: 'starting the job process…' });
    this.#results.announce(job.id);

    let channel: JobChannel;
    let proc: JobProcess;
    try {
      proc = this.#process.ensure();
      channel = await proc.ready;
    } catch (error) {
      if (this.#store.jobs.get(job.id)?.status === 'running') this.#results.finish(job.id, 'failed', { error: errorMessage(error) });
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
        const done = job.attempts > 0 ? this.#store.predictions.casesPredictedByJob(job.id).size + this.#results.problemKeys(job.id).size : 0;
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
      for (const id of this.#results.problemKeys(job.id)) skip.add(id);
    }
    return cases.filter((c) => !skip.has(c.id)).map((c) => ({ id: c.id, file: c.file }));
  }

  // ---------- the running job ----------

  #onExit(proc: JobProcess, code: number | null): void {
    const current = this.#current;
    if (current && current.proc === proc) {
      this.#results.flushProgress(current);
      if (this.#store.jobs.get(current.id)?.status === 'running') {
        this.#log('warn', `job process exited (${describeExit(code)}) during job ${current.id}`);
        this.#store.jobs.setStatus(current.id, 'interrupted', {
          error: `The job process stopped unexpectedly (${describeExit(code)}); resume the job to continue where it stopped`,
        });
      }
      this.#results.announce(current.id);
      this.#endCurrent(current);
    }
  }

  #onMessage(proc: JobProcess, message: JobMessage): void {
    const current = this.#current;
    if (!current || current.proc !== proc || message.jobId !== current.id) {
      this.#log('warn', `ignored '${message.type}' for job ${message.jobId}: not the running job`);
      return;
    }
    if (this.#results.apply(current, message)) this.#endCurrent(current);
  }

  #endCurrent(current: RunningJob): void {
    if (current.progressTimer) clearTimeout(current.progressTimer);
    if (current.cancelTimer) clearTimeout(current.cancelTimer);
    if (this.#current === current) this.#current = null;
    current.finished();
  }
}
