// Picks the transport: Electron's preload bridge when it is there, otherwise
// HTTP to the local bridge with the token from the URL fragment.
import { createElectronTransport } from './electron';
import { createHttpTransport, tokenFromHash } from './http';
import type { Transport } from './transport';

export type { Transport } from './transport';
export { ApiError, errorMessage } from './api-error';

export function createTransport(win: Window): Transport {
  if (win.glaucomaStudio) return createElectronTransport(win.glaucomaStudio);
  const token = tokenFromHash(win.location.hash);
  if (!token) throw new Error('No access token: open Glaucoma Studio with the address the local service printed (it ends in #token=...).');
  return createHttpTransport({ origin: win.location.origin, token });
}
