// What the preload exposes, built over a fake ipcRenderer: exactly the
// contract's calls (as main passes them in argv), each on its own channel with
// one argument, the event subscription with a working unsubscribe, the media
// origin, and nothing else.
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { METHODS, type AppEvent } from '../../src-main/core/contract/contract';
import { apiChannel, apiMethodsArgument, apiMethodsFromArgv, EVENT_CHANNEL } from '../../src-main/app/channels';
import { createPreloadBridge, type IpcRendererLike } from '../../src-main/app/preload-bridge';

type Relay = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly listeners = new Map<string, Set<Relay>>();
  answer: (channel: string) => Promise<unknown> = () => Promise.resolve({ ok: true, value: [] });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(channel);
  }
  on(channel: string, listener: Relay): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: Relay): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  emit(channel: string, payload: unknown): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'the ipcRenderer itself' }, payload);
  }
}

describe('the method list in argv', () => {
  it('round-trips the contract and ignores what is not a call name', () => {
    const argv = ['/opt/electron', '--type=renderer', apiMethodsArgument(METHODS)];
    expect(apiMethodsFromArgv(argv)).toEqual(METHODS);
    expect(apiMethodsFromArgv(['--glaucoma-studio-api=app.info,constructor,__proto__.x,cases.get'])).toEqual(['app.info', 'cases.get']);
    expect(apiMethodsFromArgv(['/opt/electron'])).toEqual([]);
  });
});

describe('createPreloadBridge', () => {
  it('exposes api, onEvent and mediaBase only, with one function per contract call', () => {
    const bridge = createPreloadBridge(new FakeIpcRenderer(), METHODS);
    expect(Object.keys(bridge).sort()).toEqual(['api', 'mediaBase', 'onEvent']);
    expect(Object.keys(bridge.api).sort()).toEqual([...METHODS].sort());
    for (const method of METHODS) expect(typeof bridge.api[method]).toBe('function');
    expect(bridge.mediaBase).toBe('gs-media://app');
    expect(Object.isFrozen(bridge.api)).toBe(true);
  });

  it('invokes the call channel with exactly the input and returns the envelope', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = () => Promise.resolve({ ok: false, error: { code: 'conflict', message: 'stale revision' } });
    const bridge = createPreloadBridge(ipc, METHODS);
    const result = await bridge.api['cases.get']({ caseId: 'c1' });
    expect(ipc.invoked).toEqual([{ channel: apiChannel('cases.get'), args: [{ caseId: 'c1' }] }]);
    expect(result).toEqual({ ok: false, error: { code: 'conflict', message: 'stale revision' } });
  });

  it('turns a failing IPC (an input that cannot be cloned) into an internal error envelope', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = () => Promise.reject(new Error('An object could not be cloned.'));
    const result = await createPreloadBridge(ipc, METHODS).api['studies.list']({});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'studies.list: An object could not be cloned.' } });
  });

  it('delivers events without the IPC event object, and unsubscribes', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc, METHODS);
    const got: unknown[][] = [];
    const stop = bridge.onEvent((...args: unknown[]) => got.push(args));
    const event: AppEvent = { type: 'study', studyId: 'S1' };
    ipc.emit(EVENT_CHANNEL, event);
    stop();
    ipc.emit(EVENT_CHANNEL, { type: 'models' });
    expect(got).toEqual([[event]]);
    expect(ipc.listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});

describe('the preload bundle', () => {
  it("loads nothing but 'electron' (a sandboxed preload can require no package, not even zod)", async () => {
    const result = await build({
      entryPoints: [path.resolve(import.meta.dirname, '..', '..', 'src-main', 'app', 'preload.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
    expect([...new Set(imports)]).toEqual(['electron']);
  });
});
