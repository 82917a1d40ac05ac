// The renderer's view of `window.glaucomaStudio`; its type is part of the
// contract (src-main/core/contract/preload-api.ts), which the preload implements.
import type { GlaucomaStudioBridge } from '../../../src-main/core/contract/preload-api';

export type { BridgeApi, BridgeResult, GlaucomaStudioBridge } from '../../../src-main/core/contract/preload-api';

declare global {
  interface Window {
    /** Present in Electron (the preload); absent in the browser mode, which talks HTTP to the local bridge. */
    readonly glaucomaStudio?: GlaucomaStudioBridge;
  }
}
