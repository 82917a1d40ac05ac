// The model versions the app can screen with. Each is a model package folder:
// the bundled default (resources/model, registered as 'bundled-default' on
// first start and activated when nothing else is), and every fine-tuned
// version under <userData>/models/<id>/. Metrics and data card are copied from
// the package's manifest when the version is registered. Activate = make
// active; rollback = activate the parent.
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { readManifest, type ModelManifest } from '../model/package';
import type { ModelVersionRow, NewModelVersion } from '../store/models';
import type { Store } from '../store/store';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const BUNDLED_MODEL_ID = 'bundled-default';

/** Folder of fine-tuned versions inside the user data folder. */
export const MODELS_FOLDER = 'models';

/** A fine-tuned model and its parent scored on the same held-back corrections. */
export interface FinetuneComparison {
  readonly validation: Readonly<Record<string, number | null>>;
  readonly parentValidation: Readonly<Record<string, number | null>>;
  readonly cases: number;
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
  registerFinetuned(args: { id: string; dir: string; parentId: string; jobId: string; comparison?: FinetuneComparison }): ModelVersionRow {
    const dir = path.resolve(args.dir);
    const manifest = readManifest(dir);
    const relative = path.relative(this.userDataDir, dir);
    const stored = relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
    const fields = versionFields(manifest);
    const comparison = args.comparison;
    if (comparison && Object.keys(comparison.validation).length > 0) {
      const metrics: Record<string, number | null> = { ...comparison.validation };
      for (const [key, value] of Object.entries(comparison.parentValidation)) metrics[`parent.${key}`] = value;
      fields.metrics = metrics;
      fields.metricsNote = `on ${comparison.cases} held-back corrected case${comparison.cases === 1 ? '' : 's'}; parent.* = the parent version on the same cases`;
    }
    const row = this.store.models.insert({
      id: args.id,
      name: manifest.name,
      dir: stored,
      parentId: args.parentId,
      bundled: false,
      jobId: args.jobId,
      ...fields,
    });
    this.#manifests.set(args.id, manifest);
    return row;
  }
}

