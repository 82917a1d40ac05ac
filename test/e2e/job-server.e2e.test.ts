// The app on a job server (issue 12): the real bridge started with
// `--job-server` pointed at a redis-server on 127.0.0.1 and a `glaucoma-studio
// worker` started by the test. A study imported and screened from the UI shows
// the same progress and queue of results as the local path, and the status bar
// says the work ran on the job server's worker. Without redis-server the file
// skips locally and fails under CI (as test/queue/job-server.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';
import { callApi, pageUrl, REPO_ROOT, startBackend, type RunningBackend } from './support/backend';
import { hasChromium, launchChromium, openPage, screenshot, waitForScreening } from './support/browser';
import { writeSyntheticImages } from './support/fixtures';

const IMAGES = 4;

describe.runIf(hasChromium() && requireRedisServer())('screening on a job server from the UI', () => {
  let browser: Browser;
  let backend: RunningBackend;
  let redis: TestRedis;
  let worker: ChildProcess;
  let workerLog = '';
  let root: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-e2e-job-server-'));
    redis = await startRedis();
    // The worker sees the same paths as the app (one machine): the photographs, the model and the user-data folder.
    worker = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'glaucoma-studio.mjs'), 'worker', '--queue', redis.url, '--threads', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.on('data', (c: Buffer) => (workerLog += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (workerLog += c.toString()));
    browser = await launchChromium();
    backend = await startBackend(path.join(root, 'user-data'), { jobServer: redis.url });
  });

  afterAll(async () => {
    await backend?.stop();
    await browser?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await redis?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('imports a study, screens it on the worker with progress, and fills the queue with its predictions', async () => {
    const folder = path.join(root, 'remote');
    await writeSyntheticImages(folder, IMAGES, { width: 320, height: 310 });
    const { page, consoleErrors } = await openPage(browser, pageUrl(backend));
    try {
      await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
      await page.getByRole('checkbox', { name: 'Screen after import' }).uncheck();
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const result = page.getByRole('region', { name: 'Import result' });
      await result.waitFor({ timeout: 60_000 });
      await result.getByRole('button', { name: 'Open the study' }).click();
      await page.getByRole('heading', { name: 'remote', exact: true }).waitFor();

      // Screening started from the study view: the job goes to the queue and the worker's progress comes back.
      await page.getByRole('button', { name: `Screen ${IMAGES} images` }).click();
      await page.getByRole('progressbar', { name: 'Screening progress' }).waitFor({ timeout: 60_000 });
      await page.waitForFunction(
        () => {
          // (Typed by hand: the tests compile without DOM types.)
          type Query = { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
          const bar = (globalThis as unknown as { document: Query }).document.querySelector('[role="progressbar"][aria-label="Screening progress"]');
          return bar === null || Number(bar.getAttribute('aria-valuenow')) >= 1;
        },
        undefined,
        { timeout: 300_000 },
      );
      if ((await page.getByRole('progressbar', { name: 'Screening progress' }).count()) > 0) await screenshot(page, 'job-server-screening');
      await waitForScreening(page, 300_000);
      await page.getByText(`${IMAGES} of ${IMAGES} predicted by the active model`).waitFor({ timeout: 30_000 });

      // The queue: every case has a prediction (a probability shown in its row), as after a local screening.
      const queue = page.getByRole('table', { name: 'Review queue' });
      await expect.poll(() => queue.locator('tbody tr').count(), { timeout: 30_000 }).toBe(IMAGES);
      const studyId = (await callApi(backend, 'studies.list', {})).find((s) => s.name === 'remote')!.id;
      const cases = await callApi(backend, 'cases.list', { studyId });
      expect(cases.filter((c) => c.prediction !== null).map((c) => c.name).sort(), workerLog).toEqual(['synthetic_01.png', 'synthetic_02.png', 'synthetic_03.png', 'synthetic_04.png']);
      for (const c of cases) await queue.getByRole('button', { name: c.name }).waitFor();

      // It ran on the job server: the status bar names the queue and the worker's host.
      const status = page.locator('footer[aria-label="Status"]');
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain(`job server ${redis.url}, worker ${os.hostname()}`);
      await screenshot(page, 'job-server-queue');
      expect(consoleErrors).toEqual([]);
    } catch (error) {
      await screenshot(page, 'failure-job-server');
      throw new Error(`${(error as Error).message}\n--- worker\n${workerLog}\n--- bridge\n${backend.log().slice(-4000)}`);
    }
  });
});
