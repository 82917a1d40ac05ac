// The model versions the app can screen with. Each is a model package folder:
// the bundled default (resources/model, registered as 'bundled-default' on
// first start and activated when nothing else is), and every fine-tuned
// version under <userData>/models/<id>/. Metrics and data card are copied from
// the package's manifest when the version is registered. Activate = make
// active; rollback = activate the parent. Packages come in (import: checked,
// then copied into <userData>/models/ atomically, checked again) and go out
// (export: copied into a new folder, never over an existing one).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelPackagePreview, ModelVersion, PairedCaseScores } from '../contract/contract';
import { ApiError } from '../contract/errors';
import { writeDirAtomic } from '../fs/atomic';
import { decisionSentences, packageFiles, PAPER_RULE_SENTENCE, readManifest, verifyModelPackage, type ModelManifest } from '../model/package';
import { modelVersionDto, type ModelVersionRow, type NewModelVersion } from '../store/models';
import type { Store } from '../store/store';
import { heldBackComparison } from './comparison';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const BUNDLED_MODEL_ID = 'bundled-default';

/** Folder of fine-tuned versions inside the user data folder. */
export const MODELS_FOLDER = 'models';

/** What a finished fine-tune adds to its package: how many corrections it trained on and held back, and the held-back cases scored by both models. */
export interface FinetuneOutcome {
  readonly corrections: number;
  readonly heldBack: number;
  /** Absent when the job process did not score the cases one by one: no comparison is stored then. */
  readonly scores?: readonly PairedCaseScores[];
}

/** The glaucoma decision of a manifest in one line: its rule and operating point. */
export function decisionLine(manifest: ModelManifest): string {
  const s = manifest.decision ? decisionSentences(manifest.decision) : null;
  const line = s ? `${s.rule} ${s.operatingPoint}`.replace(/`/g, '') : PAPER_RULE_SENTENCE;
  // A fine-tune says whether the clinic's graded cases refitted the rule or it is the parent's.
  const how = finetuneRecord(manifest)?.['decision'];
  return typeof how === 'string' ? `${line} Decision ${how}.` : line;
}

/** What a fine-tune recorded in its package (training.finetune); null when it was not fine-tuned. */
function finetuneRecord(manifest: ModelManifest): Readonly<Record<string, unknown>> | null {
  const finetune = manifest.training['finetune'];
  return typeof finetune === 'object' && finetune !== null ? (finetune as Record<string, unknown>) : null;
}

/** How many expert corrections a package was fine-tuned on, as its manifest records (training.finetune.corrections); null when it was not fine-tuned. */
export function finetuneCorrections(manifest: ModelManifest): number | null {
  const corrections = finetuneRecord(manifest)?.['corrections'];
  return typeof corrections === 'number' && Number.isInteger(corrections) && corrections >= 0 ? corrections : null;
}

/** A folder name made of a package id: letters, digits, dot, dash and underscore. */
function folderNameOf(id: string): string {
  return id.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 80) || 'model';
}

/** Copies a package's files into `tmp` (a folder being written atomically). */
function copyPackage(from: string, manifest: ModelManifest, tmp: string): void {
  for (const file of packageFiles(from, manifest)) fs.copyFileSync(path.join(from, file), path.join(tmp, file));
}

export interface ActiveModel {
  readonly row: ModelVersionRow;
  readonly dir: string;
  readonly manifest: ModelManifest;
}

/** What the list shows of a manifest's validation record. */
export function metricsOf(manifest: ModelManifest): { metrics: Record<string, number | null>; note: string } {
  const validation = manifest.validation;
  if (!validation) return { metrics: {}, note: 'no validation metrics recorded in the model package' };
  return { metrics: { ...validation.metrics }, note: validation.note };
}

function versionFields(manifest: ModelManifest): Pick<Mutable<NewModelVersion>, 'packageId' | 'trainedTasks' | 'metrics' | 'metricsNote' | 'dataCard'> {
  const { metrics, note } = metricsOf(manifest);
  const card = manifest.dataCard;
  return {
    packageId: manifest.id,
    trainedTasks: [...manifest.trainedTasks],
    metrics,
    metricsNote: note,
    dataCard: { source: card.source, licence: card.licence, intendedUse: card.intendedUse, images: card.images, ...(card.notes ? { notes: card.notes } : {}) },
  };
}

export class ModelRegistry {
  /** Manifests by version id, read once (readManifest validates every field). */
  readonly #manifests = new Map<string, ModelManifest>();

  constructor(
    private readonly store: Store,
    readonly userDataDir: string,
    readonly bundledDir: string | null,
  ) {}

  get modelsDir(): string {
    return path.join(this.userDataDir, MODELS_FOLDER);
  }

  /** Absolute folder of a version's package. */
  dirOf(row: Pick<ModelVersionRow, 'dir'>): string {
    return path.resolve(this.userDataDir, row.dir);
  }

  /**
   * Registers (or refreshes) the bundled package as 'bundled-default' and
   * activates it when no version is active. Returns a note when the bundled
   * package is absent or unreadable (the app then runs without a default model).
   */
  ensureBundled(): string | null {
    const dir = this.bundledDir === null ? null : path.resolve(this.bundledDir);
    if (dir === null || !fs.existsSync(dir)) {
      return `no bundled model package${dir ? ` at ${dir}` : ''}: screening needs a model version`;
    }
    let manifest: ModelManifest;
    try {
      manifest = readManifest(dir);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    const fields: NewModelVersion = {
      id: BUNDLED_MODEL_ID,
      name: manifest.name,
      dir,
      parentId: null,
      bundled: true,
      jobId: null,
      createdAt: manifest.createdAt,
      ...versionFields(manifest),
    };
    this.store.transaction(() => {
      if (this.store.models.get(BUNDLED_MODEL_ID)) this.store.models.update(fields);
      else this.store.models.insert(fields);
      if (!this.store.models.active()) this.store.models.activate(BUNDLED_MODEL_ID);
    });
    this.#manifests.set(BUNDLED_MODEL_ID, manifest);
    return null;
  }

  list(): ModelVersionRow[] {
    return this.store.models.list();
  }

  get(id: string): ModelVersionRow | null {
    return this.store.models.get(id);
  }

  active(): ModelVersionRow | null {
    return this.store.models.active();
  }

  /** The manifest of a version (cached). Throws InputError when its package is gone or damaged. */
  manifest(row: ModelVersionRow): ModelManifest {
    const cached = this.#manifests.get(row.id);
    if (cached) return cached;
    const manifest = readManifest(this.dirOf(row));
    this.#manifests.set(row.id, manifest);
    return manifest;
  }

  /** A version as the app shows it, with its decision rule in words (null when its package cannot be read). */
  dto(row: ModelVersionRow): ModelVersion {
    let decision: string | null;
    try {
      decision = decisionLine(this.manifest(row));
    } catch {
      decision = null;
    }
    return modelVersionDto(row, decision);
  }

  /** The active version with its package, or an ApiError saying there is no usable model. */
  requireActive(): ActiveModel {
    const row = this.active();
    if (!row) {
      throw new ApiError(
        'not-found',
        this.bundledDir
          ? `No model: the bundled model package is missing (${this.bundledDir}) and no other model version is installed, so images cannot be screened`
          : 'No model: no model version is installed, so images cannot be screened',
      );
    }
    const dir = this.dirOf(row);
    return { row, dir, manifest: this.manifest(row) };
  }

  /** Makes a version active after checking that its package can still be read. */
  activate(id: string, author?: string): ModelVersionRow {
    const row = this.get(id);
    if (!row) throw new ApiError('not-found', `model version ${id} not found`);
    this.manifest(row);
    this.store.models.activate(id, author);
    return this.get(id)!;
  }

  /**
   * Registers a finished fine-tune's package (written atomically by the job
   * process, so a folder with a valid manifest is complete). Not activated: the
   * user compares it with its parent first. With a comparison (the new model
   * and its parent scored on the same held-back corrections), the version's
   * metrics are those, the parent's under 'parent.<name>' keys, so the list can
   * show them side by side; otherwise the manifest's validation record.
   */
  registerFinetuned(args: { id: string; dir: string; parentId: string; jobId: string; outcome: FinetuneOutcome }): ModelVersionRow {
    const dir = path.resolve(args.dir);
    const manifest = readManifest(dir);
    const { outcome } = args;
    const row = this.store.models.insert({
      id: args.id,
      name: manifest.name,
      dir: this.#storedDir(dir),
      parentId: args.parentId,
      bundled: false,
      jobId: args.jobId,
      ...versionFields(manifest),
      provenance: { kind: 'fine-tuned', corrections: outcome.corrections, heldBack: outcome.heldBack },
      comparison: outcome.scores ? heldBackComparison(outcome.scores) : null,
    });
    this.#manifests.set(args.id, manifest);
    return row;
  }

  /** Relative to the user data folder when inside it (the folder can move), absolute otherwise. */
  #storedDir(dir: string): string {
    const relative = path.relative(this.userDataDir, dir);
    return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
  }

  /** The version that holds a package id, if any. */
  #byPackageId(packageId: string): ModelVersionRow | null {
    return this.list().find((m) => m.packageId === packageId) ?? null;
  }

  /** Reads and checks a package folder (manifest, weight files and hashes) and says what it holds. Installs nothing. */
  inspectPackage(folder: string): ModelPackagePreview {
    const dir = path.resolve(folder);
    const manifest = verifyModelPackage(dir);
    const { metrics, note } = metricsOf(manifest);
    return {
      folder: dir,
      packageId: manifest.id,
      name: manifest.name,
      createdAt: manifest.createdAt,
      description: manifest.description ?? null,
      trainedTasks: [...manifest.trainedTasks],
      metrics,
      metricsNote: note,
      dataCard: versionFields(manifest).dataCard,
      parent: manifest.parent,
      decision: decisionLine(manifest),
      installedAs: this.#byPackageId(manifest.id)?.id ?? null,
    };
  }

  /**
   * Imports a package as a new version: checked where it is, copied into
   * <userData>/models/<id>/ in one atomic step, checked again there (a copy
   * damaged on the way is removed). Its parent is the version holding the
   * package it was fine-tuned from, when that is installed. Not activated.
   */
  async importPackage(folder: string): Promise<ModelVersionRow> {
    const source = path.resolve(folder);
    const manifest = verifyModelPackage(source);
    const existing = this.#byPackageId(manifest.id);
    if (existing) throw new ApiError('conflict', `${source}: this model package (id ${manifest.id}) is already installed as "${existing.name}"`);
    const id = `im-${folderNameOf(manifest.id).slice(0, 40)}-${crypto.randomBytes(3).toString('hex')}`;
    const dir = path.join(this.modelsDir, id);
    await writeDirAtomic(dir, (tmp) => copyPackage(source, manifest, tmp));
    let copied: ModelManifest;
    try {
      copied = verifyModelPackage(dir);
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const row = this.store.models.insert({
      id,
      name: copied.name,
      dir: this.#storedDir(dir),
      parentId: copied.parent === null ? null : (this.#byPackageId(copied.parent)?.id ?? null),
      bundled: false,
      jobId: null,
      ...versionFields(copied),
      provenance: { kind: 'imported', from: source, at: new Date().toISOString(), corrections: finetuneCorrections(copied) },
    });
    this.#manifests.set(id, copied);
    return row;
  }

  /**
   * Writes a version's package into a new folder `<folder>/<package id>/`,
   * atomically, after checking its weights; refuses when that folder exists
   * (nothing is overwritten). Returns the folder written.
   */
  async exportPackage(modelId: string, folder: string): Promise<string> {
    const row = this.get(modelId);
    if (!row) throw new ApiError('not-found', `model version ${modelId} not found`);
    const from = this.dirOf(row);
    const manifest = verifyModelPackage(from);
    const out = path.join(path.resolve(folder), folderNameOf(manifest.id));
    if (fs.existsSync(out)) throw new ApiError('conflict', `${out} already exists: nothing was overwritten; choose another folder or move that one away`);
    await writeDirAtomic(out, (tmp) => {
      copyPackage(from, manifest, tmp);
      // Checked in its final form before it takes the name: a copy damaged on the way is never left as a package.
      verifyModelPackage(tmp);
      if (fs.existsSync(out)) throw new ApiError('conflict', `${out} appeared while exporting: nothing was overwritten`);
    });
    return out;
  }
}

