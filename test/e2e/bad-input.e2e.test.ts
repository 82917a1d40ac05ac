// Bad input through the UI: a folder with corrupt, grey, huge and non-image
// files next to good ones. Each bad file gets a one-line message naming it; the
// good images are imported and can be opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, pageUrl, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';
import { writeBadFiles, writeSyntheticImages } from './support/fixtures';

describe.runIf(hasChromium())('bad files in an imported folder', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-bad-'));
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'));
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists each bad file with its problem and keeps the rest of the study usable', async () => {
    const folder = path.join(root, 'mixed');
    const good = (await writeSyntheticImages(folder, 2)).map((t) => t.name);
    const bad = await writeBadFiles(folder);
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('checkbox', { name: 'Screen after import' }).uncheck();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const problems = page.getByRole('list', { name: 'Files that could not be imported' });
    await problems.waitFor();
    await screenshot(page, 'bad-input-import');
    const items = await problems.getByRole('listitem').allTextContents();
    // Corrupt, huge and non-image files are refused, each with its own line naming it.
    for (const name of [bad.corrupt, bad.huge, bad.nonImage]) expect(items.filter((t) => t.includes(name))).toHaveLength(1);
    expect(items.find((t) => t.includes(bad.nonImage))).toMatch(/not an image/i);
    expect(items.find((t) => t.includes(bad.huge))).toMatch(/large|pixels/i);
    // A grey photograph is either imported (with a warning) or refused with a message; never silently lost.
    const cases = await callApi(backend, 'cases.list', { studyId: (await callApi(backend, 'studies.list', {}))[0]!.id });
    const grey = cases.find((c) => c.name === bad.grey);
    expect(grey !== undefined || items.some((t) => t.includes(bad.grey))).toBe(true);

    // The good images are there and open.
    await page.getByRole('button', { name: 'Open the study' }).click();
    const queue = page.getByRole('table', { name: 'Review queue' });
    for (const name of good) await queue.getByRole('button', { name, exact: true }).waitFor();
    await screenshot(page, 'bad-input-queue');
    await queue.getByRole('button', { name: good[0]!, exact: true }).click();
    await page.getByRole('heading', { name: good[0]! }).waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByText('The image could not be loaded.').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
