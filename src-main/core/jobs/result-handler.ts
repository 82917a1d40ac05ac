// What the running job reports, applied to the store, per kind: a screened
// image's prediction and case in one transaction, an image's problem, a
// fine-tune's epoch, and the final result (a screening's counts, a fine-tuned
// model version registered only from 'done'); progress written at most every
// `progressIntervalMs`; every change announced as an app event.
import fs from 'node:fs';
import path from 'node:path';
import { LabelMapSchema, PredictionSummarySchema } from '../contract/contract';
import type { AppEventSink } from '../contract/events';
import { errorMessage } from '../errors';
import type { Log } from '../log';
import type { ModelRegistry } from '../registry/model-registry';
import { OperatingPoints } from '../registry/operating-point';
import type { JobRow } from '../store/jobs';
import type { Store } from '../store/store';
import type { JobProcess } from './process-supervisor';
import { assertNever, type FromJob, type JobProgress } from './protocol';

/** The job the job process is running now. */
export interface RunningJob {
  readonly id: string;
  readonly kind: JobRow['kind'];
  readonly proc: JobProcess;
  readonly record: JobRow['spec'];
  /** Items (and their count) a resumed screening had already finished: added to the process's own counts. */
  readonly offset: number;
  /** Lets the queue go on to the next job. */
  readonly finished: () => void;
  pendingProgress: JobProgress | null;
  lastProgressWrite: number;
  progressTimer: NodeJS.Timeout | null;
  cancelTimer: NodeJS.Timeout | null;
}

/** A message about a job, from the job process. */
export type JobMessage = Exclude<FromJob, { type: 'ready' }>;

export interface JobResultHandlerOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly events: AppEventSink;
  readonly log: Log;
  /** Progress is written to the store and announced at most this often (ms). */
  readonly progressIntervalMs: number;
  /** Whether a job is still the running one (a late progress timer writes nothing otherwise). */
  readonly isRunning: (job: RunningJob) => boolean;
}

export type FinalStatus = 'done' | 'failed' | 'cancelled';

export class JobResultHandler {
  readonly #store: Store;
  readonly #registry: ModelRegistry;
  readonly #events: AppEventSink;
  readonly #log: Log;
  readonly #progressIntervalMs: number;
  readonly #isRunning: (job: RunningJob) => boolean;
  readonly #operatingPoints: OperatingPoints;

  constructor(options: JobResultHandlerOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#events = options.events;
    this.#log = options.log;
    this.#progressIntervalMs = options.progressIntervalMs;
    this.#isRunning = options.isRunning;
    this.#operatingPoints = new OperatingPoints(options.store, options.registry);
  }

  /** Applies one message about the running job; true when the job has ended with it. */
  apply(job: RunningJob, message: JobMessage): boolean {
    switch (message.type) {
      case 'progress':
        job.pendingProgress = job.offset === 0 ? message.progress : { ...message.progress, done: message.progress.done + job.offset, total: message.progress.total + job.offset };
        this.#throttleProgress(job);
        return false;
      case 'item':
        this.#storeItem(job, message.item);
        return false;
      case 'item-error':
        this.#storeItemError(job, message.key, message.file, message.problem);
        return false;
      case 'epoch': {
        const { epoch, losses, validation, seconds } = message.record;
        const numeric = Object.fromEntries(Object.entries(losses).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
        this.#store.jobs.addEpoch(job.id, { network: message.unit, epoch, losses: numeric, ...(validation ? { validation: { ...validation } } : {}), seconds });
        this.announce(job.id);
        return false;
      }
      case 'log':
        this.#log(message.level, `job ${job.id}: ${message.message}`);
        return false;
      case 'done':
        this.#onDone(job, message.result);
        return true;
      case 'cancelled':
        this.flushProgress(job);
        this.finish(job.id, 'cancelled', { message: 'cancelled' });
        return true;
      case 'failed': {
        this.flushProgress(job);
        const text = message.file && !message.message.includes(message.file) ? `${message.file}: ${message.message}` : message.message;
        this.finish(job.id, 'failed', { error: text });
        return true;
      }
      default:
        return assertNever(message);
    }
  }

  /** Moves a job to a final status unless it was cancelled (which is final) and announces it. */
  finish(jobId: string, status: FinalStatus, fields: { error?: string | null; resultModelId?: string; message?: string } = {}): void {
    const row = this.#store.jobs.get(jobId);
    if (!row) return;
    if (row.status !== 'cancelled' || status === 'cancelled') this.#store.jobs.setStatus(jobId, status, fields);
    this.announce(jobId);
  }

  /** Writes the job's latest progress now and announces the job. */
  flushProgress(job: RunningJob): void {
    if (job.progressTimer) {
      clearTimeout(job.progressTimer);
      job.progressTimer = null;
    }
    job.lastProgressWrite = Date.now();
    const progress = job.pendingProgress;
    if (progress) this.#store.jobs.setProgress(job.id, { done: progress.done, total: progress.total, etaS: progress.etaS, message: progress.message });
    this.announce(job.id);
  }

  announce(jobId: string): void {
    const row = this.#store.jobs.get(jobId);
    if (row) this.#events.emit({ type: 'job', job: this.#store.jobs.dto(row) });
  }

  /** Keys of the items a job reported a problem for. */
  problemKeys(jobId: string): Set<string> {
    return new Set(this.#store.jobs.problems(jobId).flatMap((p) => (p.key === null ? [] : [p.key])));
  }

  #throttleProgress(job: RunningJob): void {
    if (job.progressTimer) return;
    const wait = job.lastProgressWrite + this.#progressIntervalMs - Date.now();
    if (wait <= 0) {
      this.flushProgress(job);
      return;
    }
    job.progressTimer = setTimeout(() => {
      job.progressTimer = null;
      if (this.#isRunning(job)) this.flushProgress(job);
    }, wait);
    job.progressTimer.unref?.();
  }

  #storeItem(job: RunningJob, item: Extract<FromJob, { type: 'item' }>['item']): void {
    const record = job.record;
    if (record.kind !== 'screen') return;
    const row = this.#store.cases.get(item.key);
    if (!row || row.studyId !== record.studyId) return; // the study was removed meanwhile
    const summary = PredictionSummarySchema.safeParse(item.summary);
    const labels = LabelMapSchema.safeParse(item.labels);
    if (!summary.success || !labels.success) {
      const issue = (summary.error ?? labels.error)!.issues[0];
      this.#storeItemError(job, item.key, item.file, `the job process returned an invalid result (${issue?.path.join('.')}: ${issue?.message})`);
      return;
    }
    this.#store.transaction(() => {
      // Decided at the app's operating point in force now (the job process decides at the package's default).
      const decided = this.#operatingPoints.decide(record.modelId, summary.data);
      this.#store.predictions.upsert({ caseId: item.key, modelId: record.modelId, jobId: job.id, summary: decided, labels: labels.data, heatmaps: item.heatmapFiles });
      this.#store.cases.markScreened(item.key, { width: summary.data.width, height: summary.data.height });
    });
    this.#events.emit({ type: 'case', caseId: item.key, studyId: record.studyId });
  }

  #storeItemError(job: RunningJob, key: string, file: string, problem: string): void {
    const record = job.record;
    const row = this.#store.cases.get(key);
    this.#store.transaction(() => {
      if (row) this.#store.cases.setProblem(key, problem, 'screening');
      this.#store.jobs.addProblem(job.id, { key, file, problem });
    });
    if (row && record.kind === 'screen') this.#events.emit({ type: 'case', caseId: key, studyId: record.studyId });
    this.#throttleProgress(job);
  }

  #onDone(job: RunningJob, result: Extract<FromJob, { type: 'done' }>['result']): void {
    this.flushProgress(job);
    const record = job.record;
    const status = this.#store.jobs.get(job.id)?.status;
    if (result.kind === 'screen' && record.kind === 'screen') {
      const failed = this.problemKeys(job.id).size;
      const screened = this.#store.predictions.casesPredictedByJob(job.id).size;
      const total = job.pendingProgress?.total ?? screened + failed;
      this.#store.jobs.setProgress(job.id, { done: total, total, etaS: 0, message: `${screened} screened, ${failed} with a problem` });
      if (status === 'running') this.#store.jobs.setStatus(job.id, 'done');
      this.announce(job.id);
      this.#events.emit({ type: 'study', studyId: record.studyId });
    } else if (result.kind === 'finetune' && record.kind === 'finetune') {
      if (status !== 'running') {
        // Cancelled meanwhile: the user chose not to have this version. It was never registered.
        fs.rmSync(record.outModelDir, { recursive: true, force: true });
        this.announce(job.id);
      } else if (path.resolve(result.modelDir) !== path.resolve(record.outModelDir)) {
        this.finish(job.id, 'failed', { error: `the job process wrote the model to ${result.modelDir}, not to ${record.outModelDir} as asked` });
      } else {
        try {
          const existing = this.#store.models.get(record.modelId);
          if (!existing) {
            this.#registry.registerFinetuned({
              id: record.modelId,
              dir: record.outModelDir,
              parentId: record.parentModelId,
              jobId: job.id,
              outcome: { corrections: record.train.length, heldBack: record.validation.length, ...(result.heldBack ? { scores: result.heldBack } : {}) },
            });
          }
          this.finish(job.id, 'done', { resultModelId: record.modelId, message: `new model version ${record.modelName}` });
          this.#events.emit({ type: 'models' });
        } catch (error) {
          this.finish(job.id, 'failed', { error: `the fine-tuned model package cannot be used: ${errorMessage(error)}` });
        }
      }
    } else {
      this.finish(job.id, 'failed', { error: `the job process answered a ${record.kind} job with a ${result.kind} result` });
    }
  }
}
