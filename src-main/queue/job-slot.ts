// One job process (the same engine as a local run: src-main/worker/main.ts,
// started through the launcher abstraction) that a queue worker hands jobs to,
// one at a time. If the process dies, the job in it fails and the next job
// starts a fresh process.
import { randomUUID } from 'node:crypto';
import type { BackendInfo } from '../core/backend';
import type { JobChannel, JobProcessLauncher } from '../core/jobs/launcher';
import { assertNever, type FromJob, type JobResult, type JobSpec } from '../core/jobs/protocol';

/** The job stopped because it was asked to (cancel, or the worker handing it back). */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
}

/** The job process reported the job as failed; `file` names a bad input file when it was one. */
export class JobProcessError extends Error {
  override readonly name = 'JobProcessError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

type Running = {
  readonly jobId: string;
  readonly onMessage: (message: FromJob) => void;
  readonly resolve: (result: JobResult) => void;
  readonly reject: (error: Error) => void;
};

export class JobSlot {
  readonly #launcher: JobProcessLauncher;
  #channel: JobChannel | null = null;
  #ready: Promise<BackendInfo> | null = null;
  #running: Running | null = null;

  constructor(launcher: JobProcessLauncher) {
    this.#launcher = launcher;
  }

  get busy(): boolean {
    return this.#running !== null;
  }

  /** Starts the job process if it is not running, and resolves with its backend once it is ready. */
  start(): Promise<BackendInfo> {
    if (this.#ready) return this.#ready;
    const channel = this.#launcher.launch();
    this.#channel = channel;
    this.#ready = new Promise<BackendInfo>((resolve, reject) => {
      channel.onExit((code) => {
        if (this.#channel === channel) {
          this.#channel = null;
          this.#ready = null;
        }
        reject(new Error(`the job process ended before it was ready (exit code ${code ?? 'signal'})`));
        const running = this.#running;
        this.#running = null;
        running?.reject(new Error(`the job process ended during the job (exit code ${code ?? 'signal'})`));
      });
      channel.onMessage((message) => {
        if (message.type === 'ready') {
          resolve(message.backend);
          return;
        }
        this.#route(message);
      });
    });
    return this.#ready;
  }

  #route(message: Exclude<FromJob, { type: 'ready' }>): void {
    const running = this.#running;
    if (!running || (message.jobId !== null && message.jobId !== running.jobId)) return;
    switch (message.type) {
      case 'progress':
      case 'item':
      case 'item-error':
      case 'epoch':
      case 'log':
        running.onMessage(message);
        return;
      case 'done':
        this.#running = null;
        running.resolve(message.result);
        return;
      case 'cancelled':
        this.#running = null;
        running.reject(new JobCancelledError('cancelled'));
        return;
      case 'failed':
        this.#running = null;
        running.reject(new JobProcessError(message.message, message.file));
        return;
      default:
        assertNever(message, 'message from the job process');
    }
  }

  /** Runs one job; messages other than the outcome go to onMessage. */
  async run(spec: JobSpec, onMessage: (message: FromJob) => void): Promise<JobResult> {
    if (this.#running) throw new Error('the job slot is busy');
    await this.start();
    const channel = this.#channel;
    if (!channel) throw new Error('the job process ended before it was ready');
    const jobId = randomUUID();
    return new Promise<JobResult>((resolve, reject) => {
      this.#running = { jobId, onMessage, resolve, reject };
      channel.send({ type: 'start', jobId, spec });
    });
  }

  /** Asks the running job to stop at its next safe point. */
  cancel(): void {
    if (this.#running) this.#channel?.send({ type: 'cancel', jobId: this.#running.jobId });
  }

  /** Ends the job process: politely, then for good after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const channel = this.#channel;
    if (!channel) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        channel.kill();
        resolve();
      }, graceMs);
      channel.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      channel.send({ type: 'shutdown' });
    });
  }
}
