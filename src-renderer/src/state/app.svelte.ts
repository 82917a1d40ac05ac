// The application's state: what main knows (studies, jobs, models, backend)
// kept fresh by app events, where the user is, and messages for the user.
// Views build their own smaller state (a study's queue, a case's editor) on
// top of this one.
import type { Api, AppEvent, Job, ModelVersion, Output, StudySummary } from '../../../src-main/core/contract/contract';
import { describeImport } from '../format';
import { filterCases, sortCases } from '../queue/sort';
import { hashForRoute, routeFromHash, sameRoute, type Route } from '../routing/route-hash';
import { errorMessage } from '../transport/api-error';
import type { Transport } from '../transport/transport';
import { OperatingPointState } from './operating-point.svelte';
import { ReviewPreferences, type PreferenceStorage } from './review-preferences.svelte';

export type { Route } from '../routing/route-hash';

/** How long a notice stays (ms): errors longer, so they can be read; every one can be closed at once. */
export const NOTICE_MS: Readonly<Record<'error' | 'info' | 'success', number>> = { error: 15_000, info: 8_000, success: 4_000 };

/** The address bar, where the route is kept (absent in tests). */
export interface RouteLocation {
  readonly location: { hash: string };
  addEventListener(type: 'hashchange', listener: () => void): void;
  removeEventListener(type: 'hashchange', listener: () => void): void;
}

export interface AppStateOptions {
  readonly storage?: PreferenceStorage;
  readonly window?: RouteLocation | null;
}

export type AppInfo = Output<'app.info'>;
export type ImportResult = Output<'studies.import'>;

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'info' | 'success';
  readonly message: string;
}

export type CaseListener = (event: Extract<AppEvent, { type: 'case' }>) => void;

export class AppState {
  readonly api: Api;
  readonly #transport: Transport;
  /** The reader's way of working, kept across cases and reloads. */
  readonly preferences: ReviewPreferences;
  /** The app-wide operating point (target specificity) and the active model's choices. */
  readonly operatingPoint: OperatingPointState;
  readonly #window: RouteLocation | null;
  info = $state.raw<AppInfo | null>(null);
  studies = $state.raw<StudySummary[]>([]);
  jobs = $state.raw<Job[]>([]);
  models = $state.raw<ModelVersion[]>([]);
  route = $state.raw<Route>({ view: 'library' });
  notices = $state.raw<Notice[]>([]);
  /** The last import's result, shown in the library until the next one. */
  lastImport = $state.raw<ImportResult | null>(null);
  /** Case ids in the order the queue showed them last, for next/previous in the case view. */
  queueOrder = $state.raw<string[]>([]);
  ready = $state(false);
  startError = $state<string | null>(null);

  readonly activeModel = $derived(this.models.find((m) => m.active) ?? this.info?.activeModel ?? null);
  readonly runningJobs = $derived(this.jobs.filter((j) => j.status === 'running' || j.status === 'queued'));

  #nextNotice = 1;
  #infoAsked = false;
  readonly #caseListeners = new Set<CaseListener>();
  readonly #modelListeners = new Set<() => void>();
  #unsubscribe: (() => void) | null = null;
  #studiesRefresh: ReturnType<typeof setTimeout> | null = null;

  constructor(transport: Transport, options: AppStateOptions = {}) {
    this.#transport = transport;
    this.api = transport.api;
    this.preferences = new ReviewPreferences(options.storage ?? null);
    this.operatingPoint = new OperatingPointState(this);
    this.#window = options.window ?? null;
  }

  mediaUrl(path: string): string {
    return this.#transport.mediaUrl(path);
  }

  /** Loads what the first screen needs and starts listening to events. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#transport.subscribe((event) => this.handleEvent(event));
    try {
      const [info, studies, jobs, models] = await Promise.all([this.api['app.info']({}), this.api['studies.list']({}), this.api['jobs.list']({}), this.api['models.list']({})]);
      this.info = info;
      this.studies = studies;
      this.jobs = jobs;
      this.models = models;
      this.#followAddress();
      this.ready = true;
      void this.operatingPoint.load();
    } catch (error) {
      this.startError = errorMessage(error);
    }
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#stopFollowing?.();
  }

  navigate(route: Route): void {
    if (route.view === 'case') this.preferences.rememberCase(route.studyId, route.caseId);
    this.route = route;
    const win = this.#window;
    if (win) {
      const hash = hashForRoute(route, win.location.hash);
      if (hash !== win.location.hash) win.location.hash = hash;
    }
  }

  notify(kind: Notice['kind'], message: string): void {
    const notice = { id: this.#nextNotice++, kind, message };
    // A few at a time: older ones make room; each goes by itself (errors after longer) or with its close button.
    this.notices = [...this.notices.slice(-2), notice];
    setTimeout(() => this.dismiss(notice.id), NOTICE_MS[kind]);
  }

  #stopFollowing: (() => void) | null = null;

  /** Opens the route the address names (a reload), and follows the back and forward buttons. */
  #followAddress(): void {
    const win = this.#window;
    if (!win) return;
    const fromAddress = (): void => {
      const route = this.#known(routeFromHash(win.location.hash));
      if (!sameRoute(route, this.route)) this.route = route;
    };
    fromAddress();
    win.addEventListener('hashchange', fromAddress);
    this.#stopFollowing = () => win.removeEventListener('hashchange', fromAddress);
  }

  /** The route, or the library when it names a study that is not there (removed since). */
  #known(route: Route): Route {
    if ((route.view === 'study' || route.view === 'case') && !this.study(route.studyId)) return { view: 'library' };
    return route;
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs a call, showing its error to the user; null when it failed. */
  async attempt<T>(what: string, action: () => Promise<T>): Promise<T | null> {
    try {
      return await action();
    } catch (error) {
      this.notify('error', `${what}: ${errorMessage(error)}`);
      return null;
    }
  }

  study(studyId: string): StudySummary | null {
    return this.studies.find((s) => s.id === studyId) ?? null;
  }

  /** The newest job of a kind for a study (screening) or overall (fine-tuning: studyId null). */
  latestJob(kind: Job['kind'], studyId: string | null): Job | null {
    let best: Job | null = null;
    for (const job of this.jobs) {
      if (job.kind !== kind || (studyId !== null && job.studyId !== studyId)) continue;
      if (best === null || job.createdAt > best.createdAt) best = job;
    }
    return best;
  }

  /** Called when the active model may have changed (views that show assessments reload). */
  onModelsChanged(listener: () => void): () => void {
    this.#modelListeners.add(listener);
    return () => this.#modelListeners.delete(listener);
  }

  onCaseEvent(listener: CaseListener): () => void {
    this.#caseListeners.add(listener);
    return () => this.#caseListeners.delete(listener);
  }

  /**
   * The queue's order for a study as the reader last sorted and filtered it, for
   * previous / next / approve & next when the queue was not shown first (a reload on a case).
   */
  async loadQueueOrder(studyId: string): Promise<void> {
    const cases = await this.attempt('Could not load the cases', () => this.api['cases.list']({ studyId }));
    if (!cases) return;
    const { filter, sortKey, order } = this.preferences.value.queue;
    this.queueOrder = sortCases(filterCases(cases, filter), sortKey, order).map((c) => c.id);
  }

  async refreshStudies(): Promise<void> {
    const studies = await this.attempt('Could not load the studies', () => this.api['studies.list']({}));
    if (studies) this.studies = studies;
  }

  async refreshInfo(): Promise<void> {
    const info = await this.attempt('Could not read the app status', () => this.api['app.info']({}));
    if (info) this.info = info;
  }

  async refreshModels(): Promise<void> {
    const [models, info] = await Promise.all([
      this.attempt('Could not load the model versions', () => this.api['models.list']({})),
      this.attempt('Could not read the app status', () => this.api['app.info']({})),
    ]);
    if (models) this.models = models;
    if (info) this.info = info;
  }

  async importFolder(folder: string, name: string | undefined, screen: boolean): Promise<ImportResult | null> {
    const result = await this.attempt(`Could not import ${folder}`, () => this.api['studies.import']({ folder, ...(name ? { name } : {}) }));
    if (!result) return null;
    this.lastImport = result;
    this.studies = [...this.studies.filter((s) => s.id !== result.study.id), result.study];
    const { text } = describeImport(result.study.images, result.problems);
    this.notify(result.problems.length > 0 ? 'info' : 'success', `“${result.study.name}”: ${text}.`);
    if (screen && result.study.images > 0) await this.startScreening(result.study.id, false);
    return result;
  }

  async pickFolder(): Promise<string | null> {
    const picked = await this.attempt('Could not open the folder picker', () => this.api['studies.pickFolder']({}));
    return picked?.folder ?? null;
  }

  async removeStudy(studyId: string): Promise<void> {
    const done = await this.attempt('Could not remove the study', () => this.api['studies.remove']({ studyId }));
    if (done?.removed) this.studies = this.studies.filter((s) => s.id !== studyId);
  }

  async startScreening(studyId: string, rescreen: boolean): Promise<void> {
    const started = await this.attempt('Could not start screening', () => this.api['screening.start']({ studyId, rescreen }));
    if (started) this.#upsertJob(started.job);
  }

  async cancelJob(jobId: string): Promise<void> {
    const done = await this.attempt('Could not cancel the job', () => this.api['jobs.cancel']({ jobId }));
    if (done) this.#upsertJob(done.job);
  }

  async resumeJob(jobId: string): Promise<void> {
    const done = await this.attempt('Could not resume the job', () => this.api['jobs.resume']({ jobId }));
    if (done) this.#upsertJob(done.job);
  }

  async activateModel(modelId: string, what: 'activate' | 'rollback'): Promise<void> {
    const done = await this.attempt(what === 'rollback' ? 'Could not roll back' : 'Could not activate the model', () => this.api['models.activate']({ modelId }));
    if (!done) return;
    this.notify('success', what === 'rollback' ? `Rolled back to ${done.model.name}.` : `${done.model.name} is now used for screening.`);
    await this.refreshModels();
  }

  handleEvent(event: AppEvent): void {
    switch (event.type) {
      case 'job': {
        const previous = this.jobs.find((j) => j.id === event.job.id);
        this.#upsertJob(event.job);
        const finished = event.job.status !== 'running' && event.job.status !== 'queued';
        if (finished && previous?.status !== event.job.status) this.#jobFinished(event.job);
        if (event.job.kind === 'screen') this.#refreshStudiesSoon();
        // The backend is known once the job process has started work: show it without waiting for the end.
        if (!this.info?.backend && event.job.status === 'running' && event.job.progress.done > 0 && !this.#infoAsked) {
          this.#infoAsked = true;
          void this.refreshInfo().finally(() => (this.#infoAsked = false));
        }
        break;
      }
      case 'case':
        for (const listener of this.#caseListeners) listener(event);
        this.#refreshStudiesSoon();
        break;
      case 'study':
        this.#refreshStudiesSoon();
        break;
      case 'models':
        // Another active model changes what every study shows (its counts, each case's assessment).
        void this.refreshModels();
        void this.operatingPoint.load();
        this.#refreshStudiesSoon();
        for (const listener of this.#modelListeners) listener();
        break;
      case 'app':
        void this.refreshInfo();
        break;
      case 'operating-point':
        // Every unsigned decision may read differently: the same reloads as another active model.
        void this.operatingPoint.load();
        this.#refreshStudiesSoon();
        for (const listener of this.#modelListeners) listener();
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  #jobFinished(job: Job): void {
    // The job process reports the backend it chose once it has run: show it in the status bar.
    void this.refreshInfo();
    if (job.status === 'failed') this.notify('error', `${job.title} failed: ${job.error ?? 'no reason given'}`);
    else if (job.status === 'done' && job.kind === 'finetune') {
      this.notify('success', `${job.title} finished: a new model version is ready to compare.`);
      void this.refreshModels();
    } else if (job.status === 'done') this.notify('success', `${job.title} finished.`);
    else if (job.status === 'interrupted') this.notify('info', `${job.title} was interrupted; it can be resumed.`);
  }

  #upsertJob(job: Job): void {
    const others = this.jobs.filter((j) => j.id !== job.id);
    this.jobs = [...others, job].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** Screening sends an event per image: fold them into one refresh every half second. */
  #refreshStudiesSoon(): void {
    if (this.#studiesRefresh) return;
    this.#studiesRefresh = setTimeout(() => {
      this.#studiesRefresh = null;
      void this.refreshStudies();
    }, 500);
  }
}
