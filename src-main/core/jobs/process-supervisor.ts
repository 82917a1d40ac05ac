// The job process, seen from main: started on demand (or ahead of the first
// job), given a deadline to load TensorFlow and say 'ready', shut down when it
// has been idle a while, killed when it does not stop. It knows nothing about
// jobs: every message other than 'ready' and job-less logs goes to `onMessage`,
// and an exit to `onExit`, with the process it came from.
import type { BackendInfo } from '../backend';
import { errorMessage } from '../errors';
import type { Log } from '../log';
import type { JobChannel, JobProcessLauncher } from './launcher';
import type { FromJob } from './protocol';

/** One job process; a new one is started after it exits. */
export interface JobProcess {
  readonly channel: JobChannel;
  /** The channel, once the process said 'ready'; rejected when it did not in time or exited first. */
  readonly ready: Promise<JobChannel>;
  /** Exited, or killed by the supervisor (its exit may come later): never given another job. */
  readonly exited: boolean;
}

export interface JobProcessSupervisorOptions {
  readonly launcher: JobProcessLauncher;
  /** How long the job process may take to load TensorFlow and say 'ready' (ms). */
  readonly readyTimeoutMs: number;
  /** An idle job process is shut down after this long (ms), freeing its memory. */
  readonly idleShutdownMs: number;
  readonly log: Log;
  /** A message about a job (everything but 'ready' and job-less logs). Not called once closed. */
  readonly onMessage: (proc: JobProcess, message: Exclude<FromJob, { type: 'ready' }>) => void;
  /** The process ended (after `ready` was rejected if it had not settled). */
  readonly onExit: (proc: JobProcess, code: number | null) => void;
}

interface ProcessState extends JobProcess {
  exited: boolean;
  onReady(backend: BackendInfo): void;
  onEarlyExit(code: number | null): void;
}

export class JobProcessSupervisor {
  readonly #options: JobProcessSupervisorOptions;
  #proc: ProcessState | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #backend: BackendInfo | null = null;

  constructor(options: JobProcessSupervisorOptions) {
    this.#options = options;
  }

  /** The backend the job process reported, once it has started. */
  get backend(): BackendInfo | null {
    return this.#backend;
  }

  /** Whether a process is running (or starting) and may be given a job. */
  get alive(): boolean {
    return this.#proc !== null && !this.#proc.exited;
  }

  /** The running process, or a new one. Throws when it cannot be started at all. */
  ensure(): JobProcess {
    if (this.#proc && !this.#proc.exited) return this.#proc;
    let resolveReady!: (channel: JobChannel) => void;
    let rejectReady!: (error: Error) => void;
    const ready = new Promise<JobChannel>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => {}); // observed by whoever waits for it; a process that dies later must not raise an unhandled rejection
    let channel: JobChannel;
    try {
      channel = this.#options.launcher.launch();
    } catch (error) {
      throw new Error(`the job process could not be started: ${errorMessage(error)}`);
    }
    const timer = setTimeout(() => {
      rejectReady(new Error(`the job process did not start within ${formatSeconds(this.#options.readyTimeoutMs)} (loading TensorFlow failed or hung)`));
      this.kill(proc);
    }, this.#options.readyTimeoutMs);
    timer.unref?.();
    const proc: ProcessState = {
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
        this.#options.log('error', `handling '${message.type}' from the job process: ${errorMessage(error)}`);
      }
    });
    channel.onExit((code) => this.#onExit(proc, code));
    return proc;
  }

  /** Kills a process and stops handing it jobs at once (its exit is handled when it comes). */
  kill(proc: JobProcess): void {
    const state = proc as ProcessState;
    state.exited = true;
    if (this.#proc === state) this.#proc = null;
    state.channel.kill();
  }

  /** After `idleShutdownMs` without `cancelIdleShutdown`, asks the process to stop unless `busy()` says it has work. */
  scheduleIdleShutdown(busy: () => boolean): void {
    const proc = this.#proc;
    if (!proc || proc.exited || this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#proc === proc && !busy() && !proc.exited) proc.channel.send({ type: 'shutdown' });
    }, this.#options.idleShutdownMs);
    this.#idleTimer.unref?.();
  }

  cancelIdleShutdown(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  /** Stops passing messages on and scheduling idle shutdowns (the process itself is stopped by `shutdown`). */
  close(): void {
    this.#closed = true;
    this.cancelIdleShutdown();
  }

  /** Asks the process to shut down and kills it if it has not after `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exited) return;
    const exited = new Promise<void>((resolve) => proc.channel.onExit(() => resolve()));
    proc.channel.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.kill(proc), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #onExit(proc: ProcessState, code: number | null): void {
    proc.exited = true;
    proc.onEarlyExit(code);
    if (this.#proc === proc) this.#proc = null;
    this.#options.onExit(proc, code);
  }

  #onMessage(proc: ProcessState, message: FromJob): void {
    if (this.#closed) return;
    if (message.type === 'ready') {
      proc.onReady(message.backend);
      return;
    }
    if (message.type === 'log' && message.jobId === null) {
      this.#options.log(message.level, `job process: ${message.message}`);
      return;
    }
    this.#options.onMessage(proc, message);
  }
}

export function describeExit(code: number | null): string {
  return code === null ? 'killed by a signal' : `exit code ${code}`;
}

function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 100) / 10} s`;
}
