// Starts the job process as a Node child (the CLI, the bridge server, tests).
// Electron starts the same entry as a utilityProcess instead.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobChannel, JobProcessLauncher } from '../core/jobs/launcher';
import type { FromJob, ToJob } from '../core/jobs/protocol';
import { eachOutputLine } from './child-output';


export interface WorkerEntry {
  readonly entry: string;
  readonly execArgv: readonly string[];
}

/**
 * The job process entry next to this code: out/node/worker.mjs when running
 * from the built bundle, else the TypeScript source run through tsx (tests, development).
 */
export function defaultWorkerEntry(): WorkerEntry {
  // Tests point this at the bundle they build once, instead of transpiling the sources in every child.
  const forced = process.env.GLAUCOMA_STUDIO_WORKER;
  if (forced) return { entry: forced, execArgv: forced.endsWith('.ts') ? ['--import', 'tsx'] : [] };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundled = path.join(here, 'worker.mjs');
  if (fs.existsSync(bundled)) return { entry: bundled, execArgv: [] };
  let dir = here;
  while (!fs.existsSync(path.join(dir, 'src-main', 'worker', 'main.ts'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the job process entry (looked for worker.mjs beside ${here} and src-main/worker/main.ts above it)`);
    dir = up;
  }
  return { entry: path.join(dir, 'src-main', 'worker', 'main.ts'), execArgv: ['--import', 'tsx'] };
}

export interface ForkOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the child's own stderr lines go (TensorFlow's start-up noise filtered out). */
  readonly onStderr?: (line: string) => void;
}

export function forkLauncher(worker: WorkerEntry = defaultWorkerEntry(), options: ForkOptions = {}): JobProcessLauncher {
  return {
    launch(): JobChannel {
      const child: ChildProcess = fork(worker.entry, [], {
        execArgv: [...worker.execArgv],
        env: { TF_CPP_MIN_LOG_LEVEL: '2', ...process.env, ...options.env },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      eachOutputLine(child.stderr, options.onStderr ?? ((l) => process.stderr.write(`${l}\n`)));
      let exitCode: number | null | undefined;
      const exitListeners: Array<(code: number | null) => void> = [];
      const exited = (code: number | null): void => {
        if (exitCode !== undefined) return;
        exitCode = code;
        for (const listener of exitListeners) listener(code);
      };
      child.on('exit', (code) => exited(code));
      // A child that cannot start at all (bad entry, no permission) emits 'error' and never 'exit'.
      child.on('error', (error) => {
        (options.onStderr ?? ((l) => process.stderr.write(`${l}\n`)))(`job process: ${error.message}`);
        exited(null);
      });
      return {
        send(message: ToJob): void {
          if (exitCode === undefined && child.connected) child.send(message);
        },
        onMessage(listener: (message: FromJob) => void): void {
          child.on('message', (m) => listener(m as FromJob));
        },
        onExit(listener: (code: number | null) => void): void {
          if (exitCode !== undefined) listener(exitCode);
          else exitListeners.push(listener);
        },
        kill(): void {
          if (exitCode === undefined) child.kill('SIGKILL');
        },
      };
    },
  };
}
