// Model packages in and out of the app, through the real bridge: a package
// trained with the command-line tool is checked and shown (validation metrics
// with the data they were measured on, data card) before it is installed, then
// imported and activated; a damaged copy is refused with the file and the
// problem, and nothing is installed; a version is exported into a new folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLabelRuns, labelsFromMasks } from '../../src-main/core/contract/label-map';
import { generateFundus } from '../../src-main/core/data/synth';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { callApi, pageUrl, REPO_ROOT, startBackend, useFakeBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot } from './support/browser';

/** A tiny model trained by the CLI (2-fold cross-validated, so it records validation metrics); cached between runs. */
function cliTrainedPackage(): string {
  const cache = path.join(REPO_ROOT, 'test-output', 'e2e-cache', 'cli-import');
  const model = path.join(cache, 'run', 'model');
  if (fs.existsSync(path.join(model, 'model.json'))) return model;
  fs.rmSync(cache, { recursive: true, force: true });
  const cli = (args: string[]) => execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'glaucoma-studio.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  cli(['synth', '--out', path.join(cache, 'synth'), '--count', '6', '--seed', '5']);
  cli(['train', '--data', `refuge:${path.join(cache, 'synth')}`, '--out', path.join(cache, 'run'), '--epochs', '2', '--folds', '2', '--width', '0.125', '--size', '64', '--batch', '6', '--augment', 'none', '--name', 'CLI-trained tiny model', '--source', 'synthetic fundus images (CLI import test)']);
  return model;
}

describe.runIf(hasChromium() && !useFakeBackend)('model packages in the app', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let root: string;
  let good: string;
  let damaged: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-packages-'));
    // Copies under the temporary folder: the bridge may read only there (--folders).
    good = path.join(root, 'from-cli', 'model');
    fs.cpSync(cliTrainedPackage(), good, { recursive: true });
    damaged = path.join(root, 'damaged', 'model');
    fs.cpSync(good, damaged, { recursive: true });
    const weights = path.join(damaged, 'main.weights.bin');
    const bytes = fs.readFileSync(weights);
    bytes[100] = bytes[100]! ^ 0xff; // one flipped byte
    fs.writeFileSync(weights, bytes);
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'));
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a damaged package with the file and the problem, and installs nothing', async () => {
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    await page.getByRole('button', { name: 'Import model package…' }).click();
    const panel = page.getByRole('region', { name: 'Import a model package' });
    await panel.getByLabel('Model package folder').fill(damaged);
    await panel.getByRole('button', { name: 'Check package' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/Refused: .*damaged\/model\/main\.weights\.bin: weights file is damaged \(its SHA-256 does not match model\.json\)/);
    expect(await panel.getByRole('button', { name: /^Import/ }).count()).toBe(0);
    await screenshot(page, 'model-import-damaged');
    expect((await callApi(backend, 'models.list', {})).map((m) => m.provenance.kind)).toEqual(['bundled']);
    expect(fs.existsSync(path.join(root, 'user-data', 'models'))).toBe(false);
    // The refusal is an HTTP error answer, which Chromium logs as a failed resource; nothing else may be logged.
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('shows a CLI-trained package before installing it, imports and activates it, and exports it', async () => {
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    await page.getByRole('button', { name: 'Import model package…' }).click();
    const panel = page.getByRole('region', { name: 'Import a model package' });
    await panel.getByLabel('Model package folder').fill(good);
    await panel.getByRole('button', { name: 'Check package' }).click();
    const preview = panel.getByLabel('Package CLI-trained tiny model');
    await preview.waitFor({ timeout: 20_000 });
    // Its validation metrics, by name, with the data they were measured on, and its data card.
    const metrics = preview.getByRole('table', { name: 'Validation metrics of CLI-trained tiny model' });
    expect(await metrics.textContent()).toMatch(/measured on: 2-fold cross-validation on 12 images/);
    expect(await metrics.textContent()).toMatch(/Disc Dice.*Cup Dice.*Sensitivity at 85 % specificity/s);
    expect(await metrics.textContent()).not.toMatch(/odDice|sensitivityAt85/);
    const card = preview.getByLabel('Data card of CLI-trained tiny model');
    expect(await card.textContent()).toMatch(/12 images from synthetic fundus images \(CLI import test\)/);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'model-import-preview');
    // Nothing is installed until asked.
    expect(await callApi(backend, 'models.list', {})).toHaveLength(1);

    await preview.getByRole('button', { name: 'Import and activate' }).click();
    const item = page.getByRole('listitem', { name: 'Model CLI-trained tiny model' });
    await item.waitFor({ timeout: 20_000 });
    await item.getByText('active', { exact: true }).waitFor();
    await page.locator('footer').getByText('CLI-trained tiny model').waitFor();
    await screenshot(page, 'model-import-activated');
    const models = await callApi(backend, 'models.list', {});
    const imported = models.find((m) => m.name === 'CLI-trained tiny model')!;
    expect(imported).toMatchObject({ active: true, provenance: { kind: 'imported', from: good } });
    expect((await callApi(backend, 'app.info', {})).activeModel!.id).toBe(imported.id);

    // Export it for a colleague: a new folder, checked; a second export does not overwrite it.
    const share = path.join(root, 'share');
    await item.getByRole('button', { name: 'Export…' }).click();
    const exportForm = item.getByLabel('Export CLI-trained tiny model');
    await exportForm.getByRole('textbox').fill(share);
    await exportForm.getByRole('button', { name: 'Export package' }).click();
    await page.getByText(/Model package written to /).waitFor({ timeout: 20_000 });
    const written = fs.readdirSync(share);
    expect(written).toHaveLength(1);
    expect(fs.readFileSync(path.join(share, written[0]!, 'main.weights.bin'))).toEqual(fs.readFileSync(path.join(good, 'main.weights.bin')));
    await screenshot(page, 'model-export');
    expect(consoleErrors).toEqual([]);
  });

  it('fine-tunes the imported model on 25 corrections: 5 held back, compared with intervals, curves with readable names', async () => {
    // 25 synthetic photographs whose true disc and cup are the expert's approved corrections.
    const folder = path.join(root, 'clinic');
    fs.mkdirSync(folder, { recursive: true });
    const codec = createSharpCodec();
    const truth = new Map<string, ReturnType<typeof generateFundus>>();
    for (let k = 0; k < 25; k++) {
      const fundus = generateFundus(2000 + k, { width: 320, height: 310, glaucoma: k % 2 === 0 ? 1 : 0 });
      const name = `clinic_${String(k + 1).padStart(2, '0')}.png`;
      await codec.writePng(path.join(folder, name), fundus.image);
      truth.set(name, fundus);
    }
    const { study } = await callApi(backend, 'studies.import', { folder });
    for (const c of await callApi(backend, 'cases.list', { studyId: study.id })) {
      const f = truth.get(c.name)!;
      const labels = encodeLabelRuns(labelsFromMasks(f.od.data, f.oc.data), 320, 310);
      await callApi(backend, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels, fovea: null, note: 'expert outline' });
      // Graded as the synthetic truth: 13 glaucoma, 12 normal, enough cases to refit a decision rule on.
      await callApi(backend, 'cases.setCall', { caseId: c.id, grade: f.glaucoma === 1 ? 'glaucoma' : 'normal' });
      await callApi(backend, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }

    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    await page.getByText(/25 approved corrections: 20 for training, 5 held back to compare/).waitFor({ timeout: 20_000 });
    await page.getByLabel('Epochs').fill('2');
    await page.getByRole('button', { name: /^Fine-tune on 25 approved corrections/ }).click();
    await page.getByText(/New model version .* is ready/).waitFor({ timeout: 300_000 });
    const tuned = (await callApi(backend, 'models.list', {})).find((m) => m.provenance.kind === 'fine-tuned')!;
    expect(tuned.provenance).toEqual({ kind: 'fine-tuned', corrections: 20, heldBack: 5 });
    expect(tuned.comparison!.cases).toBe(5);
    // The tiny model finds no disc on these photographs, so the graded cases cannot refit its rule: the card says it is the parent's.
    expect(tuned.decision).toMatch(/Decision kept from the parent\.$/);

    for (const m of tuned.comparison!.metrics) {
      expect(m.result).not.toBeNull();
      expect(m.result!.n).toBe(5);
      expect(m.result!.low).toBeLessThanOrEqual(m.result!.high);
    }

    // The curves keep readable names; the run's progress reads as a percentage.
    const run = page.getByRole('region', { name: 'Fine-tuning run' });
    expect(await run.textContent()).not.toMatch(/odDice|ocDice|sensitivityAt85|\d\.\d{6,} \//);
    expect(await run.textContent()).toMatch(/100 %/);
    await screenshot(page, 'finetune-run-curves');

    const item = page.getByRole('listitem', { name: `Model ${tuned.name}` });
    const comparison = item.getByLabel(`Comparison of ${tuned.name} with CLI-trained tiny model`);
    await comparison.scrollIntoViewIfNeeded();
    const text = (await comparison.textContent())!;
    expect(text).toMatch(/on the same 5 held-back cases/);
    expect(text).toMatch(/Difference \(95 % interval\)/);
    expect(text).toMatch(/Disc Dice.*Cup Dice.*vCDR error \(lower is better\)/s);
    expect(text).toMatch(/better than the parent|worse than the parent|too few cases to tell|no difference on these cases/);
    // Its training data: the clinic's corrections named apart from the parent's data.
    expect(await item.textContent()).toMatch(/Trained on: 20 cases corrected by experts in this app \(5 more held back to compare\), fine-tuned from CLI-trained tiny model, itself trained on 12 images from synthetic fundus images \(CLI import test\)/);
    await screenshot(page, 'finetune-comparison');
    expect(consoleErrors).toEqual([]);
  });
  it("refits the glaucoma decision on the clinic's graded corrections when the model measures their discs, and the version card says so", async () => {
    // The bundled model measures disc and cup on these photographs; the same 20 + 5 corrections, graded above.
    const bundled = (await callApi(backend, 'models.list', {})).find((m) => m.provenance.kind === 'bundled')!;
    await callApi(backend, 'models.activate', { modelId: bundled.id });
    const before = new Set((await callApi(backend, 'models.list', {})).map((m) => m.id));
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    await page.getByRole('button', { name: 'Fine-tuning' }).click();
    await page.getByLabel('Epochs').fill('1');
    await page.getByRole('button', { name: /^Fine-tune on 25 approved corrections/ }).click();
    // The page still shows the previous run's "ready" line: wait for the new version itself.
    await expect.poll(async () => (await callApi(backend, 'models.list', {})).some((m) => !before.has(m.id)), { timeout: 300_000, interval: 1000 }).toBe(true);
    const tuned = (await callApi(backend, 'models.list', {})).find((m) => !before.has(m.id))!;
    expect(tuned.parentId).toBe(bundled.id);
    expect(tuned.decision).toMatch(/Decision refitted on 25 graded cases of these corrections\.$/);
    expect(tuned.decision).not.toBe(bundled.decision);
    const card = page.getByRole('listitem', { name: `Model ${tuned.name}` });
    await card.scrollIntoViewIfNeeded();
    expect(await card.getByTestId('decision-rule').textContent()).toMatch(/refitted on 25 graded cases/);
    await screenshot(page, 'finetune-refitted-decision');
    expect(consoleErrors).toEqual([]);
  });
});
