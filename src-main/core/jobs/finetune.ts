// What a fine-tune learns from. The corrections are the approved cases that
// carry an expert annotation (every study); about a fifth of them, chosen by a
// hash of the case id so the choice is stable as cases are added, are held back
// to compare the new model with its parent. Each correction goes to the job
// process as a REFUGE-convention mask file (0 cup / 128 rim / 255 background)
// written under the job's run folder, with the expert's fovea. The expert does
// not grade glaucoma in this app, so corrections carry no glaucoma label and
// the glaucoma head learns only from replayed images.
//
// Replay: when the parent's manifest records the dataset it was trained on
// (training.data, a data spec) and that dataset exists on this machine, up to
// REPLAY_LIMITS images of it are mixed in, so the model does not forget what it
// knew; otherwise replay is empty and the preview says 0.
import fs from 'node:fs';
import path from 'node:path';
import type { LabelMapDto } from '../contract/contract';
import { decodeLabelRuns, masksFromLabels } from '../contract/label-map';
import { ApiError } from '../contract/errors';
import { writeBmpGrey } from '../data/bmp';
import type { ImageCodec } from '../data/image-codec';
import { readSampleMasks, type Sample } from '../data/sample';
import { dataSpecPath, openDataset } from '../data/spec';
import { encodeRefugeMask } from '../masks/refuge-mask';
import type { ModelManifest } from '../model/package';
import type { AnnotationRow } from '../store/annotations';
import { newId } from '../store/ids';
import type { FinetuneJobRecord } from '../store/json';
import type { ModelRegistry } from '../registry/model-registry';
import type { Store } from '../store/store';
import type { LabelledImage } from '../train/finetune-spec';

/** Fewer training corrections than this and a fine-tune is refused. */
export const FINETUNE_MIN_TRAINING = 2;
/** Share of the corrections held back for validation (at least one once there are 3). */
export const VALIDATION_FRACTION = 0.2;
/** Fine-tuning starts from a trained model on a few images: a fifth of the paper's learning rate, few epochs. */
export const DEFAULT_FINETUNE = { epochs: 10, learningRate: 2e-5, batchSize: 4 } as const;
/** Replayed images: twice the training corrections, at least 8, at most 64 (when the dataset has that many). */
export const REPLAY_LIMITS = { perCorrection: 2, min: 8, max: 64 } as const;

/** Runs of fine-tunes (checkpoints, correction masks) live in <userData>/runs/<jobId>/. */
export const RUNS_FOLDER = 'runs';

/** 32-bit FNV-1a: a stable hash of a string, the same on every machine and run. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** How many of n corrections are held back: round(20 %), at least 1 from 3 corrections on, none below. */
export function validationCount(n: number): number {
  return n >= 3 ? Math.max(1, Math.round(n * VALIDATION_FRACTION)) : 0;
}

/** Splits corrections by the hash of their id: the lowest hashes are held back for validation. */
export function splitCorrections<T extends { readonly caseId: string }>(items: readonly T[]): { train: T[]; validation: T[] } {
  const ranked = [...items].sort((a, b) => fnv1a(a.caseId) - fnv1a(b.caseId) || (a.caseId < b.caseId ? -1 : 1));
  const k = validationCount(items.length);
  const validation = new Set(ranked.slice(0, k));
  return { train: items.filter((i) => !validation.has(i)), validation: items.filter((i) => validation.has(i)) };
}

export function replayLimit(trainingCorrections: number): number {
  return Math.min(REPLAY_LIMITS.max, Math.max(REPLAY_LIMITS.min, REPLAY_LIMITS.perCorrection * trainingCorrections));
}

/** The data spec the parent model was trained on, when its manifest records one. */
export function trainingDataSpec(manifest: ModelManifest): string | null {
  const data = manifest.training['data'];
  return typeof data === 'string' && data.trim() !== '' ? data : null;
}

/** Writes a label map as a REFUGE-convention 8-bit BMP mask (atomically). */
export function writeRefugeMaskFile(file: string, labels: LabelMapDto): void {
  const { od, oc } = masksFromLabels(decodeLabelRuns(labels));
  const { width, height } = labels;
  writeBmpGrey(file, encodeRefugeMask({ width, height, data: od }, { width, height, data: oc }));
}

export interface FinetunePreview {
  readonly approved: number;
  readonly training: number;
  readonly validation: number;
  readonly replay: number;
  readonly minimum: number;
}

export interface PreparedFinetune {
  readonly jobId: string;
  readonly record: FinetuneJobRecord;
  readonly title: string;
}

interface Correction extends AnnotationRow {
  readonly file: string;
  readonly name: string;
}

export interface FinetunePlannerDeps {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly userDataDir: string;
  readonly codec: ImageCodec;
  readonly now?: () => Date;
}

export class FinetunePlanner {
  constructor(private readonly deps: FinetunePlannerDeps) {}

  async preview(): Promise<FinetunePreview> {
    const corrections = this.#corrections();
    const { train, validation } = splitCorrections(corrections);
    const active = this.deps.registry.active();
    let replay = 0;
    if (active) {
      try {
        replay = Math.min(replayLimit(train.length), (await this.#replaySamples(this.deps.registry.manifest(active))).length);
      } catch {
        replay = 0; // an unreadable parent package is reported when the fine-tune starts
      }
    }
    return { approved: corrections.length, training: train.length, validation: validation.length, replay, minimum: FINETUNE_MIN_TRAINING };
  }

  /** Chooses the data, writes the correction masks under the run folder and returns the job to queue. */
  async prepare(options: { epochs?: number; learningRate?: number }): Promise<PreparedFinetune> {
    const parent = this.deps.registry.requireActive();
    const corrections = this.#corrections();
    const { train, validation } = splitCorrections(corrections);
    if (train.length < FINETUNE_MIN_TRAINING) {
      throw new ApiError(
        'invalid-input',
        `Fine-tuning needs at least ${FINETUNE_MIN_TRAINING} approved corrections to train on; there ${train.length === 1 ? 'is' : 'are'} ${train.length} (plus ${validation.length} held back for validation). Correct and approve more cases first.`,
      );
    }
    const jobId = newId('j');
    const runDir = path.join(this.deps.userDataDir, RUNS_FOLDER, jobId);
    const toLabelled = (c: Correction): LabelledImage => {
      const mask = path.join(runDir, 'corrections', `${c.caseId}.bmp`);
      writeRefugeMaskFile(mask, c.labels);
      return { id: c.caseId, file: c.file, mask, ...(c.fovea ? { fovea: { x: c.fovea.x, y: c.fovea.y } } : {}) };
    };
    const trainImages = train.map(toLabelled);
    const validationImages = validation.map(toLabelled);
    const replay = await this.#replay(parent.manifest, replayLimit(train.length), runDir, fnv1a(jobId));

    const now = (this.deps.now ?? (() => new Date()))();
    const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    const modelId = `ft-${stamp}-${jobId.slice(-4)}`;
    const modelName = `${parent.row.name} + ${train.length} corrections (${now.toISOString().slice(0, 16).replace('T', ' ')})`;
    const record: FinetuneJobRecord = {
      kind: 'finetune',
      parentModelId: parent.row.id,
      parentModelDir: parent.dir,
      outModelDir: path.join(this.deps.registry.modelsDir, modelId),
      runDir,
      train: trainImages,
      validation: validationImages,
      replay,
      epochs: options.epochs ?? DEFAULT_FINETUNE.epochs,
      learningRate: options.learningRate ?? DEFAULT_FINETUNE.learningRate,
      batchSize: Math.min(DEFAULT_FINETUNE.batchSize, trainImages.length + replay.length),
      seed: fnv1a(jobId) & 0x7fffffff,
      modelId,
      modelName,
    };
    const title = `Fine-tune ${parent.row.name} on ${train.length} corrections (${validation.length} held back, ${replay.length} replayed)`;
    return { jobId, record, title };
  }

  /** Approved, annotated cases whose image is still there. */
  #corrections(): Correction[] {
    return this.deps.store.annotations.approvedCorrections().filter((c) => fs.existsSync(c.file));
  }

  #cache: { spec: string; samples: Sample[]; at: number } | null = null;

  /**
   * Labelled training images of the parent's dataset, when it is on this
   * machine. Opening a dataset walks its folders, and the preview is asked for
   * often: the list is kept for a minute.
   */
  async #replaySamples(manifest: ModelManifest): Promise<Sample[]> {
    const spec = trainingDataSpec(manifest);
    if (spec === null) return [];
    const cached = this.#cache;
    if (cached && cached.spec === spec && Date.now() - cached.at < 60_000) return cached.samples;
    let samples: Sample[];
    try {
      if (!fs.existsSync(dataSpecPath(spec))) return [];
      samples = (await openDataset(spec)).dataset.samples.filter((s) => (s.split === undefined || s.split === 'train') && (s.masks !== undefined || s.fovea !== undefined || s.glaucoma !== undefined));
    } catch {
      return [];
    }
    this.#cache = { spec, samples, at: Date.now() };
    return samples;
  }

  async #replay(manifest: ModelManifest, limit: number, runDir: string, seed: number): Promise<LabelledImage[]> {
    const samples = await this.#replaySamples(manifest);
    const chosen = [...samples].sort((a, b) => fnv1a(`${seed}:${a.id}`) - fnv1a(`${seed}:${b.id}`)).slice(0, limit);
    const out: LabelledImage[] = [];
    for (const [i, s] of chosen.entries()) {
      let mask: string | undefined;
      if (s.masks?.kind === 'refuge') mask = s.masks.file;
      else if (s.masks?.kind === 'soft') {
        // Drishti-GS1's soft maps become one consensus REFUGE mask per image; an unreadable one drops the mask only.
        try {
          const { od, oc } = await readSampleMasks(s, this.deps.codec);
          mask = path.join(runDir, 'replay', `${i}.bmp`);
          writeBmpGrey(mask, encodeRefugeMask(od, oc));
        } catch {
          mask = undefined;
        }
      }
      if (mask === undefined && s.fovea === undefined && s.glaucoma === undefined) continue;
      out.push({ id: `replay:${s.id}`, file: s.imageFile, ...(mask ? { mask } : {}), ...(s.fovea ? { fovea: s.fovea } : {}), ...(s.glaucoma !== undefined ? { glaucoma: s.glaucoma } : {}) });
    }
    return out;
  }
}
