// The whole review in the real renderer: import a folder of synthetic and real
// photographs, screen it, open a case, correct the cup with the brush, move
// the fovea, undo and redo, approve, fine-tune, see the new model version.
// Screenshots of each view go to test-output/e2e/ for a person to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLabelRuns } from '../../src-main/core/api/label-map';
import { hasSharedData } from '../helpers/shared-data';
import { callApi, pageUrl, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';
import { copyRealImages, writeBadFiles, writeSyntheticImages } from './support/fixtures';

const RENDERER_DIR = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');

/** Screen position of an image point while the case view shows the whole image (fitView, margin 8). */
async function screenPoint(page: Page, image: { width: number; height: number }, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const box = (await page.getByLabel(/^Fundus photograph/).boundingBox())!;
  const scale = Math.min((box.width - 16) / image.width, (box.height - 16) / image.height);
  const offsetX = (box.width - image.width * scale) / 2;
  const offsetY = (box.height - image.height * scale) / 2;
  return { x: box.x + offsetX + p.x * scale, y: box.y + offsetY + p.y * scale };
}

function labelStats(labels: Uint8Array, width: number) {
  let cup = 0;
  let disc = 0;
  let sx = 0;
  let sy = 0;
  let top = Infinity;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    disc++;
    sx += i % width;
    sy += Math.floor(i / width);
    top = Math.min(top, Math.floor(i / width));
    if (labels[i] === 2) cup++;
  }
  return { cup, disc, cx: sx / disc + 0.5, cy: sy / disc + 0.5, top };
}

describe.runIf(hasChromium() && hasSharedData('refuge-samples') && hasSharedData('drishti-gs1'))('review, correct and fine-tune in Chromium', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-flow-'));
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'), RENDERER_DIR);
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('imports, screens, corrects the cup and the fovea, undoes and redoes, approves and fine-tunes', async () => {
    const folder = path.join(root, 'clinic-2024');
    await writeSyntheticImages(folder, 3);
    copyRealImages(folder);
    const bad = await writeBadFiles(folder);
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    try {
      await reviewFlow(page, folder, bad);
    } catch (error) {
      await screenshot(page, 'failure-review-flow');
      throw error;
    }
    expect(consoleErrors).toEqual([]);
  });

  async function reviewFlow(page: Page, folder: string, bad: Awaited<ReturnType<typeof writeBadFiles>>): Promise<void> {

    // ---- library: import the folder ----
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('textbox', { name: 'Study name (optional)' }).fill('Clinic 2024');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByRole('region', { name: 'Import result' });
    await result.waitFor();
    const problems = result.getByRole('list', { name: 'Files that could not be imported' });
    for (const name of [bad.corrupt, bad.huge, bad.nonImage]) expect(await problems.getByText(name, { exact: true }).count()).toBe(1);
    expect(await problems.getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
    await page.getByRole('table', { name: 'Studies' }).getByRole('button', { name: 'Clinic 2024', exact: true }).waitFor();
    await screenshot(page, '01-library');

    // ---- study: screening progress, then the queue ----
    await result.getByRole('button', { name: 'Open the study' }).click();
    await page.getByRole('heading', { name: 'Clinic 2024' }).waitFor();
    await page.getByRole('progressbar', { name: 'Screening progress' }).waitFor({ timeout: 60_000 }).catch(() => undefined);
    await screenshot(page, '02-queue-screening');
    await page.getByText('Every readable image has a prediction from the active model.').waitFor({ timeout: 480_000 });
    const queue = page.getByRole('table', { name: 'Review queue' });
    await queue.getByRole('button', { name: 'g0001.jpg' }).waitFor();
    await queue.getByRole('button', { name: /Glaucoma probability/ }).click();
    expect(await queue.locator('th[aria-sort="ascending"]').count()).toBe(1);
    await queue.getByRole('button', { name: /Glaucoma probability/ }).click();
    expect(await queue.locator('th[aria-sort="descending"]').count()).toBe(1);
    await screenshot(page, '03-queue');

    // ---- case view: the REFUGE photograph with the model's overlays ----
    const studyId = (await callApi(backend, 'studies.list', {})).find((s) => s.name === 'Clinic 2024')!.id;
    const caseId = (await callApi(backend, 'cases.list', { studyId })).find((c) => c.name === 'g0001.jpg')!.id;
    const before = await callApi(backend, 'cases.get', { caseId });
    expect(before.predictedLabels).not.toBeNull();
    const size = { width: before.predictedLabels!.width, height: before.predictedLabels!.height };
    const predicted = labelStats(decodeLabelRuns(before.predictedLabels!), size.width);
    expect(predicted.disc).toBeGreaterThan(0);

    await queue.getByRole('button', { name: 'g0001.jpg' }).click();
    await page.getByRole('heading', { name: 'g0001.jpg' }).waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 60_000 });
    const heatmap = page.getByLabel('Heat map', { exact: true });
    if (before.media.heatmapOc) {
      await heatmap.selectOption('oc');
      await page.getByLabel('Heat map opacity').fill('0.45');
    }
    await page.waitForTimeout(300);
    await screenshot(page, '04-case-overlays');
    if (before.media.heatmapOc) await heatmap.selectOption('none');

    // ---- correct the cup with the brush: paint upward from the disc centre past the cup's top ----
    const modelVcdr = await page.getByTestId('corrected-vcdr').textContent();
    await page.keyboard.press('c');
    await page.keyboard.press('b');
    expect(await page.getByRole('button', { name: /^Brush/ }).getAttribute('aria-pressed')).toBe('true');
    const from = await screenPoint(page, size, { x: predicted.cx, y: predicted.cy });
    const to = await screenPoint(page, size, { x: predicted.cx, y: predicted.top + (predicted.cy - predicted.top) * 0.15 });
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('corrected-vcdr').textContent()).not.toBe(modelVcdr);
    await expect.poll(() => page.getByRole('status', { name: 'Save status' }).textContent(), { timeout: 20_000 }).toMatch(/Saved · revision 1/);
    const afterBrush = await callApi(backend, 'cases.get', { caseId });
    const brushed = labelStats(decodeLabelRuns(afterBrush.annotation!.labels), size.width);
    expect(brushed.cup).toBeGreaterThan(predicted.cup);
    expect(afterBrush.history.at(-1)!.note).toContain('brush on cup');

    // ---- move the fovea ----
    await page.keyboard.press('f');
    const foveaFrom = before.prediction?.fovea ?? { x: size.width * 0.35, y: size.height * 0.5 };
    const foveaTo = { x: foveaFrom.x + size.width * 0.04, y: foveaFrom.y - size.height * 0.03 };
    const f0 = await screenPoint(page, size, foveaFrom);
    const f1 = await screenPoint(page, size, foveaTo);
    await page.mouse.move(f0.x, f0.y);
    await page.mouse.down();
    await page.mouse.move(f1.x, f1.y, { steps: 6 });
    await page.mouse.up();
    await screenshot(page, '05-editing');
    await expect.poll(() => page.getByRole('status', { name: 'Save status' }).textContent(), { timeout: 20_000 }).toMatch(/Saved · revision 2/);
    const moved = (await callApi(backend, 'cases.get', { caseId })).annotation!.fovea!;
    expect(Math.abs(moved.x - foveaTo.x)).toBeLessThan(size.width * 0.01);

    // ---- undo both edits, then redo them ----
    const correctedVcdr = await page.getByTestId('corrected-vcdr').textContent();
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('corrected-vcdr').textContent()).toBe(modelVcdr);
    await expect.poll(() => page.getByRole('status', { name: 'Save status' }).textContent(), { timeout: 20_000 }).toMatch(/Saved · revision 3/);
    const undone = await callApi(backend, 'cases.get', { caseId });
    expect(labelStats(decodeLabelRuns(undone.annotation!.labels), size.width).cup).toBe(predicted.cup);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.getByTestId('corrected-vcdr').textContent()).toBe(correctedVcdr);
    await expect.poll(() => page.getByRole('status', { name: 'Save status' }).textContent(), { timeout: 20_000 }).toMatch(/Saved · revision 4/);
    const redone = await callApi(backend, 'cases.get', { caseId });
    expect(labelStats(decodeLabelRuns(redone.annotation!.labels), size.width).cup).toBe(brushed.cup);
    expect(redone.annotation!.fovea).toEqual(moved);

    // ---- approve this case and two more (keyboard), so a fine-tune has data ----
    await page.keyboard.press('a');
    await expect.poll(() => page.getByLabel('Review status').textContent()).toBe('approved');
    const others = (await callApi(backend, 'cases.list', { studyId })).filter((c) => c.id !== caseId && c.prediction && !c.problem).slice(0, 2);
    for (const other of others) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Clinic 2024' }).click();
      await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name: other.name }).click();
      await page.getByRole('heading', { name: other.name }).waitFor();
      await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 60_000 });
      await page.keyboard.press('a');
      await expect.poll(() => page.getByLabel('Review status').textContent()).toBe('approved');
    }

    // ---- fine-tune on the approved corrections and see the new model version ----
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    const start = page.getByRole('button', { name: /^Fine-tune on 3 approved corrections/ });
    await start.waitFor();
    await page.getByLabel('Epochs').fill('3');
    await start.click();
    await page.getByRole('region', { name: 'Fine-tuning run' }).waitFor();
    await page.getByText(/New model version .* is ready/).waitFor({ timeout: 480_000 });
    await screenshot(page, '06-training');
    const models = await callApi(backend, 'models.list', {});
    const tuned = models.find((m) => m.parentId !== null)!;
    expect(tuned).toBeDefined();
    await page.getByRole('listitem', { name: `Model ${tuned.name}` }).getByRole('button', { name: 'Activate' }).click();
    await expect.poll(async () => (await callApi(backend, 'models.list', {})).find((m) => m.id === tuned.id)!.active).toBe(true);
    await page.getByRole('button', { name: /^Roll back to / }).click();
    await expect.poll(async () => (await callApi(backend, 'models.list', {})).find((m) => m.id === tuned.parentId)!.active).toBe(true);
    await screenshot(page, '07-models');
  }
});
