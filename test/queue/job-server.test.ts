// The desktop app on a job server: the app's services with the job-server
// setting pointed at a redis-server on 127.0.0.1 and a `glaucoma-studio
// worker` started by the test. A study is screened on the worker with the same
// progress, results and media as a local job process gives, a cancel reaches
// the job running on the server, and a fine-tune's epochs come back as locally.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src-main/app/services';
import { callApi } from '../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../src-main/core/contract/label-map';
import type { AppEvent } from '../../src-main/core/contract/contract';
import { writeStudyFolder } from '../core/api/study-fixture';
import { jobServerServices } from '../helpers/job-server';
import { useTestBackend } from '../helpers/backend';
import { writeTinyModel } from '../helpers/model';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'glaucoma-studio.mjs');
const hasRedis = requireRedisServer();
let tmp: string;
let redis: TestRedis;
let worker: ChildProcess;
let workerLog = '';
let services: Services;
/** The study the first test screens and the second fine-tunes on. */
let clinicStudyId: string;

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- worker\n${workerLog}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasRedis)('the app with a job server (redis-server and a queue worker)', () => {
  beforeAll(async () => {
    await useTestBackend();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-job-server-'));
    const modelDir = path.join(tmp, 'model');
    await writeTinyModel(modelDir, { size: 64 });
    redis = await startRedis();
    worker = spawn(process.execPath, [bin, 'worker', '--queue', redis.url, '--threads', '1'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.on('data', (c: Buffer) => (workerLog += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (workerLog += c.toString()));
    services = jobServerServices({ tmp, modelDir, redisUrl: redis.url });
  });

  afterAll(async () => {
    await services?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('screens a study on the server with progress, results and media as locally, and cancels there', async () => {
    const folder = await writeStudyFolder(path.join(tmp, 'clinic'));
    const { study } = await callApi(services.handlers, 'studies.import', { folder: folder.dir });
    clinicStudyId = study.id;
    const events: AppEvent[] = [];
    const unsubscribe = services.events.subscribe((e) => events.push(e));

    const { job } = await callApi(services.handlers, 'screening.start', { studyId: study.id });
    await services.jobs.whenIdle();
    const dto = services.store.jobs.dto(services.store.jobs.get(job.id)!);
    expect(dto.error, workerLog).toBeNull();
    expect(dto).toMatchObject({ status: 'done', progress: { done: 5, total: 5 } });
    expect(services.jobs.backend?.device).toContain(`job server ${redis.url}`);
    // The same progress the app shows for a local job: running updates as the worker's job process reports them.
    const done = events.flatMap((e) => (e.type === 'job' && e.job.id === job.id && e.job.status === 'running' ? [e.job.progress.done] : []));
    expect(new Set(done).size, `progress seen: ${done.join(', ')}`).toBeGreaterThan(1);

    const cases = await callApi(services.handlers, 'cases.list', { studyId: study.id });
    expect(cases.filter((c) => c.prediction !== null)).toHaveLength(4);
    expect(cases.find((c) => c.name === 'truncated.jpg')!.problem).toMatch(/truncated JPEG/);
    const detail = await callApi(services.handlers, 'cases.get', { caseId: cases.find((c) => c.name === 'P001_OD.png')!.id });
    expect(detail.predictedLabels).toMatchObject({ width: 96, height: 88 });
    const [p, q] = detail.media.heatmapOd!.split('?');
    expect(await services.media(p!, new URLSearchParams(q))).toMatchObject({ status: 200, contentType: 'image/png' });

    // Cancel reaches the job on the server: it stops at its next image, as locally, and the app says so.
    const many = path.join(tmp, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 40; i++) fs.copyFileSync(path.join(folder.dir, 'P002_L.jpg'), path.join(many, `copy${String(i).padStart(2, '0')}.jpg`));
    const big = await callApi(services.handlers, 'studies.import', { folder: many });
    const second = await callApi(services.handlers, 'screening.start', { studyId: big.study.id });
    await until(() => events.some((e) => e.type === 'job' && e.job.id === second.job.id && e.job.progress.done >= 1), 'the first image screened on the server');
    await callApi(services.handlers, 'jobs.cancel', { jobId: second.job.id });
    await services.jobs.whenIdle();
    const cancelled = services.store.jobs.get(second.job.id)!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.progress.done).toBeLessThan(40);
    unsubscribe();
  });

  it('fine-tunes on the server: the epochs (the curves) come back and the new version is registered', async () => {
    const cases = await callApi(services.handlers, 'cases.list', { studyId: clinicStudyId });
    for (const name of ['P001_OD.png', 'P002_L.jpg', 'camera.bmp']) {
      const c = cases.find((x) => x.name === name)!;
      const data = new Uint8Array(c.width! * c.height!);
      for (let y = 20; y < 50; y++) for (let x = 30; x < 50; x++) data[y * c.width! + x] = y > 28 && y < 40 ? 2 : 1;
      await callApi(services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: encodeLabelRuns(data, c.width!, c.height!), fovea: { x: 10, y: 10 }, note: 'x' });
      await callApi(services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    const finetune = await callApi(services.handlers, 'finetune.start', { epochs: 1 });
    await services.jobs.whenIdle();
    const done = services.store.jobs.dto(services.store.jobs.get(finetune.job.id)!);
    expect(done.error, workerLog).toBeNull();
    expect(done).toMatchObject({ status: 'done', epochs: [{ epoch: 0 }] });
    expect(fs.existsSync(path.join(services.registry.dirOf(services.store.models.get(done.resultModelId!)!), 'model.json'))).toBe(true);
  });
});
