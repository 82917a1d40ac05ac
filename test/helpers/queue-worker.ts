// A `glaucoma-studio worker` process for the queue tests, with short lock and
// stalled-check times, so a job whose worker is killed goes to another worker
// within about three seconds instead of BullMQ's default 30.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'glaucoma-studio.mjs');

export interface TestWorker {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  log(): string;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export function startQueueWorker(redisUrl: string, options: { cwd: string; modelCache?: string; extraArgs?: readonly string[] }): TestWorker {
  const cache = options.modelCache ? ['--model-cache', options.modelCache] : [];
  const child = spawn(process.execPath, [bin, 'worker', '--queue', redisUrl, ...cache, '--lock-ms', '2000', '--stalled-ms', '1000', '--threads', '1', ...(options.extraArgs ?? [])], {
    cwd: options.cwd,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

/** Whether BullMQ's processedBy (the worker's name, `HOST-PID-RANDOM`) names this process. */
export function processedBy(worker: TestWorker, name: string | undefined): boolean {
  return name?.includes(`-${worker.child.pid}-`) ?? false;
}

/** Polls `probe` until it gives a truthy value. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
