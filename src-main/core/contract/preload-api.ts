// The shape of `window.glaucomaStudio`, the one object Electron's preload
// exposes to the renderer (contextBridge.exposeInMainWorld('glaucomaStudio', ...)).
// The preload implements exactly this type: one named function per contract
// call under `api` (never a raw send), an event subscription, and the origin
// media paths are served from. Results come back as an envelope instead of a
// rejected promise because Electron's contextBridge keeps only an Error's
// message: the code ('conflict', 'input-error'...) and the file at fault would
// be lost, and the UI acts on them.
import type { ApiErrorDto, AppEvent, Input, Method, Output } from './contract';

export type BridgeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiErrorDto };

/** One function per contract call: `api['cases.get']({ caseId })`. */
export type BridgeApi = { readonly [M in Method]: (input: Input<M>) => Promise<BridgeResult<Output<M>>> };

export interface GlaucomaStudioBridge {
  readonly api: BridgeApi;
  /** Calls `listener` with every app event (job progress, case and study changes, models); returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Origin that media paths (contract `mediaPath`, CaseDetail.media) are loaded from, e.g. 'gs-media://app'. */
  readonly mediaBase: string;
}
