// How the renderer reaches main: an `Api` object (one function per contract
// call, typed from the contract), app events, and media URLs. Two
// implementations: Electron's preload bridge and HTTP to the local bridge
// (browser mode and the Chromium e2e suite).
import type { Api, AppEvent, Input, Method, Output } from '../../../src-main/core/contract/contract';

export type EventListener = (event: AppEvent) => void;

export interface Transport {
  readonly api: Api;
  /** Listens to app events; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Full URL of a media path (an image, a heat map). */
  mediaUrl(path: string): string;
}

export type Caller = <M extends Method>(method: M, input: Input<M>) => Promise<Output<M>>;

/** An `Api` whose every call goes through `call` (no list of methods to keep in step with the contract). */
export function apiFrom(call: Caller): Api {
  return new Proxy({} as Api, {
    get(_target, method) {
      if (typeof method !== 'string') return undefined;
      return (input: unknown) => call(method as Method, input as Input<Method>);
    },
  });
}
