// The distributed screening for real: Debian's redis-server on 127.0.0.1, two
// `glaucoma-studio worker` processes, `screen --queue` over a synthetic
// folder, one worker SIGKILLed while it holds a job. Every photograph must be
// screened exactly once, with the same files as a local run at the same
// operating point (--specificity travels with every job).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME, queueTarget } from '../../src-main/queue/connection';
import { ImageRecordSchema, RECORDS_DIR } from '../../src-main/queue/jobs';
import { addSyntheticDecision, writeTinyModel } from '../helpers/model';
import { useTestBackend } from '../helpers/backend';
import { requireRedisServer, startRedis, type TestRedis } from '../helpers/redis';
import { processedBy, startQueueWorker, waitFor, type TestWorker } from '../helpers/queue-worker';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'glaucoma-studio.mjs');
const hasRedis = requireRedisServer();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-queue-'));
const model = path.join(tmp, 'model');
const folder = path.join(tmp, 'data', 'REFUGE-Test400');
const IMAGES = 16;
/** Not the decision model's stored operating point (0.85): a job that lost it would decide differently. */
const SPECIFICITY = ['--specificity', '0.9'];
let redis: TestRedis;
const workers: ChildProcess[] = [];

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, GLAUCOMA_STUDIO_MODEL: model } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function startWorker(name: string): TestWorker {
  const worker = startQueueWorker(redis.url, { cwd: tmp, modelCache: path.join(tmp, `cache-${name}`) });
  workers.push(worker.child);
  return worker;
}

function screenOnQueue(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'screen', folder, '--out', out, '--model', model, ...SPECIFICITY, '--queue', redis.url], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** summary.csv's rows as fields (no field of this synthetic run holds a comma). */
function summaryRows(dir: string): string[][] {
  return fs.readFileSync(path.join(dir, 'summary.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
}

/** Every output file of a screening, with summary.csv's Milliseconds column (a timing) blanked. */
function outputs(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const add = (rel: string): void => {
    let content = fs.readFileSync(path.join(dir, rel)).toString('base64');
    if (rel === 'summary.csv') {
      const rows = summaryRows(dir);
      const ms = rows[0]!.indexOf('Milliseconds');
      content = rows.map((fields) => fields.map((f, i) => (i === ms ? '' : f)).join(',')).join('\n');
    }
    files.set(rel, content);
  };
  for (const f of ['classification_results.csv', 'fovea_location_results.csv', 'summary.csv', 'report.html']) add(f);
  for (const sub of ['segmentation', 'overlays']) for (const f of fs.readdirSync(path.join(dir, sub)).sort()) add(path.join(sub, f));
  return files;
}

describe.skipIf(!hasRedis)('screening on a job queue (redis-server, two workers, one killed)', () => {
  beforeAll(async () => {
    await useTestBackend();
    await writeTinyModel(model, { size: 32 });
    await addSyntheticDecision(model);
    expect(cli('synth', '--out', 'data', '--count', String(IMAGES), '--width', '320', '--height', '300', '--seed', '7').code).toBe(0);
    redis = await startRedis();
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('screens every photograph exactly once, with the outputs of a local run, though a worker dies mid-job', async () => {
    const local = cli('screen', folder, '--out', 'local', '--model', model, ...SPECIFICITY);
    expect(local.code, local.stderr).toBe(0);
    const [header, ...localRows] = summaryRows(path.join(tmp, 'local'));
    const target = header!.indexOf('Target Specificity');
    expect(localRows.map((r) => r[target])).toEqual(Array.from({ length: IMAGES }, () => '0.90'));

    const a = startWorker('a');
    const b = startWorker('b');
    const queue = new Queue(QUEUE_NAME, { connection: queueTarget(redis.url).connection });
    try {
      const out = path.join(tmp, 'distributed');
      const screening = screenOnQueue(out);
      // Kill worker A while it holds a job (BullMQ records which worker took each active job).
      const held = await waitFor('worker A to take a job', async () => (await queue.getActive()).find((j) => processedBy(a, j.processedBy)));
      a.child.kill('SIGKILL');
      expect(await a.exited).toBeNull();
      const result = await screening;
      expect(result.code, `${result.stderr}\n--- worker A\n${a.log()}\n--- worker B\n${b.log()}`).toBe(0);
      expect(result.stdout).toContain(`screened ${IMAGES} image(s)`);

      // Exactly once: one record and one summary row per photograph, one completed job each, none failed.
      const records = fs.readdirSync(path.join(out, RECORDS_DIR, 'images')).filter((f) => f.endsWith('.json'));
      expect(records).toHaveLength(IMAGES);
      const rows = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
      expect(new Set(rows).size).toBe(IMAGES);
      expect(rows).toHaveLength(IMAGES);
      const completed = await queue.getCompleted(0, -1);
      const ids = completed.map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(IMAGES);
      expect(await queue.getFailedCount()).toBe(0);
      expect(fs.readdirSync(path.join(out, 'segmentation')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

      // The job A held was handed to B after A's lock ran out, and finished there.
      const recovered = completed.find((j) => j.id === held.id)!;
      expect(recovered.processedBy).not.toContain(`-${a.child.pid}-`);
      const heldRecord = ImageRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(out, RECORDS_DIR, 'images', `${(held.data as { item: { stem: string } }).item.stem}.json`), 'utf8')));
      expect(heldRecord.worker).toContain(`-${b.child.pid}-`);

      // The same files as the local run, byte for byte (timings aside).
      expect(outputs(out)).toEqual(outputs(path.join(tmp, 'local')));

      // Resumable: a re-run gathers without screening again; lost outputs are screened again, once.
      const again = await screenOnQueue(out);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`${IMAGES} from an earlier run`);
      fs.rmSync(path.join(out, RECORDS_DIR, 'images', 'T0003.json'));
      fs.rmSync(path.join(out, 'segmentation', 'T0003.bmp'));
      const partial = await screenOnQueue(out);
      expect(partial.code, partial.stderr).toBe(0);
      expect(partial.stdout).toContain(`${IMAGES - 1} from an earlier run`);
      expect(outputs(out)).toEqual(outputs(path.join(tmp, 'local')));

      // queue status names the live worker and its backend.
      const status = cli('queue', 'status', '--queue', redis.url, '--json');
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout) as { workers: Array<{ pid: number; backend: string }>; counts: { failed: number; completed: number } };
      expect(parsed.workers.map((w) => w.pid)).toContain(b.child.pid);
      expect(parsed.workers.find((w) => w.pid === b.child.pid)!.backend).toMatch(/^tensorflow/);
      expect(parsed.counts.failed).toBe(0);

      // SIGTERM: B stops cleanly and withdraws its announcement.
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe(0);
      expect(b.log()).toContain('stopped');
      const after = JSON.parse(cli('queue', 'status', '--queue', redis.url, '--json').stdout) as { workers: Array<{ pid: number }> };
      expect(after.workers.map((w) => w.pid)).not.toContain(b.child.pid);
    } finally {
      await queue.close();
    }
  });
});
