// The fine-tuning panel: how many approved corrections a fine-tune would use,
// starting one, following its curves, comparing model versions, and bringing
// model packages in (checked and shown before anything is installed) and out.
import type { Job, ModelPackagePreview, ModelVersion, Output } from '../../../src-main/core/contract/contract';
import { errorMessage } from '../transport/api-error';
import type { AppState } from './app.svelte';

export type FinetunePreview = Output<'finetune.preview'>;

export class TrainingState {
  readonly #app: AppState;
  preview = $state.raw<FinetunePreview | null>(null);
  epochs = $state(20);
  starting = $state(false);

  readonly jobs = $derived.by(() => this.#app.jobs.filter((j) => j.kind === 'finetune').toReversed());
  /** The fine-tune to show: the running one, else the newest. */
  readonly current = $derived(this.jobs.find((j) => j.status === 'running' || j.status === 'queued') ?? this.jobs[0] ?? null);
  readonly running = $derived(this.current !== null && (this.current.status === 'running' || this.current.status === 'queued'));
  readonly canStart = $derived(this.preview !== null && this.preview.approved >= this.preview.minimum && !this.running && !this.starting);
  /** Newest first, the active one marked. */
  readonly models = $derived.by(() => this.#app.models.toSorted((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)));

  #packagePreview = $state.raw<ModelPackagePreview | null>(null);
  #packageError = $state<string | null>(null);
  #packageBusy = $state(false);

  constructor(app: AppState) {
    this.#app = app;
  }

  /** The package checked for import, shown before it is installed. */
  get packagePreview(): ModelPackagePreview | null {
    return this.#packagePreview;
  }

  /** Why the package folder was refused (the file and the problem). */
  get packageError(): string | null {
    return this.#packageError;
  }

  get packageBusy(): boolean {
    return this.#packageBusy;
  }

  /** Reads and checks a package folder; installs nothing. */
  async inspectPackage(folder: string): Promise<void> {
    this.#packageBusy = true;
    this.#packagePreview = null;
    this.#packageError = null;
    try {
      this.#packagePreview = await this.#app.api['models.inspectPackage']({ folder: folder.trim() });
    } catch (error) {
      this.#packageError = errorMessage(error);
    } finally {
      this.#packageBusy = false;
    }
  }

  /** Installs the checked package as a new version (and makes it the active one when asked). */
  async importPackage(activate: boolean): Promise<ModelVersion | null> {
    const preview = this.#packagePreview;
    if (!preview) return null;
    this.#packageBusy = true;
    try {
      const { model } = await this.#app.api['models.import']({ folder: preview.folder, activate });
      this.#packagePreview = null;
      await this.#app.refreshModels();
      this.#app.notify('success', activate ? `${model.name} was imported and is now used for screening.` : `${model.name} was imported; activate it to screen with it.`);
      return model;
    } catch (error) {
      this.#packageError = errorMessage(error);
      return null;
    } finally {
      this.#packageBusy = false;
    }
  }

  clearPackage(): void {
    this.#packagePreview = null;
    this.#packageError = null;
  }

  /** Writes a version's package into a new folder inside `folder`; the folder written, or null (the reason is shown). */
  async exportModel(modelId: string, folder: string): Promise<string | null> {
    const done = await this.#app.attempt('Could not export the model', () => this.#app.api['models.export']({ modelId, folder: folder.trim() }));
    if (done) this.#app.notify('success', `Model package written to ${done.folder}.`);
    return done?.folder ?? null;
  }

  async refresh(): Promise<void> {
    const preview = await this.#app.attempt('Could not count the approved corrections', () => this.#app.api['finetune.preview']({}));
    if (preview) this.preview = preview;
  }

  async start(): Promise<void> {
    if (!this.canStart) return;
    this.starting = true;
    try {
      const started = await this.#app.attempt('Could not start fine-tuning', () => this.#app.api['finetune.start']({ epochs: this.epochs }));
      if (started) this.#app.handleEvent({ type: 'job', job: started.job });
    } finally {
      this.starting = false;
    }
  }

  parentOf(model: ModelVersion): ModelVersion | null {
    return model.parentId === null ? null : (this.#app.models.find((m) => m.id === model.parentId) ?? null);
  }

  resultOf(job: Job): ModelVersion | null {
    return job.resultModelId === null ? null : (this.#app.models.find((m) => m.id === job.resultModelId) ?? null);
  }
}
