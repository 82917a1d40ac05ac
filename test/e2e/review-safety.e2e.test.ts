// Issue 10, defects 3, 4, 6 and 7 through the real bridge in Chromium, and an
// axe-core check on every view. Two studies serve the tests, in order: three
// REFUGE photographs screened by the e2e model, and a synthetic image with the
// bad files (not screened):
// - 3: a stray click paints an island -> flagged, removed; a cup stroke off the
//   disc leaves the disc as it was, with a note;
// - 4: editing an approved case asks first; undo brings the approval back (in
//   the store); an old revision opens and is restored as a new revision;
// - 6: cases open on the disc; tool, overlays and zoom carry over; approve &
//   next; queue sort, filter and position survive a case and a reload; arrow
//   keys in the queue; focus on the heading; "?" lists the shortcuts;
// - 7: an error notice has a close button, covers no control and goes by
//   itself; PDF is off in browser mode with the reason; import counts agree; an
//   unreadable case opens with the tools off and the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../src-main/core/contract/contract';
import { decodeLabelRuns } from '../../src-main/core/contract/label-map';
import { hasSharedData, sharedPath } from '../helpers/shared-data';
import { callApi, pageUrl, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';
import { axeViolations } from './support/axe';
import { writeBadFiles, writeSyntheticImages } from './support/fixtures';

const STUDY = 'Safety 2026';
const MIXED = 'Mixed files';
const REAL = [sharedPath('refuge-samples', 'Training400', 'Glaucoma', 'g0001.jpg'), sharedPath('refuge-samples', 'Training400', 'Glaucoma', 'g0002.jpg'), sharedPath('refuge-samples', 'Training400', 'Non-Glaucoma', 'n0281.jpg')];

/** The screen position of an image point, from the zoom the case view shows (the "NN %" button) while the whole image is fitted. */
async function fittedPoint(page: Page, image: { width: number; height: number }, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const box = (await page.getByLabel(/^Fundus photograph/).boundingBox())!;
  const scale = Math.min((box.width - 16) / image.width, (box.height - 16) / image.height);
  return { x: box.x + (box.width - image.width * scale) / 2 + p.x * scale, y: box.y + (box.height - image.height * scale) / 2 + p.y * scale };
}

/** The model's disc: box and centre in image pixels. */
function modelDisc(detail: CaseDetail): { x0: number; y0: number; x1: number; y1: number; cx: number; cy: number } {
  const map = detail.predictedLabels!;
  const labels = decodeLabelRuns(map);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    const x = i % map.width;
    const y = (i - x) / map.width;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x + 1);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y + 1);
  }
  return { x0, y0, x1, y1, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2 };
}

/** Whether two label maps hold the same labels (a byte comparison: deep equality on 4 million entries takes tens of seconds). */
function sameLabels(a: Parameters<typeof decodeLabelRuns>[0], b: Parameters<typeof decodeLabelRuns>[0]): boolean {
  return Buffer.from(decodeLabelRuns(a)).equals(Buffer.from(decodeLabelRuns(b)));
}

const zoomPercent = async (page: Page): Promise<number> => Number((await page.getByRole('group', { name: 'Zoom' }).getByRole('button', { name: /%$/ }).textContent())!.replace(/\D/g, ''));
const saveStatus = (page: Page) => page.getByRole('status', { name: 'Save status' }).textContent();
const reviewStatus = (page: Page) => page.getByLabel('Review status').textContent();

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
}

describe.runIf(hasChromium() && hasSharedData('refuge-samples'))('edits, flow and notices a clinician can trust (issue 10)', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;
  let folder: string;
  let mixedFolder: string;
  let studyId: string;
  let mixedId: string;
  let bad: Awaited<ReturnType<typeof writeBadFiles>>;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-safety-'));
    folder = path.join(root, 'clinic');
    fs.mkdirSync(folder, { recursive: true });
    for (const file of REAL) fs.copyFileSync(file, path.join(folder, path.basename(file)));
    mixedFolder = path.join(root, 'mixed');
    await writeSyntheticImages(mixedFolder, 1);
    bad = await writeBadFiles(mixedFolder);
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'));
    ({ page, consoleErrors } = await openPage(browser, pageUrl(backend)));
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function importFolder(dir: string, name: string, screen: boolean): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Library' }).click();
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(dir);
    await page.getByRole('textbox', { name: 'Study name (optional)' }).fill(name);
    const box = page.getByRole('checkbox', { name: 'Screen after import' });
    if (screen) await box.check();
    else await box.uncheck();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('region', { name: 'Import result' }).getByRole('heading', { name: `Imported “${name}”` }).waitFor({ timeout: 60_000 });
  }

  async function openCase(name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: STUDY }).click();
    await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 60_000 });
  }

  async function caseOf(name: string): Promise<CaseDetail> {
    const id = (await callApi(backend, 'cases.list', { studyId })).find((c) => c.name === name)!.id;
    return callApi(backend, 'cases.get', { caseId: id });
  }

  it('7: import counts agree (unreadable images are among those imported, other files are not)', async () => {
    await importFolder(mixedFolder, MIXED, false);
    const result = page.getByRole('region', { name: 'Import result' });
    mixedId = (await callApi(backend, 'studies.list', {})).find((s) => s.name === MIXED)!.id;
    const cases = await callApi(backend, 'cases.list', { studyId: mixedId });
    const unreadableAtImport = cases.filter((c) => c.problem !== null).length;
    const counts = (await result.locator('.counts').textContent())!;
    // "N images imported, K of them unreadable; M other files skipped (not images)": N = the study's cases, K among them.
    expect(counts).toMatch(new RegExp(`^${cases.length} images imported`));
    if (unreadableAtImport > 0) expect(counts).toContain(`${unreadableAtImport} of them unreadable`);
    expect(counts).toMatch(/1 other file skipped \(not an image\)/);
    expect(await result.getByRole('list', { name: 'Files that could not be imported' }).getByText(bad.nonImage, { exact: true }).count()).toBe(1);
    await screenshot(page, 'safety-7-import-counts');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('6: the queue keeps its sort, filter and position through a case and a reload; arrows move between rows; focus goes to the heading', async () => {
    await importFolder(folder, STUDY, true);
    studyId = (await callApi(backend, 'studies.list', {})).find((s) => s.name === STUDY)!.id;
    await page.getByRole('region', { name: 'Import result' }).getByRole('button', { name: 'Open the study' }).click();
    await page.getByText('Every readable image has a prediction from the active model.').waitFor({ timeout: 480_000 });
    // The heading has the focus after navigating.
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string } } }).document.activeElement.tagName)).toBe('H1');
    const queue = page.getByRole('table', { name: 'Review queue' });
    await queue.getByRole('button', { name: /^Image/ }).click();
    expect(await queue.locator('th[aria-sort="ascending"]').textContent()).toContain('Image');
    // Arrow keys between the rows' case buttons.
    const first = queue.locator('tbody button[data-case]').first();
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const focusedName = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent);
    expect(await focusedName()).toBe(await queue.locator('tbody button[data-case]').nth(1).textContent());
    await page.keyboard.press('ArrowUp');
    expect(await focusedName()).toBe(await first.textContent());
    await screenshot(page, 'safety-6-queue-sorted');
    expect(await axeViolations(page)).toEqual([]);

    // Into a case and back: the sort holds and the case's row is marked.
    await queue.getByRole('button', { name: 'g0002.jpg', exact: true }).click();
    await page.getByRole('heading', { name: 'g0002.jpg', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: STUDY }).click();
    expect(await queue.locator('th[aria-sort="ascending"]').textContent()).toContain('Image');
    expect(await queue.getByRole('button', { name: 'g0002.jpg', exact: true }).getAttribute('aria-current')).toBe('true');
    // A filter, then a reload: still this study, sorted and filtered the same way.
    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('unreviewed');
    await page.reload();
    await page.getByRole('heading', { name: STUDY, level: 1 }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Filter by status' }).inputValue()).toBe('unreviewed');
    expect(await queue.locator('th[aria-sort="ascending"]').textContent()).toContain('Image');
    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('all');
  });

  it('6: a case opens on the detected disc; tool, overlays and zoom carry over; the route survives a reload; approve & next; "?" lists the shortcuts', async () => {
    await openCase('g0001.jpg');
    const opened = await zoomPercent(page);
    await page.keyboard.press('0');
    const fitted = await zoomPercent(page);
    // Not the whole 2124x2056 photograph at 36 %: the disc fills a good part of the view.
    expect(opened).toBeGreaterThan(fitted * 1.5);
    await page.keyboard.press('o');
    // The same disc view (a notice appearing above the status bar may have changed the viewport's height a little).
    expect(Math.abs((await zoomPercent(page)) - opened)).toBeLessThanOrEqual(opened * 0.1);
    await screenshot(page, 'safety-6-opens-on-disc');
    // Choose the eraser, turn the model contours off, zoom in once: the next case keeps all three.
    await page.keyboard.press('e');
    await page.getByRole('checkbox', { name: 'Model contours' }).uncheck();
    await page.keyboard.press('+');
    const zoomed = await zoomPercent(page);
    await page.keyboard.press('Alt+ArrowRight');
    await page.getByRole('heading', { name: 'g0002.jpg', level: 1 }).waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.getByRole('button', { name: /^Eraser/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('checkbox', { name: 'Model contours' }).isChecked()).toBe(false);
    expect(await zoomPercent(page)).toBeGreaterThan(fitted * 1.5);
    // The route is in the address: a reload opens the same case, with the same settings.
    await page.reload();
    await page.getByRole('heading', { name: 'g0002.jpg', level: 1 }).waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.getByRole('button', { name: /^Eraser/ }).getAttribute('aria-pressed')).toBe('true');
    expect(zoomed).toBeGreaterThan(opened);
    await page.getByRole('checkbox', { name: 'Model contours' }).check();
    await page.keyboard.press('b');
    // "?" lists the shortcuts.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.textContent()).toContain('approve and open the next case');
    await screenshot(page, 'safety-6-shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    // Approve & next: approved in the store, and the next case of the queue is open.
    await page.getByRole('button', { name: /^Approve & next/ }).click();
    await page.getByRole('heading', { name: 'n0281.jpg', level: 1 }).waitFor();
    expect((await caseOf('g0002.jpg')).summary.status).toBe('approved');
    await screenshot(page, 'safety-6-approve-and-next');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('3: a stray click is flagged as an island and removed; a cup stroke off the disc leaves the disc as it was, with a note', async () => {
    await openCase('g0001.jpg');
    await page.keyboard.press('0');
    const before = await caseOf('g0001.jpg');
    const { width, height } = before.prediction!;
    const disc = modelDisc(before);
    // A single click of disc in mid-retina, far from the disc.
    const far = { x: disc.cx < width / 2 ? width * 0.75 : width * 0.25, y: height / 2 };
    await page.keyboard.press('d');
    await page.keyboard.press('b');
    const click = await fittedPoint(page, { width, height }, far);
    await page.mouse.click(click.x, click.y);
    const islands = page.getByRole('region', { name: 'Islands' });
    await islands.waitFor({ timeout: 10_000 });
    expect(await islands.textContent()).toContain('1 small island outside the disc');
    await screenshot(page, 'safety-3-island-flagged');
    await islands.getByRole('button', { name: 'Remove' }).click();
    await islands.waitFor({ state: 'detached' });

    // A cup stroke from the disc's centre to three disc radii outside it.
    await page.keyboard.press('c');
    const r = (disc.x1 - disc.x0) / 2;
    await drag(page, await fittedPoint(page, { width, height }, { x: disc.cx, y: disc.cy }), await fittedPoint(page, { width, height }, { x: disc.cx, y: Math.max(5, disc.cy - 3 * r) }));
    const note = page.getByRole('status').filter({ hasText: 'The cup was kept inside the disc' });
    await note.waitFor();
    await screenshot(page, 'safety-3-cup-kept-inside');
    await expect.poll(() => saveStatus(page), { timeout: 30_000 }).toMatch(/^Saved · revision/);
    const after = await caseOf('g0001.jpg');
    const model = decodeLabelRuns(after.predictedLabels!);
    const expert = decodeLabelRuns(after.annotation!.labels);
    let grown = 0;
    let cup = 0;
    for (let i = 0; i < expert.length; i++) {
      if (expert[i] !== 0 && model[i] === 0) grown++;
      if (expert[i] === 2) cup++;
    }
    // No island kept, no disc grown by the cup stroke; the stroke did paint cup inside the disc.
    expect(grown).toBe(0);
    expect(cup).toBeGreaterThan(0);
    expect(after.history.map((h) => h.note).join('; ')).toMatch(/removed 1 island/);
  });

  it('4: editing an approved case asks first; undo restores the approval in the store; an old revision opens and is restored as a new revision', async () => {
    await page.getByRole('button', { name: /^Approve A/ }).click();
    await expect.poll(() => reviewStatus(page)).toBe('approved');
    const approved = await caseOf('g0001.jpg');
    const approvedRevision = approved.annotation!.revision;
    const { width, height } = approved.prediction!;
    const disc = modelDisc(approved);

    // A stray stroke on the approved case: a question, and nothing changes.
    await page.keyboard.press('d');
    const p = await fittedPoint(page, { width, height }, { x: disc.x1 + (disc.x1 - disc.x0) * 0.1, y: disc.cy });
    await page.mouse.click(p.x, p.y);
    const ask = page.getByRole('alertdialog');
    await ask.waitFor();
    await screenshot(page, 'safety-4-approved-asks');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(1600);
    expect((await caseOf('g0001.jpg')).annotation!.revision).toBe(approvedRevision);
    expect(await reviewStatus(page)).toBe('approved');

    // Edit it anyway: corrected; undo: approved again, in the store, with the history kept.
    await page.mouse.click(p.x, p.y);
    await ask.getByRole('button', { name: 'Edit the approved case' }).click();
    await page.mouse.click(p.x, p.y);
    await expect.poll(async () => (await caseOf('g0001.jpg')).summary.status, { timeout: 30_000 }).toBe('corrected');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await caseOf('g0001.jpg')).summary.status, { timeout: 30_000 }).toBe('approved');
    await expect.poll(() => reviewStatus(page)).toBe('approved');
    const back = await caseOf('g0001.jpg');
    expect(back.annotation!.revision).toBe(approvedRevision + 2);
    expect(sameLabels(back.annotation!.labels, approved.annotation!.labels)).toBe(true);
    await screenshot(page, 'safety-4-undo-approved-again');

    // Open the edited revision from the history: shown read-only, then restored as a new revision.
    const edited = approvedRevision + 1;
    const history = page.getByRole('list', { name: 'Revision history' });
    await history.getByRole('button', { name: `Open revision ${edited}` }).click();
    const opened = page.getByRole('region', { name: 'Old revision' });
    await opened.waitFor();
    expect(await page.getByRole('button', { name: /^Brush/ }).isDisabled()).toBe(true);
    await screenshot(page, 'safety-4-revision-opened');
    await opened.getByRole('button', { name: 'Restore this revision' }).click();
    await ask.getByRole('button', { name: 'Edit the approved case' }).click();
    await opened.getByRole('button', { name: 'Restore this revision' }).click();
    await expect.poll(async () => (await caseOf('g0001.jpg')).annotation!.revision, { timeout: 30_000 }).toBe(approvedRevision + 3);
    const restored = await caseOf('g0001.jpg');
    const old = await callApi(backend, 'cases.revision', { caseId: restored.summary.id, revision: edited });
    expect(sameLabels(restored.annotation!.labels, old.labels)).toBe(true);
    expect(restored.history.at(-1)!.note).toContain(`restored revision ${edited}`);
    expect(restored.history).toHaveLength(approvedRevision + 3);
  });

  it('7: an error notice can be closed, covers no control and goes by itself; PDF is off in browser mode with the reason', async () => {
    const pdf = page.getByRole('button', { name: 'PDF', exact: true });
    expect(await pdf.isDisabled()).toBe(true);
    expect(await page.getByText(/PDF needs the desktop app/).count()).toBe(1);
    // A report into a folder the bridge may not write: an error notice.
    await page.getByRole('textbox', { name: 'Save to folder' }).fill('/proc/not-allowed');
    await page.getByRole('button', { name: 'Save HTML report' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not write the report' });
    await alert.waitFor();
    await screenshot(page, 'safety-7-error-notice');
    expect(await alert.getByRole('button', { name: 'Dismiss' }).count()).toBe(1);
    const box = (await alert.boundingBox())!;
    const overlapping = await page.evaluate(
      ({ x, y, width, height }) => {
        type El = { getBoundingClientRect(): { left: number; top: number; right: number; bottom: number }; closest(s: string): unknown; textContent: string };
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): El[] } }).document;
        return [...doc.querySelectorAll('button, input, select, canvas')]
          .filter((el) => !el.closest('[role="alert"]'))
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.right > x && r.left < x + width && r.bottom > y && r.top < y + height && r.right > r.left;
          })
          .map((el) => el.textContent);
      },
      box,
    );
    expect(overlapping).toEqual([]);
    // It goes by itself (errors stay 15 s).
    await alert.waitFor({ state: 'detached', timeout: 25_000 });
  });

  it('7: an unreadable case opens with the tools off and the reason shown', async () => {
    const cases = await callApi(backend, 'cases.list', { studyId: mixedId });
    const unreadable = cases.find((c) => c.problem !== null)!;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Library' }).click();
    await page.getByRole('table', { name: 'Studies' }).getByRole('button', { name: MIXED, exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name: unreadable.name, exact: true }).click();
    await page.getByRole('heading', { name: unreadable.name, level: 1 }).waitFor();
    const reason = page.getByRole('alert').filter({ hasText: /cannot be (used|shown)/ });
    await reason.first().waitFor();
    expect(await page.getByRole('button', { name: /^Approve A/ }).isDisabled()).toBe(true);
    if ((await page.getByRole('button', { name: /^Brush/ }).count()) > 0) expect(await page.getByRole('button', { name: /^Brush/ }).isDisabled()).toBe(true);
    await screenshot(page, 'safety-7-unreadable-case');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('passes axe (no serious or critical violations) on the library and fine-tuning views', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Library' }).click();
    await page.getByRole('heading', { name: 'Library', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    await page.getByRole('heading', { name: 'Fine-tuning', level: 1 }).waitFor();
    await screenshot(page, 'safety-axe-training');
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors.filter((e) => !/40[0-9]|Failed to load resource/.test(e))).toEqual([]);
  });
});
