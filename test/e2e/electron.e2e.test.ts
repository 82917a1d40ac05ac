// The packaged shell in Electron itself (Playwright's _electron), on machines
// where Electron's binary is installed. Elsewhere (ELECTRON_SKIP_BINARY_DOWNLOAD,
// as on our CI machines, which cannot download it) it does not run, and says so
// loudly: a banner on stderr and a skipped test named NOT RUN, so nobody reads
// a green e2e run as "the Electron shell works". The Chromium suite covers the
// renderer and the core over the bridge, not the preload or the shell.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './support/browser';
import { electronBinary } from './support/electron-binary';
import { writeBadFiles, writeSyntheticImages } from './support/fixtures';

const root = path.resolve(import.meta.dirname, '..', '..');
const binary = electronBinary();

export const NOT_RUN = 'NOT RUN: Electron e2e: the Electron binary is unavailable on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD); the preload, the IPC shell and the packaged window are untested here';

if (binary === null) {
  const bar = '!'.repeat(NOT_RUN.length > 100 ? 100 : NOT_RUN.length);
  process.stderr.write(`\n${bar}\n${NOT_RUN}\n${bar}\n\n`);
  describe('the Electron app', () => {
    it.skip(NOT_RUN, () => {});
  });
}

describe.skipIf(binary === null)('the Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  let tmp: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'out', 'main', 'index.js'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-electron-'));
    app = await _electron.launch({
      executablePath: binary!,
      args: [root, `--user-data-dir=${path.join(tmp, 'user-data')}`],
      env: { ...process.env, GLAUCOMA_STUDIO_USER_DATA: path.join(tmp, 'user-data'), GLAUCOMA_STUDIO_FOLDERS: tmp },
    });
    page = await app.firstWindow();
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  afterAll(async () => {
    await app?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is hardened: no Node in the page, only the preload bridge with one function per call', async () => {
    const shape = await page.evaluate(() => {
      const page = globalThis as unknown as { require?: unknown; process?: unknown; glaucomaStudio?: { api: Record<string, unknown>; onEvent: unknown } };
      return {
        require: typeof page.require,
        process: typeof page.process,
        bridge: typeof page.glaucomaStudio,
        getCase: typeof page.glaucomaStudio?.api['cases.get'],
        onEvent: typeof page.glaucomaStudio?.onEvent,
      };
    });
    expect(shape).toEqual({ require: 'undefined', process: 'undefined', bridge: 'object', getCase: 'function', onEvent: 'function' });
    const opened = await page.evaluate(() => (globalThis as unknown as { open: (url: string) => unknown }).open('https://example.org') === null);
    expect(opened).toBe(true);
  });

  it('imports a folder through the UI and shows per-file problems', async () => {
    const folder = path.join(tmp, 'electron-study');
    await writeSyntheticImages(folder, 2);
    const bad = await writeBadFiles(folder);
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('checkbox', { name: 'Screen after import' }).uncheck();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const problems = page.getByRole('list', { name: 'Files that could not be imported' });
    await problems.waitFor();
    expect(await problems.getByText(bad.nonImage, { exact: true }).count()).toBe(1);
    await screenshot(page, 'electron-library');
  });
});
