// Saving the expert's annotation of one case: a quiet time after the last
// edit, one save at a time (each from the revision the previous one made),
// the edits' notes gathered into the revision's note, and a save refused as
// stale (another window saved meanwhile) answered by reloading the case.
import { pointFromDisplay, type CaseDetail, type CaseSummary } from '../../../src-main/core/contract/contract';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import type { AnnotationDocument } from '../editor/document';
import { errorMessage, isConflict } from '../transport/api-error';
import type { EditorApp } from './editor-app';

export type SaveStatus = 'saved' | 'unsaved' | 'saving' | 'error';
export type Revision = CaseDetail['history'][number];

/** Quiet time after the last edit before it is saved. */
export const SAVE_DELAY_MS = 1200;

/** What saving needs from the app. */
export type SaveApp = Pick<EditorApp, 'api' | 'notify' | 'info'>;

export interface AnnotationAutosaveOptions {
  readonly app: SaveApp;
  readonly caseId: string;
  /** A save went through: the case as main now shows it. */
  readonly onSaved: (summary: CaseSummary) => void;
  /** A save was refused as stale: load the case again. */
  readonly onConflict: () => void;
}

export class AnnotationAutosave {
  readonly #options: AnnotationAutosaveOptions;
  #revision = $state(0);
  #history = $state.raw<Revision[]>([]);
  #status = $state<SaveStatus>('saved');
  #error = $state<string | null>(null);
  #document: AnnotationDocument | null = null;
  #savedVersion = 0;
  #notes: string[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #saving: Promise<boolean> | null = null;

  constructor(options: AnnotationAutosaveOptions) {
    this.#options = options;
  }

  /** The stored revision the document started from or was last saved as (0: none yet). */
  get revision(): number {
    return this.#revision;
  }

  get history(): readonly Revision[] {
    return this.#history;
  }

  get status(): SaveStatus {
    return this.#status;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Whether nothing was ever saved and the document is as loaded. */
  get pristine(): boolean {
    return this.#revision === 0 && (this.#document === null || this.#document.version === this.#savedVersion);
  }

  /** Starts over with a freshly loaded document, as saved at `revision`. */
  reset(document: AnnotationDocument, revision: number, history: readonly Revision[]): void {
    this.#document = document;
    this.#savedVersion = document.version;
    this.#revision = revision;
    this.#history = [...history];
    this.#status = 'saved';
    this.#error = null;
    this.#notes = [];
  }

  /** Records what an edit did, for the next revision's note. */
  note(text: string): void {
    this.#notes.push(text);
  }

  /** The document changed: it is saved after a quiet time. */
  changed(): void {
    this.#status = 'unsaved';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.save(false, null);
    }, SAVE_DELAY_MS);
  }

  /** Saves pending edits now; false when saving failed. */
  async flush(): Promise<boolean> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return this.save(false, null);
  }

  /** Whether a save is waiting for its quiet time. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /**
   * Saves the document after any save in flight; without `force`, only when it
   * changed since the last save. `forcedNote` replaces the edits' notes.
   */
  async save(force: boolean, forcedNote: string | null): Promise<boolean> {
    while (this.#saving) await this.#saving;
    const doc = this.#document;
    if (!doc) return true;
    if (!force && doc.version === this.#savedVersion) return true;
    const { app, caseId } = this.#options;
    const version = doc.version;
    const notes = this.#notes;
    this.#notes = [];
    const note = (forcedNote ?? (notes.length > 0 ? [...new Set(notes)].join('; ') : 'edited')).slice(0, 500);
    this.#status = 'saving';
    const request = app.api['cases.saveAnnotation']({
      caseId,
      baseRevision: this.#revision,
      labels: encodeLabelRuns(doc.labels, doc.width, doc.height),
      fovea: doc.fovea ? pointFromDisplay(doc.fovea) : null,
      note,
    });
    const saving = request.then(
      (result) => {
        this.#revision = result.revision;
        this.#history = [...this.#history, { revision: result.revision, author: app.info?.user ?? 'you', at: new Date().toISOString(), note }];
        this.#savedVersion = version;
        this.#error = null;
        this.#status = doc.version === version ? 'saved' : 'unsaved';
        this.#options.onSaved(result.summary);
        if (doc.version !== version) this.changed();
        return true;
      },
      (error: unknown) => {
        if (isConflict(error)) {
          app.notify('error', 'This case was saved elsewhere meanwhile (another window?). It has been reloaded with that version; your last edits were not saved.');
          this.#options.onConflict();
          return false;
        }
        this.#notes = [...notes, ...this.#notes];
        this.#status = 'error';
        this.#error = errorMessage(error);
        app.notify('error', `Could not save the annotation: ${errorMessage(error)}`);
        return false;
      },
    );
    this.#saving = saving;
    try {
      return await saving;
    } finally {
      this.#saving = null;
    }
  }
}
