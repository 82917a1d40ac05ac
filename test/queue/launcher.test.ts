// The app's queue-backed launcher against a redis-server, with the test as the
// worker (an in-process BullMQ Worker, no job process): what the worker
// reports as progress events reaches the app's job manager in order, and an
// item reported twice (by a worker that died just after sending it, and by the
// one that took its job over) reaches it once.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromJob } from '../../src-main/core/jobs/protocol';
import { QUEUE_NAME, queueTarget } from '../../src-main/queue/connection';
import { workerKey, type WorkerRecord } from '../../src-main/queue/jobs';
import { queueLauncher } from '../../src-main/queue/launcher';
import { waitFor } from '../helpers/queue-worker';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';

const hasRedis = requireRedisServer();
let redis: TestRedis;

describe.skipIf(!hasRedis)('the queue-backed launcher', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('passes a screened item on once though a worker that took the job over reports it again', async () => {
    const target = queueTarget(redis.url);
    const announce = new Redis(target.connection);
    const record: WorkerRecord = {
      id: 'test-1-abc',
      host: 'test',
      pid: 1,
      backend: 'cpu',
      backendInfo: { name: 'cpu', device: 'test', tfjsVersion: '0', skipped: [] },
      concurrency: 1,
      modelCache: null,
      startedAt: new Date().toISOString(),
      busy: 0,
      processed: 0,
      stopping: false,
    };
    await announce.set(workerKey(record.id), JSON.stringify(record), 'PX', 60_000);
    const item = (key: string): FromJob => ({ type: 'item', jobId: 'w', item: { key, file: `${key}.png` } } as unknown as FromJob);
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        // c2 comes twice, as when the first worker died right after sending it.
        for (const key of ['c1', 'c2', 'c2', 'c3']) await job.updateProgress(item(key) as object);
        await job.updateProgress({ type: 'item-error', jobId: 'w', key: 'c4', file: 'c4.png', problem: 'unreadable' });
        await job.updateProgress({ type: 'item-error', jobId: 'w', key: 'c4', file: 'c4.png', problem: 'unreadable' });
        return { kind: 'screen', screened: 3, failed: 1, seconds: 0 };
      },
      { connection: target.connection },
    );
    const channel = queueLauncher({ target, pollMs: 50 }).launch();
    const messages: FromJob[] = [];
    channel.onMessage((m) => messages.push(m));
    try {
      await waitFor('ready', () => messages.some((m) => m.type === 'ready'), 20_000);
      channel.send({ type: 'start', jobId: 'app-job', spec: { kind: 'screen', modelDir: '/m', items: [], outDir: '/o', tta: false, heatmaps: false } });
      await waitFor('the outcome', () => messages.some((m) => m.type === 'done'), 20_000);
      const reported = messages.flatMap((m) => (m.type === 'item' ? [m.item.key] : m.type === 'item-error' ? [m.key] : []));
      expect(reported).toEqual(['c1', 'c2', 'c3', 'c4']);
      expect(messages.filter((m) => m.type !== 'ready' && m.type !== 'log').every((m) => 'jobId' in m && m.jobId === 'app-job')).toBe(true);
    } finally {
      channel.send({ type: 'shutdown' });
      await worker.close();
      announce.disconnect();
    }
  });
});
