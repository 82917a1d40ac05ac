// A review a clinician can sign (issue 10, defects 1 and 2, and the
// clinician's own call), in Chromium through the real bridge:
// - approve a case, activate another model version, re-screen, roll back: the
//   queue and the case keep showing the approved record, with "model changed
//   since approval" and the new model's value beside it, and every step is in
//   the case's audit trail;
// - after activating another model the study says how many cases an older
//   model predicted and offers to re-screen them (it used to claim "Every
//   readable image has a prediction from the active model");
// - grade (G), referral, notes, eye and patient id persist after a reload; the
//   patient view pairs both eyes; the cases CSV is written from the app.
// The second model version is the e2e package with a shifted decision rule,
// registered in the store as a fine-tune would be (the app has no package
// import yet).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/core/store/store';
import { openDatabase } from '../../src-main/platform/sqlite';
import { callApi, E2E_USER, pageUrl, startBackend, useFakeBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot, waitForScreening } from './support/browser';
import { writeSyntheticImages } from './support/fixtures';
import { e2eModelDir } from './support/model';

const ALT_ID = 'e2e-alternative';
const ALT_NAME = 'E2E alternative model';
const BUNDLED_ID = 'bundled-default';

describe.runIf(hasChromium() && !useFakeBackend)('a review a clinician can sign', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;
  let userData: string;
  let studyId: string;
  let rightId: string;

  async function screened(): Promise<void> {
    const until = Date.now() + 300_000;
    while ((await callApi(backend, 'jobs.list', {})).some((j) => j.status === 'queued' || j.status === 'running')) {
      if (Date.now() > until) throw new Error('screening did not finish within 5 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** A second version: the e2e package with its decision rule shifted, so it assesses the same disc and cup differently. */
  function registerAlternativeModel(): void {
    const dir = path.join(userData, 'models', ALT_ID);
    fs.cpSync(e2eModelDir(), dir, { recursive: true });
    const manifestFile = path.join(dir, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown> & { decision?: { rule: { kind: string; logistic?: { intercept: number } } }; vcdrRegression?: { intercept: number } | null };
    manifest.id = ALT_ID;
    manifest.name = ALT_NAME;
    manifest.parent = BUNDLED_ID;
    if (manifest.decision?.rule.logistic) manifest.decision.rule.logistic.intercept -= 3;
    if (manifest.vcdrRegression) manifest.vcdrRegression.intercept -= 3;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const db = openDatabase(path.join(userData, DATABASE_FILE));
    try {
      const bundled = db.prepare<[], { trained_tasks: string; data_card: string }>(`SELECT trained_tasks, data_card FROM model_versions WHERE id = '${BUNDLED_ID}'`).get()!;
      db.prepare(
        `INSERT INTO model_versions (id, name, dir, package_id, parent_id, created_at, active, bundled, trained_tasks, metrics, metrics_note, data_card, job_id)
         VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, '{}', 'e2e', ?, NULL)`,
      ).run(ALT_ID, ALT_NAME, path.join('models', ALT_ID), ALT_ID, BUNDLED_ID, new Date().toISOString(), bundled.trained_tasks, bundled.data_card);
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-signed-'));
    userData = path.join(root, 'user-data');
    const folder = path.join(root, 'clinic');
    const made = path.join(root, 'made');
    const [first, second] = await writeSyntheticImages(made, 2);
    fs.mkdirSync(folder);
    // One patient, both eyes, as a clinic names them.
    fs.copyFileSync(path.join(made, first!.name), path.join(folder, 'P001_OD.png'));
    fs.copyFileSync(path.join(made, second!.name), path.join(folder, 'P001_OS.png'));
    browser = await launchChromium();
    backend = await startBackend(userData);
    studyId = (await callApi(backend, 'studies.import', { folder })).study.id;
    await callApi(backend, 'screening.start', { studyId });
    await screened();
    rightId = (await callApi(backend, 'cases.list', { studyId })).find((c) => c.name === 'P001_OD.png')!.id;
    registerAlternativeModel();
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function openStudy(page: Page): Promise<void> {
    await page.getByRole('table', { name: 'Studies' }).getByRole('button', { name: 'clinic', exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).waitFor();
  }

  async function openCase(page: Page, name: string): Promise<void> {
    await page.getByRole('table', { name: 'Review queue' }).getByRole('button', { name, exact: true }).click();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
  }

  const queueRow = (page: Page, name: string) => page.getByRole('table', { name: 'Review queue' }).getByRole('row').filter({ hasText: name });
  const percent = (p: number | null): string => (p === null ? '–' : `${(p * 100).toFixed(0)} %`);

  it("keeps what was approved through a model change, a re-screen and a rollback; the study says honestly which model predicted what; the clinician's call persists", async () => {
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await openStudy(page);
    await openCase(page, 'P001_OD.png');

    // ---- the clinician's call, then approve ----
    const call = page.getByTestId('clinician-call');
    await call.getByRole('group', { name: 'Referral decision' }).getByRole('button', { name: 'Refer', exact: true }).click();
    await expect.poll(() => call.getByRole('button', { name: 'Refer', exact: true }).getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await page.keyboard.press('g');
    await expect.poll(() => call.getByRole('group', { name: 'Glaucoma grade' }).getByRole('button', { name: /^Glaucoma/ }).getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await call.getByLabel('Notes').fill('Rim thinning inferiorly; repeat OCT in 6 months');
    await call.getByLabel('Notes').blur();
    await expect.poll(async () => (await callApi(backend, 'cases.get', { caseId: rightId })).summary.call?.notes, { timeout: 15_000 }).toBe('Rim thinning inferiorly; repeat OCT in 6 months');
    await page.getByRole('button', { name: /^Approve A/ }).click();
    const record = page.getByTestId('approved-record');
    await record.waitFor();
    const signed = (await callApi(backend, 'cases.get', { caseId: rightId })).summary.approval!;
    expect(signed).toMatchObject({ reviewer: E2E_USER, modelId: BUNDLED_ID, referral: 'refer', grade: 'glaucoma' });
    const signedLine = (await record.locator('p').first().textContent())!.trim();
    expect(signedLine).toContain(`${percent(signed.probability)} · vCDR ${signed.vcdr === null ? '–' : signed.vcdr.toFixed(2)}`);
    expect(await page.getByTestId('model-changed').count()).toBe(0);
    // Where the decision is read: the model's known limits (its data card's notes), the operating point and the uncertainty.
    const limits = page.getByTestId('model-limits');
    await limits.locator('summary').click();
    const notes = (await callApi(backend, 'models.list', {})).find((m) => m.active)!.dataCard.notes!;
    expect((await limits.textContent())!.replace(/\s+/g, ' ')).toContain(notes.replace(/\s+/g, ' ').slice(0, 40));
    expect(await page.getByTestId('operating-point').textContent()).toMatch(/^Operating point: .*uncertainty \d\.\d\d \(flip disagreement\)/);
    await screenshot(page, 'signed-01-approved');

    // ---- defect 1: another model version becomes active ----
    await callApi(backend, 'models.activate', { modelId: ALT_ID });
    // The page stays open (no reload): it must learn of the change from the bridge's event, as when the user activates a model in the app.
    await page.waitForTimeout(1500);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'clinic', exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).waitFor();
    // Defect 2: the study no longer claims the old predictions are the active model's.
    const provenance = page.getByTestId('provenance');
    await expect.poll(() => provenance.textContent(), { timeout: 20_000 }).toMatch(new RegExp(`0 of 2 predicted by the active model \\(${ALT_NAME}\\) · 2 by an older model version`));
    expect(await page.getByText('Every readable image has a prediction from the active model.').count()).toBe(0);
    await page.getByTestId('older-predictions').waitFor();
    const rescreen = page.getByRole('button', { name: 'Re-screen 2 images with the active model' });
    await rescreen.waitFor();
    // The queue still shows the approved value, marked as changed since approval.
    const row = queueRow(page, 'P001_OD.png');
    await row.getByTestId('queue-model-changed').waitFor();
    expect(await row.textContent()).toContain(percent(signed.probability));
    expect(await row.locator('td[data-model]').getAttribute('data-model')).toBe(BUNDLED_ID);
    await screenshot(page, 'signed-02-study-after-activation');

    await openCase(page, 'P001_OD.png');
    expect((await page.getByTestId('approved-record').locator('p').first().textContent())!.trim()).toBe(signedLine);
    await expect.poll(() => page.getByTestId('model-changed').textContent(), { timeout: 20_000 }).toContain(`Model changed since approval: ${ALT_NAME} (${ALT_ID}) now says`);
    await screenshot(page, 'signed-03-case-after-activation');

    // ---- re-screen with the new model ----
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'clinic', exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).waitFor();
    await page.getByRole('button', { name: 'Re-screen 2 images with the active model' }).click();
    await waitForScreening(page, 300_000);
    await expect.poll(() => page.getByTestId('provenance').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`2 of 2 predicted by the active model \\(${ALT_NAME}\\)`));
    const after = (await callApi(backend, 'cases.get', { caseId: rightId })).summary;
    expect(after.approval).toEqual(signed);
    expect(after.prediction).toMatchObject({ modelId: ALT_ID, fromActiveModel: true });
    expect(after.sinceApproval).toMatchObject({ modelId: ALT_ID });
    await openCase(page, 'P001_OD.png');
    expect((await page.getByTestId('approved-record').locator('p').first().textContent())!.trim()).toBe(signedLine);
    await page.getByTestId('predicted-by').getByText(`${ALT_NAME} (${ALT_ID})`).waitFor();
    await page.getByTestId('audit-trail').locator('summary').click();
    const trail = page.getByRole('list', { name: 'Audit trail' });
    await trail.getByText(new RegExp(`^model ${ALT_NAME} \\(${ALT_ID}\\) predicted P`)).waitFor();
    await screenshot(page, 'signed-04-case-after-rescreen');

    // ---- roll back ----
    await callApi(backend, 'models.activate', { modelId: BUNDLED_ID });
    const rolledBack = (await callApi(backend, 'cases.get', { caseId: rightId }));
    expect(rolledBack.summary.approval).toEqual(signed);
    expect(rolledBack.summary.sinceApproval).toBeNull();
    expect(rolledBack.audit.map((e) => e.kind)).toEqual(['prediction', 'referral', 'grade', 'notes', 'annotation', 'status', 'status', 'approved', 'model', 'prediction', 'model']);
    expect(rolledBack.audit.filter((e) => e.kind === 'model').map((e) => e.detail)).toEqual([
      `active model changed: ${(await callApi(backend, 'models.list', {})).find((m) => m.id === BUNDLED_ID)!.name} (${BUNDLED_ID}) → ${ALT_NAME} (${ALT_ID}); no prediction from it yet (re-screen to get one); the signed approval is kept`,
      expect.stringMatching(new RegExp(`^active model changed: ${ALT_NAME} \\(${ALT_ID}\\) → .+ \\(${BUNDLED_ID}\\); its prediction: P .+; the signed approval is kept$`)),
    ]);

    // ---- after a reload: the call is still there, the record unchanged, nothing flagged ----
    // The route survives the reload: the same case opens again.
    await page.reload();
    await page.getByTestId('clinician-call').waitFor();
    await page.getByText('Loading image…').waitFor({ state: 'detached', timeout: 30_000 });
    expect(page.url()).toContain(`case=${rightId}`);
    const again = page.getByTestId('clinician-call');
    await expect.poll(() => again.getByRole('button', { name: 'Refer', exact: true }).getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    expect(await again.getByRole('group', { name: 'Glaucoma grade' }).getByRole('button', { name: /^Glaucoma/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await again.getByLabel('Notes').inputValue()).toBe('Rim thinning inferiorly; repeat OCT in 6 months');
    expect(await again.getByLabel('Eye').inputValue()).toBe('right');
    expect(await again.getByLabel('Patient id').inputValue()).toBe('P001');
    expect((await page.getByTestId('approved-record').locator('p').first().textContent())!.trim()).toBe(signedLine);
    expect(await page.getByTestId('model-changed').count()).toBe(0);
    await screenshot(page, 'signed-05-case-after-rollback-reload');

    // ---- both eyes of the patient, and the cases CSV from the app ----
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'clinic', exact: true }).click();
    await page.getByRole('table', { name: 'Review queue' }).waitFor();
    const patients = page.getByRole('region', { name: /Patients/ });
    await patients.locator('summary').click();
    const patientRow = patients.getByRole('row').filter({ hasText: 'P001' });
    await patientRow.getByRole('button', { name: 'P001_OD.png' }).waitFor();
    await patientRow.getByRole('button', { name: 'P001_OS.png' }).waitFor();
    const out = path.join(root, 'export');
    const exportCard = page.getByRole('region', { name: 'Export cases and the study report' });
    await exportCard.getByLabel('Write to folder').fill(out);
    await exportCard.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => fs.existsSync(path.join(out, 'clinic-cases.csv')), { timeout: 20_000 }).toBe(true);
    const csv = fs.readFileSync(path.join(out, 'clinic-cases.csv'), 'utf8');
    expect(csv).toMatch(/^image,patient_id,eye,status,vcdr,probability,decision,decision_model_id,/);
    expect(csv).toContain(`P001_OD.png,P001,right,approved,`);
    expect(csv).toContain(',refer,,glaucoma,dr.e2e,');
    await exportCard.getByRole('button', { name: 'Study report (HTML)' }).click();
    await expect.poll(() => fs.existsSync(path.join(out, 'clinic-study-report.html')), { timeout: 20_000 }).toBe(true);
    expect(fs.readFileSync(path.join(out, 'clinic-study-report.html'), 'utf8')).toContain('<td>Refer</td><td>glaucoma</td><td>Rim thinning inferiorly; repeat OCT in 6 months</td>');
    await screenshot(page, 'signed-06-patients-and-export');
    expect(consoleErrors).toEqual([]);
  });
});
