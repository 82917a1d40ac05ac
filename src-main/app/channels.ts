// The names both sides of Electron's process boundary agree on: IPC channels
// (main's ipc.ts and the preload) and the origins of the two custom protocols
// (main's protocols.ts, security.ts and the preload's mediaBase). Plain
// constants, no Electron import: the sandboxed preload bundles this file.
import type { Method } from '../core/contract/contract';

/** Every contract call has its own invoke channel: `glaucoma-studio:api:<method>`. */
export const API_CHANNEL_PREFIX = 'glaucoma-studio:api:';

export function apiChannel(method: Method): string {
  return `${API_CHANNEL_PREFIX}${method}`;
}

/** Main -> renderer: one AppEvent per message. */
export const EVENT_CHANNEL = 'glaucoma-studio:event';

/**
 * How the preload learns the contract's calls: main appends
 * `--glaucoma-studio-api=app.info,studies.list,...` (the contract's METHODS) to
 * the renderer's process.argv (webPreferences.additionalArguments). A
 * sandboxed preload may require nothing but 'electron', so it cannot load the
 * contract's zod schemas; its list still comes from the contract, never from a
 * copy that could drift.
 */
export const API_METHODS_ARG = '--glaucoma-studio-api=';

export function apiMethodsArgument(methods: readonly Method[]): string {
  return `${API_METHODS_ARG}${methods.join(',')}`;
}

/** The method names in process.argv (empty when the argument is missing). */
export function apiMethodsFromArgv(argv: readonly string[]): Method[] {
  const arg = argv.find((a) => a.startsWith(API_METHODS_ARG));
  if (arg === undefined) return [];
  const names = arg.slice(API_METHODS_ARG.length).split(',');
  // Contract names are "area.call": anything else is not ours.
  return names.filter((name) => /^[a-z]+\.[A-Za-z]+$/.test(name)) as Method[];
}

/**
 * The renderer is served from app://glaucoma-studio/ (protocols.ts): a real,
 * fixed origin, so 'self' in the CSP, the navigation rule and the IPC sender
 * check all mean "our own files" and never "any file on this disk" (file://).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'glaucoma-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Case images and heat maps (contract `mediaPath`), answered by services.media. */
export const MEDIA_SCHEME = 'gs-media';
export const MEDIA_HOST = 'app';
export const MEDIA_ORIGIN = `${MEDIA_SCHEME}://${MEDIA_HOST}`;
