// The two custom protocols of the Electron shell, as fetch-style handlers
// (Request -> Response, what protocol.handle takes):
//
//   app://glaucoma-studio/...  the built renderer (out/renderer), with the CSP header
//   gs-media://app/media/...   case images and heat maps, answered by services.media
//
// Why a custom scheme for the renderer instead of file://: a file:// page has
// the opaque origin of the whole disk, so 'self' in a CSP, a navigation rule or
// an IPC sender check could not tell our index.html from any other local file,
// and fetch/XHR of file:// would need the "file protocol extra privileges"
// that the packaged app switches off (electron-builder.yml, electronFuses).
// Here the origin is fixed, only files under the renderer folder are served,
// and each response carries the CSP.
//
// Why gs-media instead of file:// for photographs: a path never names a file;
// the case id is looked up in the store (core/api/media.ts), so the page can
// reach no other file on the disk.
import fs from 'node:fs';
import type { CustomScheme } from 'electron';
import type { MediaResponse } from '../core/api/media';
import { contentTypeOf, resolveRendererFile } from './renderer-files';
import { APP_ORIGIN, APP_SCHEME, MEDIA_ORIGIN, MEDIA_SCHEME } from './channels';
import { ELECTRON_RENDERER_CSP, originOf } from './security';

/**
 * Registered before the app is ready. standard: a real origin with relative
 * URLs; secure: treated like https (no mixed content); supportFetchAPI and
 * corsEnabled: module scripts and CORS image loads work; codeCache: V8 caches
 * the renderer's bundle between starts.
 */
export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
];

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const plain = (status: number, message: string, extra: Record<string, string> = {}): Response =>
  new Response(message, { status, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra } });

/**
 * Which file of the renderer folder answers a pathname: the file itself, the
 * app's page for a client-side route (no extension), or null (outside the
 * folder, malformed, or a missing asset).
 */
export async function rendererFileFor(rendererDir: string, pathname: string): Promise<string | null> {
  const found = await resolveRendererFile(rendererDir, pathname);
  return found.kind === 'file' ? found.file : null;
}

/** protocol.handle('app', ...): the built renderer, read from out/renderer (inside app.asar when packaged). */
export async function serveRenderer(rendererDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed', { Allow: 'GET' });
  const url = new URL(request.url);
  if (originOf(request.url) !== APP_ORIGIN) return plain(404, 'not found');
  const file = await rendererFileFor(rendererDir, url.pathname);
  if (file === null) return plain(404, 'not found');
  const type = contentTypeOf(file);
  const body = request.method === 'HEAD' ? null : new Uint8Array(await fs.promises.readFile(file));
  return new Response(body, {
    status: 200,
    headers: {
      ...BASE_HEADERS,
      'Content-Type': type,
      'Content-Security-Policy': ELECTRON_RENDERER_CSP,
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    },
  });
}

export type MediaResolver = (pathname: string, query: URLSearchParams) => Promise<MediaResponse>;

/**
 * protocol.handle('gs-media', ...): images for the trusted origins. The page
 * and the media are different origins, so the answer allows the page's origin
 * (CORS): a heat map drawn into a canvas can then be read back for its alpha
 * when the renderer asks for it with crossOrigin.
 */
export async function serveMedia(media: MediaResolver, request: Request, trustedOrigins: readonly string[]): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed', { Allow: 'GET' });
  if (originOf(request.url) !== MEDIA_ORIGIN) return plain(404, 'not found');
  const requester = request.headers.get('Origin');
  const allowOrigin = requester !== null && trustedOrigins.includes(requester) ? requester : APP_ORIGIN;
  const cors = { 'Access-Control-Allow-Origin': allowOrigin, Vary: 'Origin' };
  const url = new URL(request.url);
  const answer = await media(url.pathname, url.searchParams);
  return new Response(request.method === 'HEAD' ? null : answer.body, {
    status: answer.status,
    headers: {
      ...BASE_HEADERS,
      ...cors,
      'Content-Type': answer.contentType,
      'Cache-Control': answer.status === 200 ? 'private, max-age=300' : 'no-store',
    },
  });
}
