// The back end an e2e test talks to, started for one temporary user-data
// folder. The real one is the bridge (src-main/app/serve.ts) over the real
// core; E2E_BACKEND=fake selects the in-test fake (UI development only).
import type { Input, Method, Output } from '../../../src-main/core/api/contract';
import { startFakeBridge, type RunningBackend } from './fake-bridge';

export type { RunningBackend } from './fake-bridge';

export const useFakeBackend = process.env.E2E_BACKEND === 'fake';

export async function startBackend(_userDataDir: string, rendererDir: string): Promise<RunningBackend> {
  return startFakeBridge(rendererDir);
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
