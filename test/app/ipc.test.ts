// IPC registration with a fake ipcMain: every contract call has its channel,
// untrusted senders and bad arguments are refused with a clear error before
// any handler runs, a valid call reaches its handler through dispatch, and
// app events reach every live window.
import { describe, expect, it } from 'vitest';
import { METHODS, type AppEvent, type Handlers, type Method } from '../../src-main/core/contract/contract';
import { dispatch, type ApiResult } from '../../src-main/core/contract/dispatch';
import { AppEventBus } from '../../src-main/core/contract/events';
import { apiChannel, EVENT_CHANNEL } from '../../src-main/app/channels';
import { forwardEvents, registerIpc, type IpcMainLike } from '../../src-main/app/ipc';
import type { IpcSenderLike } from '../../src-main/app/security';

type Listener = (event: IpcSenderLike, ...args: unknown[]) => Promise<ApiResult>;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcSenderLike, ...args: unknown[]): Promise<ApiResult> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

const ourPage: IpcSenderLike = { sender: { id: 1 }, senderFrame: { url: 'app://glaucoma-studio/index.html', parent: null } };
const strangerPage: IpcSenderLike = { sender: { id: 7 }, senderFrame: { url: 'https://example.org/', parent: null } };

/** Handlers that record what they were given; only the calls the tests use are implemented. */
function recordingHandlers(): { handlers: Handlers; calls: Array<{ method: string; input: unknown }> } {
  const calls: Array<{ method: string; input: unknown }> = [];
  const implemented: Partial<Record<Method, (input: unknown) => unknown>> = {
    'studies.list': (input) => {
      calls.push({ method: 'studies.list', input });
      return [];
    },
    'cases.list': (input) => {
      calls.push({ method: 'cases.list', input });
      return [];
    },
  };
  const handlers = new Proxy({} as Handlers, {
    get: (_t, method: string) =>
      implemented[method as Method] ??
      (() => {
        throw new Error(`${method} is not implemented in this test`);
      }),
  });
  return { handlers, calls };
}

function setup(isTrusted = (e: IpcSenderLike) => e === ourPage) {
  const ipc = new FakeIpcMain();
  const { handlers, calls } = recordingHandlers();
  const logged: string[] = [];
  const unregister = registerIpc(ipc, {
    dispatch: (method, input) => dispatch(handlers, method, input),
    isTrustedSender: isTrusted,
    log: (level, message) => logged.push(`${level} ${message}`),
  });
  return { ipc, calls, logged, unregister };
}

describe('registerIpc', () => {
  it('registers exactly one channel per contract call, and removes them all', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(METHODS.map((m) => apiChannel(m)).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses an untrusted sender before any handler runs, and logs it', async () => {
    const { ipc, calls, logged } = setup();
    const result = await ipc.invoke(apiChannel('studies.list'), strangerPage, {});
    expect(result).toEqual({ ok: false, error: { code: 'invalid-input', message: expect.stringContaining('refused') } });
    expect(calls).toEqual([]);
    expect(logged).toEqual([expect.stringMatching(/^warn refused studies\.list from webContents 7 \(https:\/\/example\.org\/\)/)]);
  });

  it('refuses invalid arguments with the field and the reason, before any handler runs', async () => {
    const { ipc, calls } = setup();
    const result = await ipc.invoke(apiChannel('cases.list'), ourPage, { studyId: 'S1', status: 'by-mood' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-input');
    expect(result.error.message).toMatch(/^cases\.list: status: /);
    const extra = await ipc.invoke(apiChannel('studies.list'), ourPage, { sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(calls).toEqual([]);
  });

  it('refuses more than one argument', async () => {
    const { ipc, calls } = setup();
    const result = await ipc.invoke(apiChannel('studies.list'), ourPage, {}, { more: 1 });
    expect(result).toEqual({ ok: false, error: { code: 'invalid-input', message: 'studies.list: takes one argument (an object), got 2' } });
    expect(calls).toEqual([]);
  });

  it('passes a valid call to its handler with its parsed input and returns the value envelope', async () => {
    const { ipc, calls } = setup();
    const result = await ipc.invoke(apiChannel('cases.list'), ourPage, { studyId: 'S1' });
    expect(result).toEqual({ ok: true, value: [] });
    expect(calls).toEqual([{ method: 'cases.list', input: { studyId: 'S1' } }]);
    // No argument at all is an empty input.
    expect(await ipc.invoke(apiChannel('studies.list'), ourPage)).toEqual({ ok: true, value: [] });
  });

  it('turns a handler error into the error envelope', async () => {
    const { ipc } = setup();
    const result = await ipc.invoke(apiChannel('jobs.list'), ourPage, {});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'jobs.list is not implemented in this test' } });
  });

  it('answers even when dispatch itself throws', async () => {
    const ipc = new FakeIpcMain();
    const logged: string[] = [];
    registerIpc(ipc, {
      dispatch: () => Promise.reject(new Error('database closed')),
      isTrustedSender: () => true,
      log: (level, message) => logged.push(`${level} ${message}`),
    });
    expect(await ipc.invoke(apiChannel('studies.list'), ourPage, {})).toEqual({ ok: false, error: { code: 'internal', message: 'studies.list failed: database closed' } });
    expect(logged[0]).toMatch(/^error studies\.list: Error: database closed/);
  });
});

describe('forwardEvents', () => {
  class FakeContents {
    readonly received: Array<{ channel: string; event: AppEvent }> = [];
    destroyed = false;
    isDestroyed(): boolean {
      return this.destroyed;
    }
    send(channel: string, event: AppEvent): void {
      this.received.push({ channel, event });
    }
  }

  it('sends every event to every live window on the one event channel, until unsubscribed', () => {
    const bus = new AppEventBus();
    const a = new FakeContents();
    const b = new FakeContents();
    const windows = [a, b];
    const stop = forwardEvents((l) => bus.subscribe(l), () => windows);
    bus.emit({ type: 'models' });
    b.destroyed = true;
    const later = new FakeContents();
    windows.push(later);
    bus.emit({ type: 'study', studyId: 'S1' });
    stop();
    bus.emit({ type: 'models' });
    expect(a.received).toEqual([
      { channel: EVENT_CHANNEL, event: { type: 'models' } },
      { channel: EVENT_CHANNEL, event: { type: 'study', studyId: 'S1' } },
    ]);
    expect(b.received).toEqual([{ channel: EVENT_CHANNEL, event: { type: 'models' } }]);
    expect(later.received).toEqual([{ channel: EVENT_CHANNEL, event: { type: 'study', studyId: 'S1' } }]);
    expect(bus.listenerCount).toBe(0);
  });

  it('a window that fails to receive does not stop the others', () => {
    const bus = new AppEventBus();
    const broken = { isDestroyed: () => false, send: () => { throw new Error('render frame disposed'); } };
    const ok = new FakeContents();
    forwardEvents((l) => bus.subscribe(l), () => [broken, ok]);
    bus.emit({ type: 'models' });
    expect(ok.received).toHaveLength(1);
  });
});
