// How the parent starts the job process that owns TensorFlow. The job manager
// only sees this interface: the CLI and the bridge server fork a Node child
// (src-main/platform/fork-launcher.ts), Electron starts a utilityProcess, and
// tests pass an in-memory process that speaks the same protocol.
import type { FromJob, ToJob } from './protocol';

/** A running job process, seen from the parent. */
export interface JobChannel {
  /** Sends a message; a channel whose process has exited ignores it. */
  send(message: ToJob): void;
  /** Every message from the process, in order. Register once, right after launch. */
  onMessage(listener: (message: FromJob) => void): void;
  /** The process ended: its exit code, or null when a signal ended it. Called once. */
  onExit(listener: (code: number | null) => void): void;
  /** Ends the process now (it gets no chance to clean up). */
  kill(): void;
}

export interface JobProcessLauncher {
  /**
   * Starts a job process. It sends { type: 'ready', backend } once TensorFlow is
   * loaded, then runs one job at a time. Throws when the process cannot start at all.
   */
  launch(): JobChannel;
}
