// The local HTTP bridge over real services: who may call, what it refuses, and
// that calls, events and media make the round trip.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/core/contract/contract';
import { RENDERER_CSP, startBridge, type Bridge } from '../../src-main/app/bridge';
import { appHarness, writeStudyFolder, type AppHarness } from '../core/api/study-fixture';

let h: AppHarness;
let bridge: Bridge;
let rendererDir: string;

beforeEach(async () => {
  h = await appHarness();
  rendererDir = path.join(h.root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Glaucoma Studio</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(h.root, 'secret.txt'), 'not for the web');
  bridge = await startBridge({
    handlers: h.services.handlers,
    subscribe: (l) => h.services.events.subscribe(l),
    media: (p, q) => h.services.media(p, q),
    rendererDir,
    maxBodyBytes: 64 * 1024,
  });
});

afterEach(async () => {
  await bridge.close();
  await h.cleanup();
});

const api = (method: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${bridge.url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A raw request, for headers fetch will not let us set (Host). */
function raw(options: http.RequestOptions, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the bridge', () => {
  it('listens on 127.0.0.1 with a 64-hex-digit token and answers a call', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(bridge.token).toMatch(/^[0-9a-f]{64}$/);
    expect(bridge.pageUrl).toBe(`${bridge.url}#token=${bridge.token}`);
    const response = await api('app.info', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ shell: 'browser', activeModel: { id: 'bundled-default' } });
  });

  it('refuses calls without the token, with a wrong one, or with the token in the query', async () => {
    const none = await fetch(`${bridge.url}api/app.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect((await api('app.info', {}, { authorization: `Bearer ${'0'.repeat(64)}` })).status).toBe(401);
    const query = await fetch(`${bridge.url}api/app.info?token=${bridge.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(query.status).toBe(401);
    expect((await fetch(`${bridge.url}events`)).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` };
    const rebound = await raw({ method: 'POST', path: '/api/app.info', headers: { ...headers, host: `evil.example:${bridge.port}` } }, '{}');
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { message: expect.stringMatching(/forbidden host/) } });
    const localhost = await raw({ method: 'POST', path: '/api/app.info', headers: { ...headers, host: `localhost:${bridge.port}` } }, '{}');
    expect(localhost.status).toBe(200);
    expect((await raw({ method: 'GET', path: '/', headers: { host: `127.0.0.1:${bridge.port + 1}` } })).status).toBe(403);
    expect((await api('app.info', {}, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await api('app.info', {}, { origin: `http://localhost:${bridge.port}` })).status).toBe(200);
  });

  it('refuses non-JSON bodies, bodies over the cap, and other verbs', async () => {
    const form = await api('app.info', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const broken = await api('app.info', '{"a":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: { code: 'invalid-input', message: 'the request body is not valid JSON' } });
    const big = await api('cases.assess', { caseId: 'c', labels: { width: 1, height: 1, runs: new Array(40_000).fill(0) } });
    expect(big.status).toBe(413);
    const get = await fetch(`${bridge.url}api/app.info`, { headers: { authorization: `Bearer ${bridge.token}` } });
    expect(get.status).toBe(405);
  });

  it('maps API errors to statuses with the error DTO in the body', async () => {
    const invalid = await api('cases.list', { studyId: 's', status: 'random' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid-input' } });
    const missing = await api('cases.get', { caseId: 'c_nope' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not-found', message: 'case c_nope not found (it may have been removed)' } });
    const folder = path.join(h.root, 'nowhere');
    const input = await api('studies.import', { folder });
    expect(input.status).toBe(422);
    expect(await input.json()).toEqual({ error: { code: 'input-error', file: folder, message: `${folder}: image folder not found` } });
    expect((await api('no.such.call', {})).status).toBe(404);
  });

  it('delivers app events over Server-Sent Events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${bridge.url}events?token=${bridge.token}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: AppEvent[] = [];
    let buffer = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)) as AppEvent);
        }
        if (events.some((e) => e.type === 'study')) return;
      }
    })();
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const imported = (await (await api('studies.import', { folder: folder.dir })).json()) as { study: { id: string } };
    await reading;
    controller.abort();
    expect(events).toContainEqual({ type: 'study', studyId: imported.study.id });
  });

  it('serves media with the token in the query, as images a browser can show', async () => {
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const imported = (await (await api('studies.import', { folder: folder.dir })).json()) as { study: { id: string } };
    const cases = (await (await api('cases.list', { studyId: imported.study.id })).json()) as Array<{ id: string; name: string }>;
    const bmp = cases.find((c) => c.name === 'camera.bmp')!;
    const image = await fetch(`${bridge.url}media/case/${bmp.id}/image?token=${bridge.token}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await image.arrayBuffer()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect((await fetch(`${bridge.url}media/case/${bmp.id}/image`)).status).toBe(401);
    const broken = cases.find((c) => c.name === 'broken.png')!;
    const unreadable = await fetch(`${bridge.url}media/case/${broken.id}/image?token=${bridge.token}`);
    expect(unreadable.status).toBe(200); // a PNG as far as its first bytes go: sent as is, the browser shows it broken
    expect((await fetch(`${bridge.url}media/case/${encodeURIComponent('../../secret')}/image?token=${bridge.token}`)).status).toBe(404);
  });

  it('serves the renderer with a strict CSP, falls back to the page for routes, and never leaves its folder', async () => {
    const page = await fetch(bridge.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toMatch(/Glaucoma Studio/);
    const script = await fetch(`${bridge.url}assets/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${bridge.url}studies/s_1`)).status).toBe(200);
    expect((await fetch(`${bridge.url}assets/missing.js`)).status).toBe(404);
    const escape = await raw({ method: 'GET', path: '/../secret.txt', headers: { host: `127.0.0.1:${bridge.port}` } });
    expect(escape.body).not.toMatch(/not for the web/);
    const encoded = await raw({ method: 'GET', path: '/%2e%2e/secret.txt', headers: { host: `127.0.0.1:${bridge.port}` } });
    expect(encoded.status).toBe(404);
    expect(encoded.body).not.toMatch(/not for the web/);
  });
});
