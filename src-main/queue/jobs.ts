// What travels through the queue, validated where it is read (a queue is a
// boundary: another machine, another version may have written it), and the
// per-image records a distributed screening leaves on shared storage.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DecisionSettings } from '../core/infer/assessment';
import type { PredictionSummary, ScreenedImage } from '../core/infer/types';
import type { JobSpec } from '../core/jobs/protocol';
import { BACKEND_NAMES } from '../core/backend';
import { writeJsonAtomic } from '../core/fs/atomic';

/** One photograph of a folder screening (glaucoma-studio screen --queue). */
export const SCREEN_IMAGE_JOB = 'screen-image';
/** Any job of the job protocol, as the app's queue launcher sends it (screening, fine-tuning). */
export const PROTOCOL_JOB = 'job';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const BackendInfoSchema = z.object({ name: z.enum(BACKEND_NAMES), device: z.string(), tfjsVersion: z.string(), nativeVersion: z.string().optional(), skipped: z.array(z.string()) });

/** The decision settings of a screening (screen --fusion/--specificity), as screen-folder takes them. */
const DecisionSchema = z.object({ fusion: z.enum(['model', 'paper']).optional(), specificity: z.number().min(0.5).max(1).optional() }).strict();

/** What makes two screenings of the same folder and model the same run: their outputs depend on these. */
export interface RunOptions {
  readonly tta: boolean;
  readonly overlays: boolean;
  readonly decision?: DecisionSettings | undefined;
}

/** The decision settings in one canonical form (the defaults written out), for comparing runs. */
function canonicalDecision(decision: DecisionSettings | undefined): { fusion: 'model' | 'paper'; specificity: number | null } {
  return { fusion: decision?.fusion ?? 'model', specificity: decision?.specificity ?? null };
}

export const ScreenImageJobSchema = z.object({
  /** The screening run: output folder, model and options (see runKey). */
  run: z.string().min(1),
  modelDir: z.string().min(1),
  modelSha256: Sha256,
  outDir: z.string().min(1),
  tta: z.boolean(),
  overlays: z.boolean(),
  decision: DecisionSchema.optional(),
  item: z.object({ file: z.string().min(1), name: z.string().min(1), stem: z.string().min(1) }),
});
export type ScreenImageJob = z.infer<typeof ScreenImageJobSchema>;

export const ProtocolJobSchema = z.object({
  spec: z.custom<JobSpec>((v) => typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string', 'a job spec'),
});
export type ProtocolJob = z.infer<typeof ProtocolJobSchema>;

/** Identifies a screening run: the same folder screened into the same output with the same model and options resumes it. */
export function runKey(outDir: string, modelSha256: string, options: RunOptions): string {
  const { fusion, specificity } = canonicalDecision(options.decision);
  return crypto.createHash('sha256').update(JSON.stringify([path.resolve(outDir), modelSha256, options.tta, options.overlays, fusion, specificity])).digest('hex').slice(0, 16);
}

/** The queue's job id of one photograph of a run: adding it again while it waits or runs is a no-op. */
export function screenJobId(run: string, stem: string): string {
  return `${run}-${crypto.createHash('sha256').update(stem).digest('hex').slice(0, 24)}`;
}

/** Folder (under the output folder) of the per-image records. */
export const RECORDS_DIR = '.glaucoma-studio-queue';

export function recordFile(outDir: string, stem: string): string {
  return path.join(outDir, RECORDS_DIR, 'images', `${stem}.json`);
}

export const ImageRecordSchema = z.object({
  /** 2: with the decision settings (a version-1 record, from before them, is screened again). */
  version: z.literal(2),
  modelSha256: Sha256,
  tta: z.boolean(),
  overlays: z.boolean(),
  decision: DecisionSchema,
  image: z.object({
    id: z.string(),
    file: z.string(),
    name: z.string(),
    prediction: z.custom<PredictionSummary | null>((v) => v === null || (typeof v === 'object' && typeof (v as { width?: unknown }).width === 'number'), 'a prediction summary or null'),
    problem: z.string().nullable(),
    ms: z.number(),
  }),
  backend: BackendInfoSchema,
  /** Which worker screened it, on which attempt (for the audit trail, not for the outputs). */
  worker: z.string(),
  attempt: z.number().int(),
});
export type ImageRecord = z.infer<typeof ImageRecordSchema>;

/**
 * Written after the image's outputs, atomically: its presence means the image
 * is done. A retried job rewrites the same files and the same record.
 */
export function writeImageRecord(outDir: string, record: ImageRecord): void {
  writeJsonAtomic(recordFile(outDir, record.image.id), record);
}

/** The record of a stem if it exists and belongs to this model and options; null otherwise. */
export function readImageRecord(outDir: string, stem: string, expect: RunOptions & { modelSha256: string }): ImageRecord | null {
  let raw: string;
  try {
    raw = fs.readFileSync(recordFile(outDir, stem), 'utf8');
  } catch {
    return null;
  }
  let parsed: ImageRecord;
  try {
    parsed = ImageRecordSchema.parse(JSON.parse(raw));
  } catch {
    return null;
  }
  if (parsed.modelSha256 !== expect.modelSha256 || parsed.tta !== expect.tta || parsed.overlays !== expect.overlays) return null;
  if (JSON.stringify(canonicalDecision(parsed.decision)) !== JSON.stringify(canonicalDecision(expect.decision))) return null;
  return parsed;
}

export function screenedImageOf(record: ImageRecord): ScreenedImage {
  return record.image;
}

/** What each worker announces (a Redis key that expires when the worker stops refreshing it). */
export const WorkerRecordSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  backend: z.string(),
  /** The backend in full (the app shows it when it uses this worker's job server); absent from older workers. */
  backendInfo: BackendInfoSchema.optional(),
  concurrency: z.number(),
  modelCache: z.string().nullable(),
  startedAt: z.string(),
  busy: z.number(),
  processed: z.number(),
  stopping: z.boolean(),
});
export type WorkerRecord = z.infer<typeof WorkerRecordSchema>;

export function workerKey(id: string): string {
  return `glaucoma-studio:workers:${id}`;
}
export const WORKER_KEY_PATTERN = 'glaucoma-studio:workers:*';

/** The item keys of an app screening (a `job` job) already sent to the app: a worker taking the job over skips them. */
export function reportedItemsKey(queueJobId: string): string {
  return `glaucoma-studio:reported:${queueJobId}`;
}
/** As long as a failed job is kept (a retried one may still need them). */
export const REPORTED_TTL_MS = 7 * 24 * 3600 * 1000;
