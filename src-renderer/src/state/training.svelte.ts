// The fine-tuning panel: how many approved corrections a fine-tune would use,
// starting one, following its curves, and comparing model versions.
import type { Job, ModelVersion, Output } from '../../../src-main/core/contract/contract';
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

  constructor(app: AppState) {
    this.#app = app;
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
