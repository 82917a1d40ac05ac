// The local bridge: the same handlers as Electron's IPC, over HTTP on
// 127.0.0.1, for the browser mode and the Chromium e2e tests.
//
//   POST /api/<method>   JSON body -> dispatch -> 200 JSON output | 4xx/5xx {error: ApiErrorDto}
//   GET  /events         Server-Sent Events, one `data:` line of AppEvent JSON per event
//   GET  /media/...      the contract's media paths (images, heat maps)
//   GET  /, static       the built renderer folder, with a strict CSP
//
// Who may call: only a page that holds the random 32-byte token, which reaches
// the page in the URL fragment (never sent to a server, never in a log); the
// renderer sends it as `Authorization: Bearer` (or `?token=` where a browser
// cannot set headers: <img> and EventSource). The static renderer files are
// public (they hold no data). Requests whose Host is not 127.0.0.1:port or
// localhost:port are refused (DNS rebinding), as are cross-origin Origins,
// non-JSON API bodies and bodies over the size cap.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AppEvent, Handlers } from '../core/contract/contract';
import { dispatch, type DispatchLog } from '../core/contract/dispatch';
import type { ApiErrorCode } from '../core/contract/errors';
import type { MediaResponse } from '../core/api/media';
import { parseJsonBody } from './json-body';
import { contentTypeOf, resolveRendererFile } from './renderer-files';

/** The renderer's Content-Security-Policy (the Electron shell uses the same). */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // No inline styles: the build's CSS is a file, and Svelte's style: directives
  // set element.style (CSSOM), which the policy does not govern.
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Large enough for a label map of a 4000 x 4000 photograph with a ragged edit, small enough to refuse abuse. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface BridgeOptions {
  readonly handlers: Handlers;
  /** Subscribes to app events; returns the unsubscribe function. */
  readonly subscribe: (listener: (event: AppEvent) => void) => () => void;
  readonly media: (pathname: string, query: URLSearchParams) => Promise<MediaResponse>;
  /** The built renderer (out/renderer); null serves no pages (API only). */
  readonly rendererDir: string | null;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default: 32 random bytes, hex. */
  readonly token?: string;
  readonly maxBodyBytes?: number;
  /** SSE comment lines keep proxies and the browser from timing out (ms). */
  readonly heartbeatMs?: number;
  readonly log?: DispatchLog;
}

export interface Bridge {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The page URL with the token in the fragment. */
  readonly pageUrl: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sameToken(given: string | null, token: Buffer): boolean {
  if (given === null) return false;
  const bytes = Buffer.from(given, 'utf8');
  return bytes.length === token.length && timingSafeEqual(bytes, token);
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const tokenBytes = Buffer.from(token, 'utf8');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const rendererDir = options.rendererDir === null ? null : path.resolve(options.rendererDir);
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const send = (res: http.ServerResponse, status: number, contentType: string, body: string | Uint8Array, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  };
  const sendJson = (res: http.ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);
  const sendError = (res: http.ServerResponse, status: number, code: 'invalid-input' | 'not-found' | 'internal', message: string, extra: Record<string, string> = {}): void =>
    sendJson(res, status, { error: { code, message } }, extra);

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const authorised = (req: http.IncomingMessage, url: URL, allowQuery: boolean): boolean => {
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    if (sameToken(bearer, tokenBytes)) return true;
    return allowQuery && sameToken(url.searchParams.get('token'), tokenBytes);
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(res, 415, 'invalid-input', 'API calls take a JSON body (Content-Type: application/json)');
      req.resume();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) sendError(res, 413, 'invalid-input', `request body over ${maxBody} bytes`, { Connection: 'close' });
      else sendError(res, 400, 'invalid-input', 'could not read the request body');
      return;
    }
    const parsed = parseJsonBody(body);
    if (!parsed.ok) {
      sendError(res, 400, 'invalid-input', parsed.message);
      return;
    }
    const result = await dispatch(options.handlers, method, parsed.value, options.log);
    if (result.ok) sendJson(res, 200, result.value);
    else sendJson(res, httpStatusOf(result.error.code), { error: result.error });
  };

  const handleEvents = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const unsubscribe = options.subscribe((event) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
    heartbeat.unref();
    const end = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
  };

  const handleStatic = async (res: http.ServerResponse, pathname: string): Promise<void> => {
    if (rendererDir === null) {
      send(res, 404, 'text/plain; charset=utf-8', 'no renderer is served here');
      return;
    }
    const found = await resolveRendererFile(rendererDir, pathname);
    if (found.kind === 'malformed') send(res, 400, 'text/plain; charset=utf-8', 'malformed path');
    else if (found.kind === 'not-found') send(res, 404, 'text/plain; charset=utf-8', 'not found');
    else if (found.kind === 'not-built') send(res, 404, 'text/plain; charset=utf-8', `the renderer is not built (no ${found.index}); run npm run build`);
    else {
      const type = contentTypeOf(found.file);
      const body = await fs.promises.readFile(found.file);
      send(res, 200, type, body, { 'Content-Security-Policy': RENDERER_CSP, 'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600' });
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (!allowedHosts().has(req.headers.host ?? '')) {
        sendError(res, 403, 'invalid-input', 'forbidden host: use 127.0.0.1 or localhost with this port');
        req.resume();
        return;
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins().has(origin)) {
        sendError(res, 403, 'invalid-input', 'cross-origin requests are refused');
        req.resume();
        return;
      }
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      const pathname = url.pathname;
      if (pathname.startsWith('/api/')) {
        if (req.method !== 'POST') {
          sendError(res, 405, 'invalid-input', 'API calls are POST requests', { Allow: 'POST' });
          req.resume();
          return;
        }
        if (!authorised(req, url, false)) {
          sendError(res, 401, 'invalid-input', 'missing or wrong token', { 'WWW-Authenticate': 'Bearer' });
          req.resume();
          return;
        }
        await handleApi(req, res, pathname.slice('/api/'.length));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, 405, 'invalid-input', 'method not allowed', { Allow: 'GET' });
        req.resume();
        return;
      }
      if (pathname === '/events' || pathname.startsWith('/media/')) {
        if (!authorised(req, url, true)) {
          sendError(res, 401, 'invalid-input', 'missing or wrong token');
          return;
        }
        if (pathname === '/events') {
          handleEvents(req, res);
          return;
        }
        const media = await options.media(pathname, url.searchParams);
        send(res, media.status, media.contentType, media.body, media.status === 200 ? { 'Cache-Control': 'private, max-age=300' } : {});
        return;
      }
      await handleStatic(res, pathname);
    })().catch((error: unknown) => {
      options.log?.('bridge', error);
      if (!res.headersSent) sendError(res, 500, 'internal', 'internal error');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    port,
    token,
    pageUrl: `${url}#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** HTTP status of an error code (the bridge). */
export function httpStatusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'invalid-input':
      return 400;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'input-error':
      return 422;
    case 'internal':
      return 500;
  }
}
