// Transport over Electron's preload bridge (window.glaucomaStudio).
import type { Input, Method, Output } from '../../../src-main/core/contract/contract';
import { ApiError } from './api-error';
import type { BridgeResult, GlaucomaStudioBridge } from './bridge';
import { apiFrom, type Transport } from './transport';

export function createElectronTransport(bridge: GlaucomaStudioBridge): Transport {
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const fn = bridge.api[method] as unknown as ((input: Input<M>) => Promise<BridgeResult<Output<M>>>) | undefined;
    if (typeof fn !== 'function') throw new ApiError(method, { message: `The app does not offer "${method}" (preload out of date?)`, code: 'internal' });
    let result: BridgeResult<Output<M>>;
    try {
      result = await fn(input);
    } catch (error) {
      throw new ApiError(method, { message: error instanceof Error ? error.message : String(error), code: 'internal' });
    }
    if (result.ok) return result.value;
    throw new ApiError(method, result.error);
  };
  return {
    api: apiFrom(call),
    subscribe: (listener) => bridge.onEvent(listener),
    mediaUrl: (path) => `${bridge.mediaBase}${path}`,
  };
}
