// What the preload puts on window.glaucomaStudio, built from an ipcRenderer:
// one function per contract call (generated from the contract's METHODS, which
// main passes in the renderer's argv: channels.ts apiMethodsArgument; a new
// call needs no edit here), each invoking its own channel; an event subscription that
// returns its unsubscribe; the media origin. Nothing else: no ipcRenderer, no
// raw send, no Node. The type is the contract's GlaucomaStudioBridge (which the renderer uses), so the
// two sides cannot drift. No Electron import (test/app/preload-bridge.test.ts).
import type { AppEvent, Method } from '../core/contract/contract';
import type { BridgeApi, BridgeResult, GlaucomaStudioBridge } from '../core/contract/preload-api';
import { apiChannel, EVENT_CHANNEL, MEDIA_ORIGIN } from './channels';

/** What the preload uses of Electron's ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadBridge(ipc: IpcRendererLike, methods: readonly Method[]): GlaucomaStudioBridge {
  const call = (method: Method) => async (input: unknown): Promise<BridgeResult<unknown>> => {
    try {
      // Exactly one argument crosses: the renderer's input object (main validates it).
      return (await ipc.invoke(apiChannel(method), input)) as BridgeResult<unknown>;
    } catch (error) {
      // Only when IPC itself fails (an input that cannot be cloned, main gone).
      return { ok: false, error: { code: 'internal', message: `${method}: ${error instanceof Error ? error.message : String(error)}` } };
    }
  };
  const api = Object.freeze(Object.fromEntries(methods.map((method) => [method, call(method)]))) as unknown as BridgeApi;
  return Object.freeze({
    api,
    onEvent(listener: (event: AppEvent) => void): () => void {
      // The IpcRendererEvent (which holds ipcRenderer itself) never reaches the page: only the payload.
      const relay = (_event: unknown, payload: unknown): void => listener(payload as AppEvent);
      ipc.on(EVENT_CHANNEL, relay);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, relay);
      };
    },
    mediaBase: MEDIA_ORIGIN,
  });
}
