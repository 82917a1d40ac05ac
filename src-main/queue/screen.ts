// `glaucoma-studio screen FOLDER --out DIR --queue URL`: the folder split into
// one queue job per photograph, screened by every worker on the queue, and
// gathered into the same files as a local run (the same per-image step writes
// them, and the same code writes the CSVs and the report from the results).
//
// Exactly once: each photograph's job id is derived from the run and the
// photograph, so enqueueing it again while it waits or runs is a no-op; a
// worker writes the image's outputs, then its record (atomically) under
// DIR/.glaucoma-studio-queue/, then completes the job. A record means done: a
// re-run skips those images, and a job whose worker died is handed to another
// worker, which rewrites the same files. Images, the model package and the
// output folder must be on storage every worker sees at the same path.
import fs from 'node:fs';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { describeBackend, type BackendInfo } from '../core/backend';
import type { DataProblem } from '../core/data/sample';
import { ConfigError, InputError } from '../core/errors';
import { writeJsonAtomic } from '../core/fs/atomic';
import type { DecisionSettings } from '../core/infer/assessment';
import { planScreening, prepareScreeningOutput, screeningConfig, writeScreeningResults, type ScreeningItem } from '../core/infer/screen-folder';
import type { ScreenedImage } from '../core/infer/types';
import { readManifest } from '../core/model/package';
import { QUEUE_NAME, type QueueTarget } from './connection';
import { readImageRecord, RECORDS_DIR, runKey, SCREEN_IMAGE_JOB, screenJobId, type ImageRecord, type ScreenImageJob } from './jobs';
import { modelContentHash } from './model-cache';

export interface QueueScreenOptions {
  readonly target: QueueTarget;
  readonly folder: string;
  readonly outDir: string;
  readonly modelDir: string;
  readonly tta: boolean;
  readonly overlays: boolean;
  /** Decision rule and operating point, as for a local run (screen --fusion/--specificity). */
  readonly decision?: DecisionSettings;
  /** Tries per photograph before it is reported as failed (a worker that dies counts separately; see the worker's stalled limit). */
  readonly attempts: number;
  readonly onProgress?: (done: number, total: number, etaS: number | null, message: string) => void;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface QueueScreenResult {
  readonly images: readonly ScreenedImage[];
  readonly problems: readonly DataProblem[];
  /** Photographs whose job failed for good (after its retries), with the error. */
  readonly failedJobs: ReadonlyArray<{ readonly file: string; readonly error: string }>;
  /** Photographs already done by an earlier run of the same command. */
  readonly resumed: number;
  readonly seconds: number;
  readonly modelSha256: string;
}

const POLL_MS = 250;

export async function screenFolderOnQueue(options: QueueScreenOptions): Promise<QueueScreenResult> {
  const started = performance.now();
  const outDir = path.resolve(options.outDir);
  const modelDir = path.resolve(options.modelDir);
  const manifest = readManifest(modelDir);
  const modelSha256 = modelContentHash(modelDir);
  const plan = planScreening(path.resolve(options.folder));
  const stems = new Set<string>();
  for (const item of plan.items) stems.add(item.stem);
  const expect = { modelSha256, tta: options.tta, overlays: options.overlays, decision: options.decision };
  const run = runKey(outDir, modelSha256, options);
  prepareScreeningOutput(outDir, options.overlays);
  fs.mkdirSync(path.join(outDir, RECORDS_DIR, 'images'), { recursive: true });
  writeJsonAtomic(path.join(outDir, RECORDS_DIR, 'run.json'), { run, folder: path.resolve(options.folder), modelDir, modelSha256, tta: options.tta, overlays: options.overlays, decision: options.decision ?? {}, images: plan.items.length });

  const records = new Map<string, ImageRecord>();
  for (const item of plan.items) {
    const record = readImageRecord(outDir, item.stem, expect);
    if (record) records.set(item.stem, record);
  }
  const resumed = records.size;
  const pending = plan.items.filter((i) => !records.has(i.stem));
  if (resumed > 0) options.log?.(`resuming: ${resumed} of ${plan.items.length} photograph(s) already screened`);

  const queue = new Queue(QUEUE_NAME, { connection: options.target.connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: options.target.connection });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const failed = new Map<string, string>();
  const byJobId = new Map(pending.map((i) => [screenJobId(run, i.stem), i]));
  const noteFailure = async (jobId: string): Promise<void> => {
    const item = byJobId.get(jobId);
    if (!item || records.has(item.stem)) return;
    const job = await queue.getJob(jobId);
    if (job && (await job.getState()) === 'failed') failed.set(item.stem, job.failedReason || 'failed');
  };
  let wake: (() => void) | null = null;
  events.on('completed', () => wake?.());
  events.on('failed', ({ jobId }) => void noteFailure(jobId).then(() => wake?.()));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await enqueue(queue, pending, { run, modelDir, modelSha256, outDir, tta: options.tta, overlays: options.overlays, ...(options.decision ? { decision: options.decision } : {}) }, options.attempts);

    const total = plan.items.length;
    const t0 = performance.now();
    let lastSweep = 0;
    for (;;) {
      for (const item of pending) {
        if (records.has(item.stem)) continue;
        const record = readImageRecord(outDir, item.stem, expect);
        if (record) {
          records.set(item.stem, record);
          failed.delete(item.stem);
        }
      }
      // Failures the event stream did not tell us about (missed while reconnecting): a slower sweep.
      if (performance.now() - lastSweep > 5000) {
        lastSweep = performance.now();
        for (const item of pending) if (!records.has(item.stem) && !failed.has(item.stem)) await noteFailure(screenJobId(run, item.stem));
      }
      const doneNow = records.size - resumed;
      const elapsed = (performance.now() - t0) / 1000;
      const remaining = total - records.size - failed.size;
      options.onProgress?.(records.size + failed.size, total, doneNow > 0 ? (elapsed / doneNow) * remaining : null, failed.size ? `${failed.size} failed` : 'screening on the queue');
      if (remaining <= 0) break;
      if (options.signal?.aborted) throw new InputError(outDir, 'stopped; the queued photographs go on being screened, and running the same command again gathers them');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
  }

  removeStaleTemporaries(outDir);
  const images: ScreenedImage[] = [];
  const problems: DataProblem[] = [...plan.problems];
  const failedJobs: Array<{ file: string; error: string }> = [];
  for (const item of plan.items) {
    const record = records.get(item.stem);
    if (record) {
      images.push(record.image);
      if (record.image.problem !== null) problems.push({ file: record.image.file, problem: record.image.problem });
    } else {
      const error = failed.get(item.stem) ?? 'not screened';
      failedJobs.push({ file: item.file, error });
      problems.push({ file: item.file, problem: `screening failed on the queue: ${error}` });
    }
  }
  const backend = images.length ? records.get(images[0]!.id)!.backend : null;
  const workers = [...new Set([...records.values()].map((r) => r.worker))].sort();
  const backends = [...new Set([...records.values()].map((r) => describeBackend(r.backend)))].sort();
  const queueInfo = { url: options.target.display, run, modelSha256, resumed, workers, backends };
  writeJsonAtomic(path.join(outDir, 'config.json'), { ...screeningConfig(options.folder, modelDir, manifest, options, backend ?? NO_BACKEND), queue: queueInfo });
  if (backends.length > 1) options.log?.(`note: the workers ran different backends (${backends.join('; ')}); results can differ slightly between them`);
  writeScreeningResults(outDir, images, problems, manifest, backend ?? NO_BACKEND, options.overlays);
  return { images, problems, failedJobs, resumed, seconds: (performance.now() - started) / 1000, modelSha256 };
}

async function enqueue(queue: Queue, items: readonly ScreeningItem[], base: Omit<ScreenImageJob, 'item'>, attempts: number): Promise<void> {
  if (!Number.isInteger(attempts) || attempts < 1) throw new ConfigError(`--attempts: ${attempts} is not a positive integer`);
  const CHUNK = 500;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    // A job left over from an earlier run: failed ones are tried again; completed ones whose record is gone
    // (the output folder was cleared) are screened again; waiting or running ones are left alone.
    const existing = await Promise.all(chunk.map((item) => queue.getJob(screenJobId(base.run, item.stem))));
    for (const job of existing) {
      if (!job) continue;
      const state = await job.getState();
      if (state === 'failed') await job.retry('failed');
      else if (state === 'completed') await job.remove();
    }
    await queue.addBulk(
      chunk.map((item) => ({
        name: SCREEN_IMAGE_JOB,
        data: { ...base, item: { file: item.file, name: item.name, stem: item.stem } } satisfies ScreenImageJob,
        opts: {
          jobId: screenJobId(base.run, item.stem),
          attempts,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
          removeOnFail: false,
        },
      })),
    );
  }
}

/** Half-written files (temp siblings of atomic writes) left by a worker that was killed mid-write. */
function removeStaleTemporaries(outDir: string): void {
  for (const dir of ['segmentation', 'overlays', path.join(RECORDS_DIR, 'images')]) {
    const full = path.join(outDir, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full)) if (/^\..*\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)) fs.rmSync(path.join(full, name), { force: true });
  }
}

/** Nothing was screened, so no worker's backend is known. */
const NO_BACKEND: BackendInfo = { name: 'cpu', device: 'no image screened', tfjsVersion: '', skipped: [] };
