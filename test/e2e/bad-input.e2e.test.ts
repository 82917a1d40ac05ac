// Bad input through the UI: a folder with corrupt, grey, huge and non-image
// files next to good ones. Every bad file ends in a clear message naming it -
// at import (files that are not images, or too large) or at screening (files
// that only fail when decoded) - and the good images are screened and open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, pageUrl, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot, waitForScreening } from './support/browser';
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

  it('names each bad file with its problem and keeps the rest of the study usable', async () => {
    const folder = path.join(root, 'mixed');
    const good = (await writeSyntheticImages(folder, 2)).map((t) => t.name);
    const bad = await writeBadFiles(folder);
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    try {
      await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const problems = page.getByRole('list', { name: 'Files that could not be imported' });
      await problems.waitFor({ timeout: 60_000 });
      await screenshot(page, 'bad-input-import');
      const atImport = await problems.getByRole('listitem').allTextContents();
      expect(atImport.find((t) => t.includes(bad.nonImage))).toMatch(/not an image/i);

      await page.getByRole('button', { name: 'Open the study' }).click();
      await waitForScreening(page, 300_000);
      const queue = page.getByRole('table', { name: 'Review queue' });
      await screenshot(page, 'bad-input-queue');

      // Each bad file: a one-line message at import, or a problem on its row after screening; never silently lost.
      const studyId = (await callApi(backend, 'studies.list', {}))[0]!.id;
      const cases = await callApi(backend, 'cases.list', { studyId });
      const messageOf = (name: string): string | null => atImport.find((t) => t.includes(name)) ?? cases.find((c) => c.name === name)?.problem ?? null;
      expect(messageOf(bad.corrupt)).toMatch(/truncated|corrupt|premature|damaged|could not/i);
      expect(messageOf(bad.huge)).toMatch(/large|megapixels/i);
      // A bad file that became a case shows its problem on its row (and the bad files that are cases all have one).
      const badCases = cases.filter((c) => c.name !== bad.grey && (Object.values(bad) as string[]).includes(c.name));
      expect(badCases.filter((c) => c.problem === null).map((c) => c.name)).toEqual([]);
      for (const c of cases.filter((c) => c.problem !== null)) {
        const row = queue.getByRole('row').filter({ has: page.getByRole('button', { name: c.name, exact: true }) });
        expect(await row.count(), c.name).toBe(1);
        expect((await row.textContent()) ?? '').toContain(c.problem!.split(': ').pop()!.slice(0, 20));
      }
      // A grey photograph is screened (a warning at most) or named with its problem.
      const grey = cases.find((c) => c.name === bad.grey);
      expect(grey === undefined ? messageOf(bad.grey) : grey.prediction !== null || grey.problem !== null).toBeTruthy();

      // The good images are cases, were screened and open (a missing case fails here, not passes).
      expect(good.filter((name) => !cases.some((c) => c.name === name))).toEqual([]);
      for (const name of good) {
        const c = cases.find((x) => x.name === name)!;
        expect(c.prediction, name).not.toBeNull();
        expect(c.problem, name).toBeNull();
      }
      await queue.getByRole('button', { name: good[0]!, exact: true }).click();
      await page.getByRole('heading', { name: good[0]! }).waitFor();
      await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
      expect(await page.getByText('The image could not be loaded.').count()).toBe(0);
    } catch (error) {
      await screenshot(page, 'failure-bad-input');
      process.stderr.write(`back end log:\n${backend.log().slice(-4000)}\n`);
      throw error;
    }
    expect(consoleErrors).toEqual([]);
  });
});
