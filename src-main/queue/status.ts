// `glaucoma-studio queue status`: who is working (backend, model cache, load),
// how many jobs wait, run, failed, and the failed ones with their error.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, type QueueTarget } from './connection';
import { WORKER_KEY_PATTERN, WorkerRecordSchema, type WorkerRecord } from './jobs';

export interface FailedJob {
  readonly id: string;
  readonly name: string;
  readonly file: string | null;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string | null;
}

export interface QueueStatus {
  readonly url: string;
  readonly workers: readonly WorkerRecord[];
  readonly counts: Readonly<Record<'waiting' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed' | 'paused', number>>;
  readonly failed: readonly FailedJob[];
}

export async function queueStatus(target: QueueTarget, failedLimit = 20): Promise<QueueStatus> {
  const redis = new Redis({ ...target.connection, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const queue = new Queue(QUEUE_NAME, { connection: target.connection });
  queue.on('error', () => undefined);
  try {
    await redis.connect();
    const workers = await liveWorkers(redis);
    const raw = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'paused');
    const counts = { waiting: raw.waiting ?? 0, prioritized: raw.prioritized ?? 0, delayed: raw.delayed ?? 0, active: raw.active ?? 0, completed: raw.completed ?? 0, failed: raw.failed ?? 0, paused: raw.paused ?? 0 };
    const failedJobs = await queue.getFailed(0, failedLimit - 1);
    const failed = failedJobs.map((job) => {
      const data = job.data as { item?: { file?: unknown }; spec?: { kind?: unknown } } | undefined;
      return {
        id: job.id ?? '?',
        name: job.name,
        file: typeof data?.item?.file === 'string' ? data.item.file : null,
        error: job.failedReason || 'failed',
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      };
    });
    return { url: target.display, workers, counts, failed };
  } finally {
    redis.disconnect();
    await queue.close();
  }
}

/** The workers announced now (each refreshes its key; a stopped or dead one's key expires), by id. */
export async function liveWorkers(redis: Redis): Promise<WorkerRecord[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', WORKER_KEY_PATTERN, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const values = keys.length ? await redis.mget(...keys) : [];
  return values
    .flatMap((v) => {
      try {
        return v ? [WorkerRecordSchema.parse(JSON.parse(v))] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Retries every failed job (after fixing what made them fail); returns how many. */
export async function retryFailed(target: QueueTarget): Promise<number> {
  const queue = new Queue(QUEUE_NAME, { connection: target.connection });
  queue.on('error', () => undefined);
  try {
    let count = 0;
    for (;;) {
      const jobs = await queue.getFailed(0, 499);
      if (jobs.length === 0) return count;
      for (const job of jobs) await job.retry('failed');
      count += jobs.length;
    }
  } finally {
    await queue.close();
  }
}

export function formatQueueStatus(status: QueueStatus): string {
  const c = status.counts;
  const lines = [
    `queue ${status.url}`,
    `jobs: ${c.waiting + c.prioritized} waiting, ${c.delayed} delayed (retry back-off), ${c.active} active, ${c.failed} failed, ${c.completed} completed (kept 7 days)${c.paused ? `, ${c.paused} paused` : ''}`,
    `workers: ${status.workers.length}${status.workers.length ? '' : ' (none has announced itself in the last 15 s)'}`,
    ...status.workers.map((w) => `  ${w.id}: ${w.busy}/${w.concurrency} busy, ${w.processed} done since ${w.startedAt}${w.stopping ? ', stopping' : ''}\n    backend ${w.backend}; model cache ${w.modelCache ?? 'none'}`),
  ];
  if (status.failed.length) {
    lines.push(`failed jobs (${Math.min(status.failed.length, c.failed)} of ${c.failed}; retry them with glaucoma-studio queue retry-failed):`);
    for (const f of status.failed) lines.push(`  ${f.id} ${f.name}${f.file ? ` ${f.file}` : ''}: ${f.error} (${f.attempts} attempt(s)${f.failedAt ? `, ${f.failedAt}` : ''})`);
  }
  return `${lines.join('\n')}\n`;
}
