// A queue worker: takes jobs from the BullMQ queue and runs them in local job
// processes (the same engine as a local run), `concurrency` at a time. It
// announces itself (backend, model cache, load) under a key that expires when
// it stops refreshing it, and on stop() finishes its current jobs or, after a
// grace period, hands them back to the queue for another worker.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker, WaitingError, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { describeBackend, type BackendInfo } from '../core/backend';
import { errorMessage } from '../core/errors';
import type { JobProcessLauncher } from '../core/jobs/launcher';
import type { FromJob, JobResult, JobSpec } from '../core/jobs/protocol';
import { QUEUE_NAME, type QueueTarget } from './connection';
import { JobCancelledError, JobProcessError, JobSlot } from './job-slot';
import { PROTOCOL_JOB, ProtocolJobSchema, REPORTED_TTL_MS, reportedItemsKey, SCREEN_IMAGE_JOB, ScreenImageJobSchema, workerKey, writeImageRecord, type WorkerRecord } from './jobs';
import { resolveModel } from './model-cache';
import { subscribeCancels } from './cancel';

export interface QueueWorkerOptions {
  readonly target: QueueTarget;
  readonly launcher: JobProcessLauncher;
  readonly concurrency: number;
  /** Where model packages are cached by content hash; null loads them from shared storage after checking their hash. */
  readonly modelCache: string | null;
  /** How long a job's lock lasts without renewal: a worker that dies loses its job this long after its last renewal. */
  readonly lockDurationMs: number;
  /** How often this worker looks for jobs whose worker died. */
  readonly stalledIntervalMs: number;
  /** A job whose worker died this many times more is failed instead of handed out again. */
  readonly maxStalledCount: number;
  readonly log: (line: string) => void;
}

const HEARTBEAT_MS = 5000;

export class QueueWorker {
  readonly id: string;
  readonly backend: BackendInfo;
  readonly #options: QueueWorkerOptions;
  readonly #slots: JobSlot[];
  readonly #worker: Worker;
  readonly #startedAt = new Date().toISOString();
  #processed = 0;
  #stopping = false;
  #handingBack = false;
  #heartbeat: NodeJS.Timeout | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;
  /** Our own connection for the announcement key (BullMQ's are busy blocking on the queue). */
  readonly #redis: Redis;
  /** Running queue jobs by BullMQ job id, to cancel them on request. */
  readonly #bySlot = new Map<string, JobSlot>();

  private constructor(options: QueueWorkerOptions, slots: JobSlot[], backend: BackendInfo) {
    this.#options = options;
    this.#slots = slots;
    this.backend = backend;
    this.id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#worker = new Worker(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: options.target.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
      name: this.id,
      autorun: false,
    });
    this.#redis = new Redis({ ...options.target.connection, lazyConnect: true });
    this.#redis.on('error', () => undefined);
    this.#worker.on('error', (error) => options.log(`queue connection: ${errorMessage(error)}`));
  }

  /** Starts the job processes (so a worker announces a backend that really loaded), then takes jobs. */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const slots = Array.from({ length: options.concurrency }, () => new JobSlot(options.launcher));
    const backends = await Promise.all(slots.map((s) => s.start()));
    const worker = new QueueWorker(options, slots, backends[0]!);
    await worker.#worker.waitUntilReady();
    await worker.#redis.connect();
    await worker.#announce();
    worker.#heartbeat = setInterval(() => void worker.#announce().catch(() => undefined), HEARTBEAT_MS);
    worker.#unsubscribe = await subscribeCancels(options.target, (jobId) => worker.#bySlot.get(jobId)?.cancel());
    void worker.#worker.run();
    options.log(`worker ${worker.id}: ${options.concurrency} job process(es) on ${describeBackend(worker.backend)}; model cache ${options.modelCache ?? 'none (packages load from shared storage)'}; queue ${options.target.display}`);
    return worker;
  }

  async #announce(): Promise<void> {
    const record: WorkerRecord = {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      backend: describeBackend(this.backend),
      backendInfo: { ...this.backend, skipped: [...this.backend.skipped] },
      concurrency: this.#options.concurrency,
      modelCache: this.#options.modelCache,
      startedAt: this.#startedAt,
      busy: this.#slots.filter((s) => s.busy).length,
      processed: this.#processed,
      stopping: this.#stopping,
    };
    await this.#redis.set(workerKey(this.id), JSON.stringify(record), 'PX', HEARTBEAT_MS * 3);
  }

  async #process(job: Job, token: string | undefined): Promise<unknown> {
    const { spec: full, after } = this.#specOf(job);
    const { spec, reported } = await this.#remainingOf(job, full);
    // After the last await before run(): two jobs must not pick the same free slot.
    const slot = this.#slots.find((s) => !s.busy);
    if (!slot) throw new Error('no free job process (concurrency exceeded)');
    this.#bySlot.set(job.id!, slot);
    let lastProgress = 0;
    const reportedKey = reportedItemsKey(job.id!);
    // In order, and all sent before the job's outcome, so whoever watches the job sees every item before 'completed'.
    let forwarded: Promise<unknown> = Promise.resolve();
    const forward = (message: FromJob): void => {
      if (job.name !== PROTOCOL_JOB) return;
      // Progress is throttled by the job process already; items, epochs and logs all go to whoever watches the job.
      if (message.type === 'progress' && Date.now() - lastProgress < 200) return;
      if (message.type === 'progress') lastProgress = Date.now();
      // A taken-over screening counts the images the dead worker reported, so the app's progress does not go back.
      const sent = message.type === 'progress' && reported > 0 ? { ...message, progress: { ...message.progress, done: message.progress.done + reported, total: message.progress.total + reported } } : message;
      // Remembered only once the app can have it (the progress event is in the stream): a worker that takes the job over skips it.
      const item = message.type === 'item' ? message.item.key : message.type === 'item-error' ? message.key : null;
      forwarded = forwarded
        .then(() => job.updateProgress(sent as object))
        .then(() => (item === null ? undefined : this.#redis.multi().sadd(reportedKey, item).pexpire(reportedKey, REPORTED_TTL_MS).exec()))
        .catch(() => undefined);
    };
    try {
      const result = await slot.run(spec, forward);
      await forwarded;
      this.#processed++;
      return after(result);
    } catch (error) {
      await forwarded;
      if (error instanceof JobCancelledError && this.#handingBack && token) {
        // Back to the queue without using up an attempt: another worker takes it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (error instanceof JobCancelledError) throw new UnrecoverableError('cancelled');
      if (error instanceof JobProcessError && error.file) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      this.#bySlot.delete(job.id!);
    }
  }

  /**
   * What is left of an app job whose worker died (it comes back to the queue
   * whole). A screening goes without the images the app was already sent:
   * screening them again would store them twice (a second prediction in each
   * case's audit trail) and take the app's progress back to the start.
   */
  async #remainingOf(job: Job, spec: JobSpec): Promise<{ spec: JobSpec; reported: number }> {
    if (job.name !== PROTOCOL_JOB) return { spec, reported: 0 };
    // A fine-tune taken over continues from the dead worker's last checkpoint (on the shared runDir) if it wrote one.
    if (spec.kind === 'finetune' && !spec.resume && (job.stalledCounter > 0 || job.attemptsStarted > 1)) {
      this.#options.log(`job ${job.id}: fine-tune taken over from a worker that stopped; resuming from its checkpoint if it wrote one`);
      return { spec: { ...spec, resume: true }, reported: 0 };
    }
    if (spec.kind !== 'screen') return { spec, reported: 0 };
    const done = new Set(await this.#redis.smembers(reportedItemsKey(job.id!)));
    if (done.size === 0) return { spec, reported: 0 };
    const items = spec.items.filter((item) => !done.has(item.key));
    this.#options.log(`job ${job.id}: taken over from a worker that stopped; ${spec.items.length - items.length} image(s) it reported are skipped`);
    return { spec: { ...spec, items }, reported: spec.items.length - items.length };
  }

  /** The job-process spec of a queue job, and what to do with its result. */
  #specOf(job: Job): { spec: JobSpec; after: (result: JobResult) => unknown } {
    switch (job.name) {
      case SCREEN_IMAGE_JOB: {
        const parsed = ScreenImageJobSchema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`malformed screen-image job: ${parsed.error.message}`);
        const data = parsed.data;
        let modelDir: string;
        try {
          modelDir = resolveModel(data.modelDir, data.modelSha256, this.#options.modelCache);
        } catch (error) {
          throw new UnrecoverableError(errorMessage(error));
        }
        return {
          spec: { kind: 'screen-images', modelDir, items: [data.item], outDir: data.outDir, tta: data.tta, overlays: data.overlays, ...(data.decision ? { decision: data.decision } : {}) },
          after: (result) => {
            if (result.kind !== 'screen-images' || result.images.length !== 1) throw new Error(`unexpected result of a screen-images job: ${result.kind}`);
            const image = result.images[0]!;
            writeImageRecord(data.outDir, { version: 2, modelSha256: data.modelSha256, tta: data.tta, overlays: data.overlays, decision: data.decision ?? {}, image, backend: { ...this.backend, skipped: [...this.backend.skipped] }, worker: this.id, attempt: job.attemptsStarted });
            return { stem: image.id, ms: image.ms, problem: image.problem, worker: this.id };
          },
        };
      }
      case PROTOCOL_JOB: {
        const parsed = ProtocolJobSchema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`malformed job: ${parsed.error.message}`);
        return { spec: parsed.data.spec, after: (result) => result };
      }
      default:
        throw new UnrecoverableError(`unknown job type "${job.name}"`);
    }
  }

  /** Hands the running jobs back to the queue now (a second SIGTERM). */
  handBack(): void {
    this.#handingBack = true;
    for (const slot of this.#slots) slot.cancel();
  }

  /**
   * Stops taking jobs; lets the current ones finish for up to `graceMs`, then
   * hands the rest back to the queue; ends the job processes.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#stopping) {
      if (graceMs === 0) this.handBack();
      return;
    }
    this.#stopping = true;
    await this.#announce().catch(() => undefined);
    const closing = this.#worker.close();
    const timer = setTimeout(() => {
      if (this.#slots.some((s) => s.busy)) this.#options.log('handing the current job(s) back to the queue');
      this.handBack();
    }, graceMs);
    try {
      await closing;
    } finally {
      clearTimeout(timer);
      if (this.#heartbeat) clearInterval(this.#heartbeat);
      await this.#unsubscribe?.().catch(() => undefined);
    }
    await Promise.all(this.#slots.map((s) => s.stop()));
    await this.#redis.del(workerKey(this.id)).catch(() => undefined);
    this.#redis.disconnect();
  }
}
