// What a fine-tune learns from. The corrections are the approved cases that
// carry an expert annotation (every study). Each has a role, decided once and
// stored (store/case-roles.ts) the first time a fine-tune uses it: training, or
// held back to compare the new model with its parent. About a fifth are held
// back overall; a held-back case stays held back as cases are added, so no
// fine-tune ever trains on a case that judges it. Each correction goes to the
// job process as a REFUGE-convention mask file (0 cup / 128 rim / 255
// background) written under the job's run folder, with the expert's fovea
// and, when she graded the case glaucoma or normal, its glaucoma label.
//
// Nothing is forgotten without the parent's data: every training correction
// is used again by every later fine-tune (what earlier fine-tunes learnt from
// the user's own cases is rehearsed), and the engine keeps the parent's
// behaviour on them (runFinetune). No path from the parent's manifest is read:
// the dataset a model was trained on lives on the machine that trained it.
import fs from 'node:fs';
import path from 'node:path';
import type { Grade, LabelMapDto } from '../contract/contract';
import { decodeLabelRuns, masksFromLabels } from '../contract/label-map';
import { ApiError } from '../contract/errors';
import { writeBmpGrey } from '../data/bmp';
import { encodeRefugeMask } from '../masks/refuge-mask';
import type { AnnotationRow } from '../store/annotations';
import type { CaseRole } from '../store/case-roles';
import { newId } from '../store/ids';
import type { FinetuneJobRecord } from '../store/json';
import { MIN_HELD_BACK_FOR_COMPARISON } from '../registry/comparison';
import type { ModelRegistry } from '../registry/model-registry';
import type { Store } from '../store/store';
import type { LabelledImage } from '../train/finetune-spec';

/** Fewer training corrections than this and a fine-tune is refused. */
export const FINETUNE_MIN_TRAINING = 2;
/** Share of the corrections held back to compare a fine-tune with its parent. */
export const HELD_BACK_FRACTION = 0.2;
/** Fine-tuning starts from a trained model on a few images: a fifth of the paper's learning rate, few epochs. */
export const DEFAULT_FINETUNE = { epochs: 10, learningRate: 2e-5, batchSize: 4 } as const;

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

/** How many of n cases with a role should be held back: round(20 %), at least 1 from 3 cases on, none below. */
export function heldBackTarget(n: number): number {
  return n >= 3 ? Math.max(1, Math.round(n * HELD_BACK_FRACTION)) : 0;
}

/**
 * Roles for cases that have none yet, given how many cases already have each
 * role: taken in the order of their hash (the same on every machine, whatever
 * order they come in), each is held back while the held-back share is below
 * heldBackTarget. Existing roles are never revisited.
 */
export function assignRoles(existing: { readonly training: number; readonly heldBack: number }, newCaseIds: readonly string[]): Map<string, CaseRole> {
  const ordered = [...newCaseIds].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : a > b ? 1 : 0));
  let training = existing.training;
  let heldBack = existing.heldBack;
  const roles = new Map<string, CaseRole>();
  for (const id of ordered) {
    if (heldBack < heldBackTarget(training + heldBack + 1)) {
      roles.set(id, 'held-back');
      heldBack++;
    } else {
      roles.set(id, 'training');
      training++;
    }
  }
  return roles;
}

/** The corrections by role: stored roles first, new roles for the rest (returned, to be stored when a fine-tune starts). */
export function splitByRole<T extends { readonly caseId: string }>(
  items: readonly T[],
  stored: ReadonlyMap<string, CaseRole>,
  counts: { readonly training: number; readonly heldBack: number },
): { train: T[]; validation: T[]; newRoles: Map<string, CaseRole> } {
  const newRoles = assignRoles(counts, items.filter((i) => !stored.has(i.caseId)).map((i) => i.caseId));
  const roleOf = (i: T): CaseRole => stored.get(i.caseId) ?? newRoles.get(i.caseId)!;
  return { train: items.filter((i) => roleOf(i) === 'training'), validation: items.filter((i) => roleOf(i) === 'held-back'), newRoles };
}

/**
 * The glaucoma label an expert's grade gives a correction: glaucoma 1, normal 0;
 * a suspect (or ungraded) case teaches the glaucoma head nothing either way.
 */
export function glaucomaLabel(grade: Grade | null): 0 | 1 | null {
  return grade === 'glaucoma' ? 1 : grade === 'normal' ? 0 : null;
}

/** Writes a label map as a REFUGE-convention 8-bit BMP mask (atomically). */
export function writeRefugeMaskFile(file: string, labels: LabelMapDto): void {
  const { od, oc } = masksFromLabels(decodeLabelRuns(labels));
  const { width, height } = labels;
  writeBmpGrey(file, encodeRefugeMask({ width, height, data: od }, { width, height, data: oc }));
}

export interface FinetunePreview {
  readonly approved: number;
  /** Corrections the fine-tune would train on (earlier ones included). */
  readonly training: number;
  /** Corrections held back to compare the new model with its parent. */
  readonly validation: number;
  /** Training corrections an earlier fine-tune already used (trained on again, so nothing they taught is forgotten). */
  readonly earlier: number;
  /** Fewest training corrections a fine-tune needs. */
  readonly minimum: number;
  /** Fewest held-back cases for a comparison to be shown. */
  readonly heldBackMinimum: number;
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
  readonly now?: () => Date;
}

export class FinetunePlanner {
  constructor(private readonly deps: FinetunePlannerDeps) {}

  preview(): FinetunePreview {
    const corrections = this.#corrections();
    const stored = this.deps.store.caseRoles.rolesOf(corrections);
    const { train, validation } = splitByRole(corrections, stored, this.deps.store.caseRoles.counts());
    return {
      approved: corrections.length,
      training: train.length,
      validation: validation.length,
      earlier: train.filter((c) => stored.has(c.caseId)).length,
      minimum: FINETUNE_MIN_TRAINING,
      heldBackMinimum: MIN_HELD_BACK_FOR_COMPARISON,
    };
  }

  /**
   * Chooses the data, stores the roles of cases used for the first time, writes
   * the correction masks under the run folder and returns the job to queue.
   */
  prepare(options: { epochs?: number; learningRate?: number }): PreparedFinetune {
    const parent = this.deps.registry.requireActive();
    const corrections = this.#corrections();
    const roles = this.deps.store.caseRoles;
    const { train, validation, newRoles } = splitByRole(corrections, roles.rolesOf(corrections), roles.counts());
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
      const glaucoma = glaucomaLabel(this.deps.store.calls.get(c.caseId)?.grade ?? null);
      return { id: c.caseId, file: c.file, mask, ...(c.fovea ? { fovea: { x: c.fovea.x, y: c.fovea.y } } : {}), ...(glaucoma !== null ? { glaucoma } : {}) };
    };
    const trainImages = train.map(toLabelled);
    const validationImages = validation.map(toLabelled);
    // Decided once: from now on these cases keep their role in every later fine-tune.
    roles.assign(
      corrections.filter((c) => newRoles.has(c.caseId)).map((c) => ({ caseId: c.caseId, file: c.file, role: newRoles.get(c.caseId)! })),
      jobId,
    );

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
      // The user's earlier corrections are all in `train` already; nothing from another machine is replayed.
      replay: [],
      epochs: options.epochs ?? DEFAULT_FINETUNE.epochs,
      learningRate: options.learningRate ?? DEFAULT_FINETUNE.learningRate,
      batchSize: Math.min(DEFAULT_FINETUNE.batchSize, trainImages.length),
      seed: fnv1a(jobId) & 0x7fffffff,
      modelId,
      modelName,
    };
    const title = `Fine-tune ${parent.row.name} on ${train.length} corrections (${validation.length} held back)`;
    return { jobId, record, title };
  }

  /** Approved, annotated cases whose image is still there. */
  #corrections(): Correction[] {
    return this.deps.store.annotations.approvedCorrections().filter((c) => fs.existsSync(c.file));
  }
}
