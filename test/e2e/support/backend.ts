// The back end an e2e test talks to, started for one temporary user-data
// folder: the real bridge (src-main/app/serve.ts: the real store, handlers,
// job manager and job process with TensorFlow), or with E2E_BACKEND=fake the
// in-test fake (UI development only).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Input, Method, Output } from '../../../src-main/core/contract/contract';
import { startFakeBridge, type RunningBackend } from './fake-bridge';
import { e2eModelDir } from './model';

export type { RunningBackend } from './fake-bridge';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'out', 'renderer');
export const useFakeBackend = process.env.E2E_BACKEND === 'fake';
/** Who the e2e user is recorded as. */
export const E2E_USER = 'dr.e2e';

export interface BackendOptions {
  /** A job server (redis://HOST:PORT): the bridge runs its jobs on that queue's workers instead of a local job process. */
  readonly jobServer?: string;
}

export async function startBackend(userDataDir: string, options: BackendOptions = {}): Promise<RunningBackend> {
  if (useFakeBackend) return startFakeBridge(RENDERER_DIR);
  return startRealBridge(userDataDir, options);
}

async function startRealBridge(userDataDir: string, options: BackendOptions): Promise<RunningBackend> {
  const args = ['--import', 'tsx', path.join(REPO_ROOT, 'src-main', 'app', 'serve.ts'), '--user-data', userDataDir, '--renderer', RENDERER_DIR, '--model', e2eModelDir(), '--user', E2E_USER, '--folders', os.tmpdir()];
  if (options.jobServer) args.push('--job-server', options.jobServer);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (process.env.E2E_VERBOSE === '1') process.stderr.write(chunk);
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve.ts did not start within 60 s:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.trim().startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { url: string; token: string });
      } catch (error) {
        reject(error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.ts exited with ${code}:\n${stderr}`));
    });
  });
  return { url: ready.url, token: ready.token, stop: () => stopChild(child), log: () => stderr };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Calls the bridge directly (for assertions on what the UI saved). */
export async function callApi<M extends Method>(backend: RunningBackend, method: M, input: Input<M>): Promise<Output<M>> {
  const response = await fetch(new URL(`api/${method}`, backend.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${backend.token}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as Output<M> | { error: { message: string } };
  if (!response.ok) throw new Error(`${method}: ${(body as { error: { message: string } }).error.message}`);
  return body as Output<M>;
}

export function pageUrl(backend: RunningBackend): string {
  return `${backend.url}#token=${encodeURIComponent(backend.token)}`;
}
