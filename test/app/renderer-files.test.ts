// The one rule both the app:// protocol and the browser bridge serve the renderer by.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentTypeOf, resolveRendererFile } from '../../src-main/app/renderer-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-renderer-files-'));
const built = path.join(tmp, 'built');
const empty = path.join(tmp, 'empty');
fs.mkdirSync(path.join(built, 'assets'), { recursive: true });
fs.mkdirSync(empty);
fs.writeFileSync(path.join(built, 'index.html'), '<title>x</title>');
fs.writeFileSync(path.join(built, 'assets', 'a.js'), '1');
fs.writeFileSync(path.join(tmp, 'secret.txt'), 'no');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resolveRendererFile', () => {
  it('serves files, the page for routes and for the root', async () => {
    expect(await resolveRendererFile(built, '/assets/a.js')).toEqual({ kind: 'file', file: path.join(built, 'assets', 'a.js') });
    for (const p of ['/', '', '/study/42']) expect(await resolveRendererFile(built, p)).toEqual({ kind: 'file', file: path.join(built, 'index.html') });
  });

  it('refuses what is outside, missing or malformed', async () => {
    expect(await resolveRendererFile(built, '/%2e%2e/secret.txt')).toEqual({ kind: 'not-found' });
    expect(await resolveRendererFile(built, '/assets/missing.js')).toEqual({ kind: 'not-found' });
    expect(await resolveRendererFile(built, '/%E0%A4%A')).toEqual({ kind: 'malformed' });
    expect(await resolveRendererFile(built, '/%00')).toEqual({ kind: 'malformed' });
  });

  it('says when the renderer was not built', async () => {
    expect(await resolveRendererFile(empty, '/study/1')).toEqual({ kind: 'not-built', index: path.join(empty, 'index.html') });
  });
});

describe('contentTypeOf', () => {
  it('types scripts for module loading and falls back to bytes', () => {
    expect(contentTypeOf('/x/index-1.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('/x/a.wasm')).toBe('application/wasm');
    expect(contentTypeOf('/x/blob')).toBe('application/octet-stream');
  });
});
