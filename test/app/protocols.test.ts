// The app:// and gs-media:// handlers as fetch-style functions: what the
// renderer protocol serves (and what it refuses), with the CSP on every page;
// how media requests reach services.media, with CORS for our origin only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaResponse } from '../../src-main/core/api/media';
import { rendererFileFor, serveMedia, serveRenderer, PRIVILEGED_SCHEMES } from '../../src-main/app/protocols';
import { ELECTRON_RENDERER_CSP } from '../../src-main/app/security';

let root: string;
let rendererDir: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-protocols-'));
  rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Glaucoma Studio</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-1.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'not for the page');
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the privileged schemes', () => {
  it('are app and gs-media, both standard and secure', () => {
    expect(PRIVILEGED_SCHEMES.map((s) => [s.scheme, s.privileges?.standard, s.privileges?.secure])).toEqual([
      ['app', true, true],
      ['gs-media', true, true],
    ]);
  });
});

describe('serveRenderer', () => {
  const get = (url: string, method = 'GET') => serveRenderer(rendererDir, new Request(url, { method }));

  it('serves the page with the CSP and no caching', async () => {
    const response = await get('app://glaucoma-studio/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(ELECTRON_RENDERER_CSP);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Glaucoma Studio</title>');
  });

  it('serves scripts as JavaScript (module scripts need the type)', async () => {
    const response = await get('app://glaucoma-studio/assets/index-1.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('answers client-side routes with the page and missing assets with 404', async () => {
    expect(await (await get('app://glaucoma-studio/study/42')).text()).toContain('Glaucoma Studio');
    expect((await get('app://glaucoma-studio/assets/missing.js')).status).toBe(404);
  });

  it('never leaves the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%00.js']) {
      const file = await rendererFileFor(rendererDir, p);
      expect(file === null || file === path.join(rendererDir, 'index.html')).toBe(true);
    }
    const response = await get('app://glaucoma-studio/%2e%2e/secret.txt');
    expect(await response.text()).not.toContain('not for the page');
  });

  it('refuses another host and other methods', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
    expect((await get('app://glaucoma-studio/index.html', 'POST')).status).toBe(405);
  });
});

describe('serveMedia', () => {
  const seen: Array<{ pathname: string; model: string | null }> = [];
  const media = async (pathname: string, query: URLSearchParams): Promise<MediaResponse> => {
    seen.push({ pathname, model: query.get('model') });
    return pathname.endsWith('/image')
      ? { status: 200, contentType: 'image/png', body: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) }
      : { status: 404, contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode('no heat map') };
  };
  const trusted = ['app://glaucoma-studio'];

  it('hands the media path and query to services.media and returns its answer with CORS for our page', async () => {
    const response = await serveMedia(media, new Request('gs-media://app/media/case/c%201/image', { headers: { Origin: 'app://glaucoma-studio' } }), trusted);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('access-control-allow-origin')).toBe('app://glaucoma-studio');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    const heat = await serveMedia(media, new Request('gs-media://app/media/case/c1/heatmap/oc?model=m%2F2'), trusted);
    expect(heat.status).toBe(404);
    expect(heat.headers.get('cache-control')).toBe('no-store');
    expect(seen).toEqual([
      { pathname: '/media/case/c%201/image', model: null },
      { pathname: '/media/case/c1/heatmap/oc', model: 'm/2' },
    ]);
  });

  it('never allows a foreign origin, another host or another method', async () => {
    const foreign = await serveMedia(media, new Request('gs-media://app/media/case/c1/image', { headers: { Origin: 'https://example.org' } }), trusted);
    expect(foreign.headers.get('access-control-allow-origin')).toBe('app://glaucoma-studio');
    const before = seen.length;
    expect((await serveMedia(media, new Request('gs-media://other/media/case/c1/image'), trusted)).status).toBe(404);
    expect((await serveMedia(media, new Request('gs-media://app/media/case/c1/image', { method: 'POST', body: 'x' }), trusted)).status).toBe(405);
    expect(seen.length).toBe(before);
  });
});
