// The app on a job server when a worker dies: the app's services (the
// queue-backed launcher) run jobs on `glaucoma-studio worker` processes and the
// one running the app's job is SIGKILLed mid-job; BullMQ's stalled check hands
// the job to another worker.
// - A screening: the other worker screens only the images the dead one had
//   reported, so every case is screened exactly once in the store (one
//   prediction, one 'prediction' audit entry, the unreadable photograph's
//   problem once), the job ends done at 100 % and its progress never goes back.
// - A fine-tune: the other worker resumes from the dead one's checkpoint (the
//   progress goes on, every epoch is in the curves) and one model version is
//   registered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src-main/app/services';
import { callApi } from '../../src-main/core/contract/dispatch';
import type { AppEvent } from '../../src-main/core/contract/contract';
import { QUEUE_NAME, queueTarget } from '../../src-main/queue/connection';
import { encodeLabelRuns } from '../../src-main/core/contract/label-map';
import { writeStudyFolder } from '../core/api/study-fixture';
import { useTestBackend } from '../helpers/backend';
import { jobServerServices } from '../helpers/job-server';
import { writeTinyModel } from '../helpers/model';
import { processedBy, startQueueWorker, waitFor, type TestWorker } from '../helpers/queue-worker';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';

const hasRedis = requireRedisServer();
const COPIES = 30;
const EPOCHS = 8;
let tmp: string;
let redis: TestRedis;
let workers: TestWorker[] = [];
let services: Services;
/** The study the first test screens and the second fine-tunes on. */
let studyId: string;

const logs = (): string => workers.map((w, i) => `--- worker ${i} (pid ${w.child.pid})\n${w.log()}`).join('\n');

describe.skipIf(!hasRedis)('the app with a job server when a worker dies mid-job', () => {
  beforeAll(async () => {
    await useTestBackend();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-job-server-kill-'));
    const modelDir = path.join(tmp, 'model');
    await writeTinyModel(modelDir, { size: 64 });
    redis = await startRedis();
    workers = ['a', 'b'].map((name) => startQueueWorker(redis.url, { cwd: tmp, modelCache: path.join(tmp, `cache-${name}`) }));
    // Both announced before the job starts, so the survivor is there to take it over.
    await waitFor('two workers', () => workers.every((w) => /job process\(es\) on/.test(w.log())), 120_000);
    services = jobServerServices({ tmp, modelDir, redisUrl: redis.url });
  });

  afterAll(async () => {
    await services?.close();
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('finishes the screening on the other worker with every case screened exactly once', async () => {
    const fixture = await writeStudyFolder(path.join(tmp, 'fixture'));
    const folder = path.join(tmp, 'programme');
    fs.mkdirSync(folder);
    for (let i = 0; i < COPIES; i++) fs.copyFileSync(path.join(fixture.dir, 'P002_L.jpg'), path.join(folder, `eye${String(i).padStart(2, '0')}.jpg`));
    fs.copyFileSync(path.join(fixture.dir, 'truncated.jpg'), path.join(folder, 'truncated.jpg'));
    const { study } = await callApi(services.handlers, 'studies.import', { folder });
    studyId = study.id;
    const events: AppEvent[] = [];
    const unsubscribe = services.events.subscribe((e) => events.push(e));
    const running = (): Array<{ done: number; total: number }> =>
      events.flatMap((e) => (e.type === 'job' && e.job.status === 'running' ? [{ done: e.job.progress.done, total: e.job.progress.total }] : []));

    const queue = new Queue(QUEUE_NAME, { connection: queueTarget(redis.url).connection });
    try {
      const { job } = await callApi(services.handlers, 'screening.start', { studyId: study.id });
      await waitFor('three images screened on the server', () => running().some((p) => p.done >= 3), 120_000);
      const held = await waitFor('the queue job of the screening', async () => (await queue.getActive())[0]);
      const victim = workers.find((w) => processedBy(w, held.processedBy))!;
      const survivor = workers.find((w) => w !== victim)!;
      expect(victim, `active job processed by ${held.processedBy}`).toBeDefined();
      const before = running().length;
      const doneAtKill = services.store.jobs.get(job.id)!.progress.done;
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBeNull();
      expect(doneAtKill, 'killed mid-job').toBeLessThan(COPIES + 1);

      await services.jobs.whenIdle();
      const dto = services.store.jobs.dto(services.store.jobs.get(job.id)!);
      expect(dto.error, logs()).toBeNull();
      expect(dto).toMatchObject({ status: 'done', progress: { done: COPIES + 1, total: COPIES + 1 } });

      // The app showed the job's progress throughout: before and after the kill, never going back.
      const seen = running();
      expect(new Set(seen.slice(before).map((p) => p.done)).size, `progress after the kill: ${JSON.stringify(seen.slice(before))}`).toBeGreaterThan(1);
      const dones = seen.map((p) => p.done);
      expect(dones, 'progress never goes back').toEqual([...dones].sort((x, y) => x - y));
      expect(seen.every((p) => p.total === COPIES + 1), JSON.stringify(seen)).toBe(true);

      // Exactly once in the store: one prediction and one 'prediction' audit entry per readable case, the problem once.
      const model = services.registry.requireActive().row.id;
      const cases = await callApi(services.handlers, 'cases.list', { studyId: study.id });
      expect(cases).toHaveLength(COPIES + 1);
      const readable = cases.filter((c) => c.name !== 'truncated.jpg');
      expect(services.store.predictions.casesWithPrediction(study.id, model)).toEqual(new Set(readable.map((c) => c.id)));
      const screenings = readable.map((c) => services.store.audit.list(c.id).filter((a) => a.kind === 'prediction').length);
      expect(screenings, 'prediction audit entries per case').toEqual(readable.map(() => 1));
      expect(services.store.jobs.problems(job.id)).toHaveLength(1);
      expect(cases.find((c) => c.name === 'truncated.jpg')!.problem).toMatch(/truncated JPEG/);

      // The queue job was handed to the survivor and finished there, once.
      const completed = await queue.getCompleted(0, -1);
      expect(completed.map((j) => j.id)).toEqual([held.id]);
      expect(processedBy(survivor, completed[0]!.processedBy)).toBe(true);
      expect(survivor.log()).toMatch(/taken over from a worker that stopped; \d+ image\(s\) it reported are skipped/);
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      unsubscribe();
      await queue.close();
    }
  });

  it('finishes a fine-tune on another worker from the dead one\'s checkpoint, and registers one model version', async () => {
    // A third worker, as the screening's victim is gone: the fine-tune needs a survivor too.
    const third = startQueueWorker(redis.url, { cwd: tmp, modelCache: path.join(tmp, 'cache-c') });
    workers.push(third);
    await waitFor('the third worker', () => /job process\(es\) on/.test(third.log()), 120_000);
    const cases = (await callApi(services.handlers, 'cases.list', { studyId })).filter((c) => c.name !== 'truncated.jpg').slice(0, 3);
    for (const c of cases) {
      const data = new Uint8Array(c.width! * c.height!);
      for (let y = 20; y < 50; y++) for (let x = 30; x < 50; x++) data[y * c.width! + x] = y > 28 && y < 40 ? 2 : 1;
      await callApi(services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: encodeLabelRuns(data, c.width!, c.height!), fovea: { x: 10, y: 10 }, note: 'x' });
      await callApi(services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    const modelsBefore = services.store.models.list().length;
    const events: AppEvent[] = [];
    const unsubscribe = services.events.subscribe((e) => events.push(e));
    const queue = new Queue(QUEUE_NAME, { connection: queueTarget(redis.url).connection });
    try {
      const { job } = await callApi(services.handlers, 'finetune.start', { epochs: EPOCHS });
      const mine = (): Array<{ done: number; epochs: number }> =>
        events.flatMap((e) => (e.type === 'job' && e.job.id === job.id && e.job.status === 'running' ? [{ done: e.job.progress.done, epochs: e.job.epochs.length }] : []));
      await waitFor('two epochs on the server', () => mine().some((p) => p.epochs >= 2), 120_000);
      const held = await waitFor('the queue job of the fine-tune', async () => (await queue.getActive()).find((j) => j.data?.spec?.kind === 'finetune'));
      const victim = workers.find((w) => processedBy(w, held.processedBy))!;
      const survivor = workers.find((w) => w !== victim && w.child.exitCode === null && w.child.signalCode === null)!;
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBeNull();
      const before = mine().length;

      await services.jobs.whenIdle();
      const dto = services.store.jobs.dto(services.store.jobs.get(job.id)!);
      expect(dto.error, logs()).toBeNull();
      expect(dto.status).toBe('done');
      expect(dto.progress.done).toBe(dto.progress.total);
      expect(dto.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i));
      // Resumed, not restarted: the progress the app shows goes on from where the dead worker was.
      const seen = mine();
      expect(seen.length, 'progress after the kill').toBeGreaterThan(before);
      const dones = seen.map((p) => p.done);
      expect(dones, 'progress never goes back').toEqual([...dones].sort((x, y) => x - y));
      expect(survivor.log()).toContain('fine-tune taken over from a worker that stopped');
      // Exactly one model version, registered from the survivor's package.
      expect(services.store.models.list()).toHaveLength(modelsBefore + 1);
      expect(fs.existsSync(path.join(services.registry.dirOf(services.store.models.get(dto.resultModelId!)!), 'model.json'))).toBe(true);
      const completed = (await queue.getCompleted(0, -1)).filter((j) => j.id === held.id);
      expect(completed).toHaveLength(1);
      expect(processedBy(survivor, completed[0]!.processedBy)).toBe(true);
    } finally {
      unsubscribe();
      await queue.close();
    }
  });
});
