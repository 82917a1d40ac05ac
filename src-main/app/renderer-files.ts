// Which file of the built renderer answers a request path, and with which
// content type. One rule for both ways the UI is served — the Electron shell's
// app:// protocol (app/protocols.ts) and the local browser bridge (bridge.ts) —
// so the two cannot drift apart on what they let the page reach.
import fs from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type a renderer file is served with (by extension; unknown ones as bytes). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type RendererFile =
  /** The file to send: the requested one, or the app's page for a client-side route. */
  | { readonly kind: 'file'; readonly file: string }
  /** The path does not decode, or holds a NUL. */
  | { readonly kind: 'malformed' }
  /** Outside the renderer folder, or a missing asset (a path with an extension). */
  | { readonly kind: 'not-found' }
  /** A client-side route, but the folder has no index.html: the renderer was not built. */
  | { readonly kind: 'not-built'; readonly index: string };

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function resolveRendererFile(rendererDir: string, pathname: string): Promise<RendererFile> {
  const root = path.resolve(rendererDir);
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return { kind: 'malformed' };
  }
  if (relative.includes('\0')) return { kind: 'malformed' };
  const target = path.resolve(root, `.${relative === '/' || relative === '' ? '/index.html' : relative}`);
  if (target !== root && !target.startsWith(root + path.sep)) return { kind: 'not-found' };
  if (await isFile(target)) return { kind: 'file', file: target };
  // Client-side routes (no extension) get the app's page.
  if (path.extname(target) !== '') return { kind: 'not-found' };
  const index = path.join(root, 'index.html');
  return (await isFile(index)) ? { kind: 'file', file: index } : { kind: 'not-built', index };
}
