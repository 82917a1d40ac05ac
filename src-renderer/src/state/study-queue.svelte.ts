// One study's review queue: its cases, how they are sorted and filtered, kept
// fresh while screening writes predictions (case events, folded together).
// Sort and filter are the reader's preferences: they hold when she comes back
// from a case and after a reload.
import type { CaseSummary } from '../../../src-main/core/contract/contract';
import { defaultOrder, filterCases, sortCases, type QueueFilter, type QueueSortKey, type SortOrder } from '../queue/sort';
import type { AppState } from './app.svelte';

export class StudyQueue {
  readonly studyId: string;
  readonly #app: AppState;
  cases = $state.raw<CaseSummary[]>([]);
  sortKey = $state<QueueSortKey>('probability');
  order = $state<SortOrder>('desc');
  filter = $state<QueueFilter>('all');
  /** The case opened last from this queue (to come back to its row), or null. */
  readonly lastCaseId: string | null;
  loading = $state(true);

  readonly visible = $derived(sortCases(filterCases(this.cases, this.filter), this.sortKey, this.order));
  readonly problems = $derived(this.cases.filter((c) => c.problem !== null));

  #refresh: ReturnType<typeof setTimeout> | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(app: AppState, studyId: string) {
    this.#app = app;
    this.studyId = studyId;
    const saved = app.preferences.value.queue;
    this.sortKey = saved.sortKey;
    this.order = saved.order;
    this.filter = saved.filter;
    this.lastCaseId = app.preferences.value.lastCase[studyId] ?? null;
  }

  setFilter(filter: QueueFilter): void {
    this.filter = filter;
    this.#save();
  }

  #save(): void {
    this.#app.preferences.update({ queue: { sortKey: this.sortKey, order: this.order, filter: this.filter } });
  }

  async load(): Promise<void> {
    const cases = await this.#app.attempt('Could not load the cases', () => this.#app.api['cases.list']({ studyId: this.studyId }));
    if (cases) this.cases = cases;
    this.loading = false;
  }

  /** Starts following case events; returns the stop function (for $effect teardown). */
  follow(): () => void {
    const soon = (): void => {
      if (this.#refresh) return;
      this.#refresh = setTimeout(() => {
        this.#refresh = null;
        void this.load();
      }, 400);
    };
    this.#unsubscribe = this.#app.onCaseEvent((event) => {
      if (event.studyId === this.studyId) soon();
    });
    // Another active model: every case's current assessment (and "changed since approval") may differ.
    const unsubscribeModels = this.#app.onModelsChanged(soon);
    return () => {
      this.#unsubscribe?.();
      unsubscribeModels();
      if (this.#refresh) clearTimeout(this.#refresh);
      this.#refresh = null;
    };
  }

  /** A header click: the same column flips the order, a new column starts in its natural order. */
  sortBy(key: QueueSortKey): void {
    if (this.sortKey === key) this.order = this.order === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.order = defaultOrder(key);
    }
    this.#save();
  }

  countBy(filter: QueueFilter): number {
    return filterCases(this.cases, filter).length;
  }
}
