// The app on a job server when a worker dies: the app's services (the
// queue-backed launcher) screen a study on two `glaucoma-studio worker`
// processes; the one running the app's job is SIGKILLed mid-job. BullMQ's
// stalled check hands the job to the other worker, which screens only the
// images the dead one had not reported: every case is screened exactly once
// in the store (one prediction, one 'prediction' audit entry, the unreadable
// photograph's problem once), the job ends done at 100 %, and its progress
// never goes back while the app shows it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src-main/app/services';
import { callApi } from '../../src-main/core/contract/dispatch';
import type { AppEvent } from '../../src-main/core/contract/contract';
import { QUEUE_NAME, queueTarget } from '../../src-main/queue/connection';
import { writeStudyFolder } from '../core/api/study-fixture';
import { useTestBackend } from '../helpers/backend';
import { jobServerServices } from '../helpers/job-server';
import { writeTinyModel } from '../helpers/model';
import { processedBy, startQueueWorker, waitFor, type TestWorker } from '../helpers/queue-worker';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';

const hasRedis = requireRedisServer();
const COPIES = 30;
let tmp: string;
let redis: TestRedis;
let workers: TestWorker[] = [];
let services: Services;

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
});
