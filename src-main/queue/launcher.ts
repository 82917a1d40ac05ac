// The desktop app on a job server: a JobProcessLauncher whose "job process" is
// the queue. The job manager sends its jobs (screening, fine-tuning) as it
// would to a local job process; they go onto the queue as `job` jobs, a queue
// worker on the clinic's GPU server runs them in its own job process, and its
// progress, items, epochs and logs come back as BullMQ progress events, so the
// app shows the same progress, curves and cancel as locally. Paths in a job
// (photographs, model packages, output folders) must mean the same on the
// server: shared storage at the same path, as for `screen --queue`.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { errorMessage } from '../core/errors';
import type { JobChannel, JobProcessLauncher } from '../core/jobs/launcher';
import type { FromJob, JobResult, ToJob } from '../core/jobs/protocol';
import { publishCancel } from './cancel';
import { QUEUE_NAME, type QueueTarget } from './connection';
import { PROTOCOL_JOB, type ProtocolJob } from './jobs';
import { liveWorkers } from './status';

export interface QueueLauncherOptions {
  readonly target: QueueTarget;
  /** How often to look for a live worker before saying 'ready' (ms). */
  readonly pollMs?: number;
}

export function queueLauncher(options: QueueLauncherOptions): JobProcessLauncher {
  return { launch: () => new QueueChannel(options) };
}

class QueueChannel implements JobChannel {
  readonly #target: QueueTarget;
  readonly #queue: Queue;
  /** Created once connected, reading the event stream from where it stood then, so no event of our jobs is missed. */
  #events: QueueEvents | null = null;
  readonly #redis: Redis;
  readonly #listeners: Array<(message: FromJob) => void> = [];
  readonly #exitListeners: Array<(code: number | null) => void> = [];
  #exitCode: number | null | undefined;
  /** The running job: the manager's id and the queue's. */
  #running: { readonly jobId: string; readonly queueJobId: string; readonly items: Set<string> } | null = null;

  constructor(options: QueueLauncherOptions) {
    this.#target = options.target;
    this.#queue = new Queue(QUEUE_NAME, { connection: options.target.connection });
    this.#redis = new Redis({ ...options.target.connection, lazyConnect: true });
    // Connection errors are retried by the clients; what the user sees is a job that does not start or progress.
    this.#queue.on('error', () => undefined);
    this.#redis.on('error', () => undefined);
    void this.#connect(options.pollMs ?? 1000);
  }

  /** Connects, waits for a worker to announce itself, and says 'ready' with its backend. */
  async #connect(pollMs: number): Promise<void> {
    try {
      await Promise.all([this.#queue.waitUntilReady(), this.#redis.connect()]);
      const last = await this.#redis.xrevrange(this.#queue.keys.events!, '+', '-', 'COUNT', 1);
      const events = new QueueEvents(QUEUE_NAME, { connection: this.#target.connection, lastEventId: last[0]?.[0] ?? '0' });
      this.#events = events;
      events.on('error', () => undefined);
      events.on('progress', ({ jobId, data }) => this.#forward(jobId, data as FromJob));
      events.on('completed', ({ jobId, returnvalue }) => this.#finish(jobId, { type: 'done', result: returnvalue as unknown as JobResult }));
      events.on('stalled', ({ jobId }) => {
        if (this.#running?.queueJobId === jobId) this.#emit({ type: 'log', jobId: this.#running.jobId, level: 'warn', message: `the worker running this job on ${this.#target.display} stopped; the job goes to another worker` });
      });
      events.on('failed', ({ jobId, failedReason }) => this.#finish(jobId, failedReason === 'cancelled' ? { type: 'cancelled' } : { type: 'failed', message: failedReason || 'failed on the job server' }));
      await events.waitUntilReady();
      let told = false;
      for (;;) {
        if (this.#exitCode !== undefined) return;
        // Workers announce their backend in full (older ones without it are not used for the app's jobs' display).
        const worker = (await liveWorkers(this.#redis)).find((w) => !w.stopping && w.backendInfo);
        if (worker?.backendInfo) {
          this.#emit({ type: 'ready', backend: { ...worker.backendInfo, device: `${worker.backendInfo.device}; job server ${this.#target.display}, worker ${worker.host}` } });
          return;
        }
        if (!told) this.#emit({ type: 'log', jobId: null, level: 'warn', message: `no worker on the job server ${this.#target.display} yet; waiting for one` });
        told = true;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    } catch (error) {
      if (this.#exitCode !== undefined) return;
      this.#emit({ type: 'log', jobId: null, level: 'warn', message: `job server ${this.#target.display}: ${errorMessage(error)}` });
      await this.#close(1);
    }
  }

  send(message: ToJob): void {
    if (this.#exitCode !== undefined) return;
    switch (message.type) {
      case 'start': {
        const queueJobId = `app-${randomUUID()}`;
        this.#running = { jobId: message.jobId, queueJobId, items: new Set() };
        const data: ProtocolJob = { spec: message.spec };
        // One attempt: a job the server cannot finish is reported to the app, which offers resume as for a local job.
        this.#queue.add(PROTOCOL_JOB, data, { jobId: queueJobId, attempts: 1, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } }).catch((error: unknown) => {
          this.#finish(queueJobId, { type: 'failed', message: `could not send the job to the job server: ${errorMessage(error)}` });
        });
        return;
      }
      case 'cancel':
        if (this.#running?.jobId === message.jobId) void this.#cancel(this.#running.queueJobId);
        return;
      case 'shutdown':
        void this.#close(0);
        return;
    }
  }

  /** A job still waiting is taken off the queue; a running one is asked to stop at its next safe point. */
  async #cancel(queueJobId: string): Promise<void> {
    const job = await this.#queue.getJob(queueJobId);
    if (job && (await job.getState()) === 'waiting') {
      await job.remove();
      this.#finish(queueJobId, { type: 'cancelled' });
      return;
    }
    await publishCancel(this.#redis, queueJobId);
  }

  #forward(queueJobId: string, message: FromJob): void {
    const running = this.#running;
    if (!running || running.queueJobId !== queueJobId || message.type === 'ready') return;
    // A worker that takes over the job of one that died skips the items that one reported, except one whose
    // report reached the app as the worker died: it comes twice and is stored once.
    const item = message.type === 'item' ? message.item.key : message.type === 'item-error' ? message.key : null;
    if (item !== null) {
      if (running.items.has(item)) return;
      running.items.add(item);
    }
    this.#emit({ ...message, jobId: running.jobId } as FromJob);
  }

  #finish(queueJobId: string, outcome: { type: 'done'; result: JobResult } | { type: 'cancelled' } | { type: 'failed'; message: string }): void {
    const running = this.#running;
    if (!running || running.queueJobId !== queueJobId) return;
    this.#running = null;
    this.#emit({ ...outcome, jobId: running.jobId });
  }

  #emit(message: FromJob): void {
    if (this.#exitCode !== undefined) return;
    for (const listener of this.#listeners) listener(message);
  }

  onMessage(listener: (message: FromJob) => void): void {
    this.#listeners.push(listener);
  }

  onExit(listener: (code: number | null) => void): void {
    if (this.#exitCode !== undefined) listener(this.#exitCode);
    else this.#exitListeners.push(listener);
  }

  /** Ends the channel now, as killing a local job process ends its job: the job running on the server is asked to stop. */
  kill(): void {
    const running = this.#running;
    this.#running = null;
    void (async () => {
      if (running) await this.#cancel(running.queueJobId).catch(() => undefined);
      await this.#close(null);
    })();
  }

  async #close(code: number | null): Promise<void> {
    if (this.#exitCode !== undefined) return;
    this.#exitCode = code;
    await Promise.allSettled([this.#events?.close(), this.#queue.close()]);
    this.#redis.disconnect();
    for (const listener of this.#exitListeners) listener(code);
  }
}
