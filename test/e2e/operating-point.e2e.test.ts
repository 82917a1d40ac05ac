// The operating point setting (issue 8, item 2), in Chromium through the real
// bridge: the study view offers the active package's target specificities
// with their thresholds and expected figures; an invalid number is refused in
// words; applying another one changes the threshold and the decision of a case
// not yet approved, while the approved case keeps its signed record (and
// says what the model says now when that differs).
// The package is the e2e model with its validated field of view widened to any
// disc size, so the synthetic photographs (smaller discs than it was validated
// on) get a decision to change rather than "outside the validated field of view".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { callApi, pageUrl, startBackend, useFakeBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';
import { writeSyntheticImages } from './support/fixtures';
import { e2eModelDir } from './support/model';
import { readManifest } from '../../src-main/core/model/package';

describe.runIf(hasChromium() && !useFakeBackend)('the operating point, set in the app', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;
  let studyId: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-operating-point-'));
    const model = path.join(root, 'model');
    fs.cpSync(e2eModelDir(), model, { recursive: true });
    const manifestFile = path.join(model, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { decision?: { domain?: unknown } };
    if (!manifest.decision) throw new Error(`the e2e model (${e2eModelDir()}) has no decision model with ROC evidence; set E2E_MODEL to one that has`);
    manifest.decision.domain = { discSize: { low: 0.01, high: 0.99 }, evidence: 'e2e: any disc size' };
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const folder = path.join(root, 'clinic');
    const made = path.join(root, 'made');
    const [first, second] = await writeSyntheticImages(made, 2);
    fs.mkdirSync(folder);
    fs.copyFileSync(path.join(made, first!.name), path.join(folder, 'eye_a.png'));
    fs.copyFileSync(path.join(made, second!.name), path.join(folder, 'eye_b.png'));
    browser = await launchChromium();
    const previous = process.env.E2E_MODEL;
    process.env.E2E_MODEL = model;
    try {
      backend = await startBackend(path.join(root, 'user-data'));
    } finally {
      if (previous === undefined) delete process.env.E2E_MODEL;
      else process.env.E2E_MODEL = previous;
    }
    studyId = (await callApi(backend, 'studies.import', { folder })).study.id;
    await callApi(backend, 'screening.start', { studyId });
    const until = Date.now() + 300_000;
    while ((await callApi(backend, 'jobs.list', {})).some((j) => j.status === 'queued' || j.status === 'running')) {
      if (Date.now() > until) throw new Error('screening did not finish within 5 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function openStudy(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'clinic', exact: true }).or(page.getByRole('table', { name: 'Studies' }).getByRole('button', { name: 'clinic', exact: true })).first().click();
    await page.getByRole('table', { name: 'Review queue' }).waitFor();
  }

  async function openCase(page: Page, name: string): Promise<void> {
    await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name, exact: true }).click();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
  }

  /** The model column of the assessment's Decision row, and the operating point line under it. */
  const modelDecision = async (page: Page): Promise<string> => (await page.locator('table.assessment tr').filter({ hasText: 'Decision' }).locator('td').first().textContent())!.trim();
  const operatingPointLine = async (page: Page): Promise<string> => (await page.getByTestId('operating-point').textContent())!.replace(/\s+/g, ' ').trim();

  it('changes the threshold and decision of an unapproved case, never the approved one', async () => {
    const cases = await callApi(backend, 'cases.list', { studyId });
    expect(cases.every((c) => c.prediction?.decision === 'glaucoma')).toBe(true);
    // The case that will change: the lower probability, with a target specificity whose threshold lies above it.
    const [open, approved] = [...cases].sort((a, b) => a.prediction!.probability! - b.prediction!.probability!);
    let target: number | null = null;
    for (let t = 86; t <= 99 && target === null; t++) {
      const preview = await callApi(backend, 'settings.operatingPoint', { preview: t / 100 });
      if (preview.choices.find((c) => Math.abs(c.targetSpecificity - t / 100) < 1e-9)!.threshold > open!.prediction!.probability! + 0.005) target = t / 100;
    }
    expect(target, `no target specificity up to 0.99 puts the threshold above P ${open!.prediction!.probability}`).not.toBeNull();
    const before = await callApi(backend, 'settings.operatingPoint', {});
    const newThreshold = (await callApi(backend, 'settings.operatingPoint', { preview: target! })).choices.find((c) => Math.abs(c.targetSpecificity - target!) < 1e-9)!.threshold;

    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await openStudy(page);

    // ---- approve one case as screened ----
    await openCase(page, approved!.name);
    await page.getByRole('button', { name: /^Approve A/ }).click();
    const record = page.getByTestId('approved-record');
    await record.waitFor();
    const signed = (await callApi(backend, 'cases.get', { caseId: approved!.id })).summary.approval!;
    const signedText = (await record.textContent())!.replace(/\s+/g, ' ').trim();
    const signedLine = (await record.locator('p').first().textContent())!.replace(/\s+/g, ' ').trim();
    expect(signedText).toContain(`glaucoma at P ≥ ${signed.threshold!.toFixed(2)} (${Math.round(signed.targetSpecificity! * 100)} % target specificity)`);

    // ---- the unapproved case before ----
    await openStudy(page);
    await openCase(page, open!.name);
    expect(await modelDecision(page)).toBe('Glaucoma suspect');
    const lineBefore = await operatingPointLine(page);
    expect(lineBefore).toContain(`glaucoma at P ≥ ${before.inUse!.threshold.toFixed(2)}, fitted for ${Math.round(before.inUse!.targetSpecificity * 100)} % specificity`);
    expect(lineBefore).toMatch(/expected sensitivity \d\.\d\d \(\d\.\d\d–\d\.\d\d\), specificity \d\.\d\d \(\d\.\d\d–\d\.\d\d\)/);

    // ---- the setting, in the study view ----
    await openStudy(page);
    const panel = page.getByRole('region', { name: 'Operating point' });
    const inUse = panel.getByTestId('operating-point-in-use');
    expect((await inUse.textContent())!.replace(/\s+/g, ' ')).toContain(`In use: ${Math.round(before.inUse!.targetSpecificity * 100)} % target specificity — glaucoma at P ≥ ${before.inUse!.threshold.toFixed(3)}`);
    // How the thresholds were set, as the package records it.
    const rule = (await panel.getByTestId('operating-point-rule').textContent())!.replace(/\s+/g, ' ');
    expect(before.inUse!.rule).toBe(readManifest(path.join(root, 'model')).decision!.operatingPoint.rule ?? 'lowest-passing');
    expect(rule).toContain(before.inUse!.rule === 'harrell-davis' ? 'Harrell-Davis quantile of its cross-validated normal eyes' : 'the lowest that reaches the target specificity');
    // Where it decides at all, with how that was measured.
    const field = (await panel.getByTestId('operating-point-field').textContent())!.replace(/\s+/g, ' ');
    expect(field).toContain("It decides only on photographs whose disc spans 1 % to 99 % of the image's shorter side (e2e: any disc size)");
    // Each choice with its threshold and expected figures; the package default marked.
    await panel.getByRole('radio', { name: /85 % \(package default\)/ }).waitFor();
    expect(await panel.getByRole('row').filter({ hasText: '95 %' }).textContent()).toMatch(/P ≥ \d\.\d{3}\s*\d\.\d\d \(\d\.\d\d–\d\.\d\d\)/);
    // A number out of range is refused in words, and cannot be applied.
    const other = panel.getByLabel('Other target specificity (0.5 to 0.99)');
    await other.fill('1.2');
    await panel.getByRole('alert').getByText('Enter a specificity between 0.5 and 0.99 (for example 0.92).').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await panel.getByRole('button', { name: 'Apply to all studies' }).isDisabled()).toBe(true);
    // By keyboard: type the target, then Tab to the buttons and press Enter on Apply.
    await other.fill(String(target));
    expect(await panel.getByRole('alert').count()).toBe(0);
    await panel.getByRole('button', { name: 'Apply to all studies' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await inUse.textContent())!.replace(/\s+/g, ' '), { timeout: 20_000 }).toContain(`In use: ${Math.round(target! * 100)} % target specificity — glaucoma at P ≥ ${newThreshold.toFixed(3)}`);
    await expect.poll(async () => (await page.getByTestId('queue-operating-point').textContent())!.replace(/\s+/g, ' '), { timeout: 20_000 }).toContain(`Decisions at ${Math.round(target! * 100)} % target specificity (glaucoma at P ≥ ${newThreshold.toFixed(3)}`);
    // The queue shows the unapproved case's new decision, the approved one its signed decision.
    const decisionCell = (name: string) => page.getByRole('table', { name: 'Review queue' }).getByRole('row').filter({ hasText: name }).locator('td').nth(5);
    await expect.poll(async () => (await decisionCell(open!.name).textContent())!.trim(), { timeout: 20_000 }).toMatch(/^Normal/);
    expect((await decisionCell(approved!.name).textContent())!.trim()).toMatch(/^Suspect/);
    await screenshot(page, 'operating-point-01-study');

    // ---- the unapproved case: decided again at the new threshold ----
    await openCase(page, open!.name);
    await expect.poll(() => modelDecision(page), { timeout: 20_000 }).toBe('Normal');
    const lineAfter = await operatingPointLine(page);
    expect(lineAfter).toContain(`glaucoma at P ≥ ${newThreshold.toFixed(2)}, fitted for ${Math.round(target! * 100)} % specificity`);
    expect(lineAfter).not.toBe(lineBefore);
    await page.getByTestId('audit-trail').locator('summary').click();
    await page.getByRole('list', { name: 'Audit trail' }).getByText(/^operating point \d+ % → \d+ % specificity .*: glaucoma suspect → normal$/).waitFor();
    await screenshot(page, 'operating-point-02-unapproved-case');

    // ---- the approved case: the signed record as it was ----
    await openStudy(page);
    await openCase(page, approved!.name);
    expect((await page.getByTestId('approved-record').locator('p').first().textContent())!.replace(/\s+/g, ' ').trim()).toBe(signedLine);
    expect((await page.getByTestId('approved-record').textContent())!.replace(/\s+/g, ' ')).toContain(`glaucoma at P ≥ ${signed.threshold!.toFixed(2)} (${Math.round(signed.targetSpecificity! * 100)} % target specificity)`);
    const after = (await callApi(backend, 'cases.get', { caseId: approved!.id })).summary;
    expect(after.approval).toEqual(signed);
    // Its current decision is at the new point: the note says so when it differs from what was signed.
    if (after.prediction!.decision !== signed.decision) await page.getByTestId('model-changed').waitFor();
    else expect(await page.getByTestId('model-changed').count()).toBe(0);
    await screenshot(page, 'operating-point-03-approved-case');
    expect(consoleErrors).toEqual([]);
  });
});
