// The job process in the Electron app: the same entry as the CLI's fork
// (src-main/worker/main.ts, bundled to out/main/worker.js) started with
// Electron's utilityProcess, which gives it process.parentPort and needs no
// ELECTRON_RUN_AS_NODE (switched off in the packaged app). Its stdout and
// stderr go to the app's log, without TensorFlow's start-up noise.
//
// utilityProcess comes in as a function so that test/app/utility-launcher.test.ts
// can drive this with a fake process.
import type { JobChannel, JobProcessLauncher } from '../core/jobs/launcher';
import type { Log, LogLevel } from '../core/log';
import type { FromJob, ToJob } from '../core/jobs/protocol';
import { eachOutputLine } from '../platform/child-output';

/** What the launcher uses of Electron's UtilityProcess. */
export interface UtilityProcessLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string) => void): unknown;
  postMessage(message: unknown): void;
  kill(): boolean;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
}

export interface UtilityForkOptions {
  readonly serviceName: string;
  readonly stdio: 'pipe';
  readonly env: NodeJS.ProcessEnv;
}

/** utilityProcess.fork, or a fake. */
export type ForkUtility = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityProcessLike;

export interface UtilityLauncherOptions {
  readonly fork: ForkUtility;
  /** out/main/worker.js, beside the main bundle (inside app.asar when packaged). */
  readonly workerPath: string;
  readonly serviceName?: string;
  /** Added to the app's environment (e.g. GLAUCOMA_STUDIO_BACKEND passes through from it). */
  readonly env?: NodeJS.ProcessEnv;
  readonly log: Log;
}

export function utilityLauncher(options: UtilityLauncherOptions): JobProcessLauncher {
  const name = options.serviceName ?? 'Glaucoma Studio jobs';
  return {
    launch(): JobChannel {
      const child = options.fork(options.workerPath, [], {
        serviceName: name,
        stdio: 'pipe',
        env: { TF_CPP_MIN_LOG_LEVEL: '2', ...process.env, ...options.env },
      });
      const relay = (level: LogLevel) => (line: string) => options.log(level, `[jobs] ${line}`);
      eachOutputLine(child.stdout, relay('info'));
      eachOutputLine(child.stderr, relay('warn'));

      let exitCode: number | null | undefined;
      const exitListeners: Array<(code: number | null) => void> = [];
      child.on('exit', (code) => {
        if (exitCode !== undefined) return;
        exitCode = code;
        for (const listener of exitListeners) listener(code);
      });
      child.on('error', (type, location) => options.log('error', `job process ${type} at ${location}`));
      return {
        send(message: ToJob): void {
          if (exitCode !== undefined) return;
          try {
            child.postMessage(message);
          } catch (error) {
            options.log('warn', `could not send ${message.type} to the job process: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
        onMessage(listener: (message: FromJob) => void): void {
          child.on('message', (message) => listener(message as FromJob));
        },
        onExit(listener: (code: number | null) => void): void {
          if (exitCode !== undefined) listener(exitCode);
          else exitListeners.push(listener);
        },
        kill(): void {
          // Electron's kill is SIGTERM on POSIX; the job process has no handler for it, so it ends at once.
          if (exitCode === undefined) child.kill();
        },
      };
    },
  };
}
