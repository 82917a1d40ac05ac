// The case view on its own: a save that conflicts with another window's
// revision reloads the case and tells the user; wheel zoom, fit, and
// space+drag panning move the image.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLabelRuns } from '../../src-main/core/contract/label-map';
import { callApi, pageUrl, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';
import { writeSyntheticImages, type SyntheticTruth } from './support/fixtures';

describe.runIf(hasChromium())('the case view', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;
  let truth: SyntheticTruth;
  let caseId: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-case-'));
    const folder = path.join(root, 'one');
    truth = (await writeSyntheticImages(folder, 1))[0]!;
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'));
    const { study } = await callApi(backend, 'studies.import', { folder });
    caseId = (await callApi(backend, 'cases.list', { studyId: study.id }))[0]!.id;
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function openCase(): Promise<{ page: Page; consoleErrors: string[] }> {
    const opened = await openPage(browser, pageUrl(backend));
    const { page } = opened;
    await page.getByRole('table', { name: 'Studies' }).getByRole('button', { name: 'one', exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name: truth.name }).click();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
    return opened;
  }

  it('reloads and explains when another window saved the case meanwhile', async () => {
    const { page, consoleErrors } = await openCase();
    // "Another window" saves a revision after this page loaded the case.
    const labels = new Uint8Array(truth.width * truth.height);
    labels[Math.round(truth.discCenter.y) * truth.width + Math.round(truth.discCenter.x)] = 1;
    await callApi(backend, 'cases.saveAnnotation', { caseId, baseRevision: 0, labels: encodeLabelRuns(labels, truth.width, truth.height), fovea: null, note: 'edited in another window' });

    const box = (await page.getByLabel(/^Fundus photograph/).boundingBox())!;
    await page.keyboard.press('b');
    // Disc: a cup stroke on an image without a disc paints nothing (the cup stays inside the disc).
    await page.keyboard.press('d');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const alert = page.getByRole('alert').filter({ hasText: /saved elsewhere/ });
    await alert.waitFor({ timeout: 20_000 });
    await page.getByRole('list', { name: 'Revision history' }).getByText('edited in another window').waitFor();
    await screenshot(page, 'case-conflict');
    const detail = await callApi(backend, 'cases.get', { caseId });
    expect(detail.annotation!.revision).toBe(1);
    expect(consoleErrors.filter((e) => !e.includes('409'))).toEqual([]);
  });

  it('zooms with the wheel, fits with 0 and pans with space+drag', async () => {
    const { page } = await openCase();
    const revisions = (await callApi(backend, 'cases.get', { caseId })).history.length;
    const zoom = page.getByRole('group', { name: 'Zoom' }).getByRole('button', { name: /%$/ });
    // The case opens zoomed on the disc (when there is one); 0 shows the whole image.
    await page.keyboard.press('0');
    const fitted = await zoom.textContent();
    const box = (await page.getByLabel(/^Fundus photograph/).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(() => zoom.textContent()).not.toBe(fitted);
    const zoomed = await page.getByLabel(/^Fundus photograph/).screenshot();
    await page.keyboard.down(' ');
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up(' ');
    const panned = await page.getByLabel(/^Fundus photograph/).screenshot();
    expect(panned.equals(zoomed)).toBe(false);
    // Space+drag must not have painted: no new revision.
    await page.waitForTimeout(1500);
    expect((await callApi(backend, 'cases.get', { caseId })).history).toHaveLength(revisions);
    await page.keyboard.press('0');
    await expect.poll(() => zoom.textContent()).toBe(fitted);
  });
});
