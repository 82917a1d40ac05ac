// One case being reviewed: its detail from main, the annotation document the
// tools edit, the tools, the live assessment and the review status. How the
// case is shown is CaseViewSettings' (case-view-settings.svelte.ts), saving is
// AnnotationAutosave's (annotation-autosave.svelte.ts). State is private:
// components read getters and call methods.
// Edits cannot go wrong silently: an approved case asks before it is edited,
// undoing back to the approved version approves it again, a cup stroke that
// would leave the disc is clipped with a note, and disconnected islands are
// shown for the reader to remove or keep.
// Big buffers (labels) live in the framework-free AnnotationDocument; Svelte
// only sees a version number that changes with every edit, so an edit never
// makes Svelte walk a 4-million-entry array.
import { pointToDisplay, type CaseDetail, type CaseSummary, type Output } from '../../../src-main/core/contract/contract';
import { decodeLabelRuns, encodeLabelRuns, labelVerticalCupToDiscRatio } from '../../../src-main/core/contract/label-map';
import type { ViewState } from '../canvas/view-transform';
import { LabelChangeBuilder, type ChangeSet } from '../editor/change-set';
import { AnnotationDocument, type AnnotationSnapshot, type DocumentChange } from '../editor/document';
import { nonZeroBounds, type ImagePoint, type PixelRect } from '../editor/geometry';
import { describeIslands, findIslands, islandRemovalRuns, islandsKey, type Island } from '../editor/islands';
import type { Structure } from '../editor/labels';
import { createDefaultToolRegistry } from '../editor/tools/registry';
import type { EditorTool, ToolContext, ToolId, ToolPreview } from '../editor/tools/types';
import { errorMessage } from '../transport/api-error';
import { AnnotationAutosave, type Revision, type SaveStatus } from './annotation-autosave.svelte';
import { CaseViewSettings, type DisplaySettings, type ImageSize, type OverlaySettings } from './case-view-settings.svelte';
import type { EditorApp } from './editor-app';
import type { ReviewPreferences } from './review-preferences.svelte';

export type { HeatmapChoice, DisplaySettings, OverlaySettings } from './case-view-settings.svelte';
export { DEFAULT_DISPLAY } from './case-view-settings.svelte';
export type { Revision, SaveStatus } from './annotation-autosave.svelte';
export type Assessment = Output<'cases.assess'>;

export type { EditorApp } from './editor-app';

/** Least time between two live assessments while editing. */
export const ASSESS_INTERVAL_MS = 300;
const MIN_BRUSH = 1;
const MAX_BRUSH = 200;

/** An old revision opened from the history, shown read-only. */
export interface OpenedRevision {
  readonly revision: number;
  readonly note: string;
  readonly author: string;
  readonly at: string;
  readonly document: AnnotationDocument;
}


export class CaseEditor {
  readonly caseId: string;
  readonly studyId: string;
  readonly #app: EditorApp;
  readonly tools: ReadonlyMap<ToolId, EditorTool> = createDefaultToolRegistry().createAll();
  readonly toolList: readonly EditorTool[] = [...this.tools.values()];
  readonly #viewSettings: CaseViewSettings;
  readonly #autosave: AnnotationAutosave;

  #detail = $state.raw<CaseDetail | null>(null);
  #summary = $state.raw<CaseSummary | null>(null);
  #loadError = $state<string | null>(null);
  #document = $state.raw<AnnotationDocument | null>(null);
  /** The model's label map (for its contours), decoded once. */
  #predictedLabels = $state.raw<Uint8Array | null>(null);
  /** Mirrors document.version so that derived values and the canvas follow edits. */
  #version = $state(0);
  #canUndo = $state(false);
  #canRedo = $state(false);

  #toolId = $state<ToolId>('brush');
  #structure = $state<Structure>('cup');
  #brushRadius = $state(10);
  #preview = $state.raw<ToolPreview | null>(null);

  #localVcdr = $state<number | null>(null);
  #assessment = $state.raw<Assessment | null>(null);
  #assessing = $state(false);
  #busy = $state<string | null>(null);

  /** The reader was asked whether to edit an approved case and has not answered yet. */
  #editRequest = $state(false);
  /** The reader agreed to edit the approved case (until it is approved again). */
  #unlocked = $state(false);
  /** The annotation as approved: undoing back to it approves the case again. */
  #approved: AnnotationSnapshot | null = null;
  #clipNote = $state<string | null>(null);
  #islands = $state.raw<readonly Island[]>([]);
  #keptIslands: string | null = null;
  #opened = $state.raw<OpenedRevision | null>(null);
  #discBounds: PixelRect | null = null;
  readonly #preferences: ReviewPreferences | null;

  readonly #tool = $derived(this.tools.get(this.#toolId)!);
  /** The model's fovea in display coordinates (the pixel's centre), or null. */
  readonly #modelFovea = $derived.by((): ImagePoint | null => {
    const p = this.#detail?.prediction?.fovea;
    return p ? pointToDisplay(p) : null;
  });
  readonly #modelAssessment = $derived.by((): Assessment | null => {
    const p = this.#detail?.prediction;
    return p ? { vcdr: p.vcdr, probability: p.glaucoma.probability, decision: p.glaucoma.decision } : null;
  });

  #pickRadius = 6;
  /** Whether the pointer went down on the canvas for an edit (so a move or release after a refused press does nothing). */
  #pressed = false;
  #hover: ImagePoint | null = null;
  #assessTimer: ReturnType<typeof setTimeout> | null = null;
  #assessSeq = 0;
  #unsubscribeDocument: (() => void) | null = null;
  #disposed = false;

  constructor(app: EditorApp, studyId: string, caseId: string, preferences: ReviewPreferences | null = null) {
    this.#app = app;
    this.studyId = studyId;
    this.caseId = caseId;
    this.#preferences = preferences;
    if (preferences) {
      this.#toolId = preferences.value.tool;
      this.#structure = preferences.value.structure;
    }
    this.#viewSettings = new CaseViewSettings((): ImageSize | null => this.#document, () => this.#discBounds, preferences);
    this.#autosave = new AnnotationAutosave({
      app,
      caseId,
      onSaved: (summary) => {
        this.#summary = summary;
        void this.#approveAgainIfUndone();
      },
      onConflict: () => void this.load(),
    });
  }

  // ---------- what components read ----------

  get detail(): CaseDetail | null {
    return this.#detail;
  }
  get summary(): CaseSummary | null {
    return this.#summary;
  }
  get loadError(): string | null {
    return this.#loadError;
  }
  get document(): AnnotationDocument | null {
    return this.#document;
  }
  get predictedLabels(): Uint8Array | null {
    return this.#predictedLabels;
  }
  /** Changes with every edit of the document (undo and redo included). */
  get version(): number {
    return this.#version;
  }
  get canUndo(): boolean {
    return this.#canUndo;
  }
  get canRedo(): boolean {
    return this.#canRedo;
  }
  get toolId(): ToolId {
    return this.#toolId;
  }
  get tool(): EditorTool {
    return this.#tool;
  }
  get structure(): Structure {
    return this.#structure;
  }
  get brushRadius(): number {
    return this.#brushRadius;
  }
  get preview(): ToolPreview | null {
    return this.#preview;
  }
  get width(): number {
    return this.#document?.width ?? 0;
  }
  get height(): number {
    return this.#document?.height ?? 0;
  }
  get modelFovea(): ImagePoint | null {
    return this.#modelFovea;
  }
  get modelAssessment(): Assessment | null {
    return this.#modelAssessment;
  }
  /** The vCDR of the label map being edited, computed here at every edit. */
  get localVcdr(): number | null {
    return this.#localVcdr;
  }
  /** The last assessment main made of the edited label map. */
  get assessment(): Assessment | null {
    return this.#assessment;
  }
  get assessing(): boolean {
    return this.#assessing;
  }
  /** What a review action is doing ('approving', 'flagging'), or null. */
  get busy(): string | null {
    return this.#busy;
  }
  get revision(): number {
    return this.#autosave.revision;
  }
  get history(): readonly Revision[] {
    return this.#autosave.history;
  }
  get saveStatus(): SaveStatus {
    return this.#autosave.status;
  }
  get saveError(): string | null {
    return this.#autosave.error;
  }
  /** Whether the expert's version differs from the model's (or exists at all). */
  get edited(): boolean {
    return this.#autosave.revision > 0 || this.#canUndo;
  }
  get display(): DisplaySettings {
    return this.#viewSettings.display;
  }
  get overlays(): OverlaySettings {
    return this.#viewSettings.overlays;
  }
  get view(): ViewState | null {
    return this.#viewSettings.view;
  }
  get viewport(): ImageSize {
    return this.#viewSettings.viewport;
  }
  get zoomMode(): 'disc' | 'fit' {
    return this.#viewSettings.zoomMode;
  }
  /** Why this case cannot be edited or approved (unreadable image), or null. */
  get readOnlyReason(): string | null {
    if (this.#loadError) return this.#loadError;
    const problem = this.#summary?.problem;
    return problem ? `This image cannot be used: ${problem}` : null;
  }
  /** Whether the case is approved and the reader has not agreed to edit it. */
  get locked(): boolean {
    return this.#summary?.status === 'approved' && !this.#unlocked;
  }
  /** An edit of the approved case is waiting for the reader's answer (confirmEdit / cancelEdit). */
  get editRequest(): boolean {
    return this.#editRequest;
  }
  /** Said when a cup edit was kept inside the disc, until the next edit. */
  get clipNote(): string | null {
    return this.#clipNote;
  }
  /** Disconnected islands of disc or cup not yet removed or kept. */
  get islands(): readonly Island[] {
    return this.#islands;
  }
  get islandsText(): string {
    return describeIslands(this.#islands);
  }
  /** The old revision shown read-only, or null for the current version. */
  get opened(): OpenedRevision | null {
    return this.#opened;
  }
  /** What the canvas shows: the opened revision, else the document being edited. */
  get shownDocument(): AnnotationDocument | null {
    return this.#opened?.document ?? this.#document;
  }

  // ---------- loading ----------

  async load(): Promise<void> {
    let detail: CaseDetail;
    try {
      detail = await this.#app.api['cases.get']({ caseId: this.caseId });
    } catch (error) {
      this.#loadError = errorMessage(error);
      return;
    }
    if (this.#disposed) return;
    const width = detail.annotation?.labels.width ?? detail.predictedLabels?.width ?? detail.prediction?.width ?? detail.summary.width;
    const height = detail.annotation?.labels.height ?? detail.predictedLabels?.height ?? detail.prediction?.height ?? detail.summary.height;
    if (!width || !height) {
      this.#detail = detail;
      this.#summary = detail.summary;
      this.#loadError = detail.summary.problem ?? 'The image size is unknown: the image could not be read.';
      return;
    }
    const predicted = detail.predictedLabels ? decodeLabelRuns(detail.predictedLabels) : null;
    const labels = detail.annotation ? decodeLabelRuns(detail.annotation.labels) : predicted;
    const stored = detail.annotation ? detail.annotation.fovea : (detail.prediction?.fovea ?? null);
    const fovea = stored ? pointToDisplay(stored) : null;

    this.#unsubscribeDocument?.();
    const doc = new AnnotationDocument(width, height, labels, fovea);
    this.#unsubscribeDocument = doc.subscribe((change) => this.#documentChanged(doc, change));
    this.#detail = detail;
    this.#summary = detail.summary;
    this.#predictedLabels = predicted;
    this.#discBounds = nonZeroBounds(predicted ?? doc.labels, width, height);
    this.#document = doc;
    this.#version = doc.version;
    this.#canUndo = false;
    this.#canRedo = false;
    this.#autosave.reset(doc, detail.annotation?.revision ?? 0, detail.history);
    this.#loadError = null;
    this.#opened = null;
    this.#editRequest = false;
    this.#unlocked = false;
    this.#clipNote = null;
    this.#keptIslands = null;
    this.#approved = detail.summary.status === 'approved' ? doc.snapshot() : null;
    this.#findIslands();
    // The reader's brush size, else about a tenth of a typical disc's diameter: coarse enough to reshape a cup in a few strokes.
    this.#brushRadius = this.#preferences?.value.brushRadius ?? Math.min(60, Math.max(2, Math.round(Math.max(width, height) / 120)));
    this.#localVcdr = labelVerticalCupToDiscRatio(doc.labels, width, height, doc.labelBounds());
    this.#assessment = detail.summary.corrected ? { vcdr: detail.summary.corrected.vcdr, probability: detail.summary.corrected.probability, decision: detail.summary.corrected.decision } : null;
    for (const tool of this.toolList) tool.cancel();
    this.#preview = null;
    this.#viewSettings.open();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#autosave.pending) void this.flush();
    if (this.#assessTimer) clearTimeout(this.#assessTimer);
    this.#unsubscribeDocument?.();
  }

  // ---------- view ----------

  setViewport(width: number, height: number): void {
    this.#viewSettings.setViewport(width, height);
  }

  fit(): void {
    this.#viewSettings.fit();
  }

  /** Centred on the detected disc. */
  focusDisc(): void {
    this.#viewSettings.focusDisc();
  }

  zoomBy(factor: number, screenX?: number, screenY?: number): void {
    this.#viewSettings.zoomBy(factor, screenX, screenY);
  }

  panBy(dx: number, dy: number): void {
    this.#viewSettings.panBy(dx, dy);
  }

  /** A click's tolerance in image pixels: 6 screen pixels at the current zoom. */
  setScale(scale: number): void {
    this.#pickRadius = 6 / scale;
  }

  setDisplay(key: keyof DisplaySettings, value: number): void {
    this.#viewSettings.setDisplay(key, value);
  }

  resetDisplay(): void {
    this.#viewSettings.resetDisplay();
  }

  setOverlay<K extends keyof OverlaySettings>(key: K, value: OverlaySettings[K]): void {
    this.#viewSettings.setOverlay(key, value);
  }

  // ---------- tools ----------

  setTool(id: ToolId): void {
    if (id === this.#toolId) return;
    this.#tool.cancel();
    this.#toolId = id;
    this.#preferences?.update({ tool: id });
    this.#updatePreview();
  }

  setStructure(structure: Structure): void {
    this.#structure = structure;
    this.#preferences?.update({ structure });
    this.#updatePreview();
  }

  setBrushRadius(radius: number): void {
    this.#brushRadius = Math.min(MAX_BRUSH, Math.max(MIN_BRUSH, Math.round(radius)));
    this.#preferences?.update({ brushRadius: this.#brushRadius });
    this.#updatePreview();
  }

  pointerDown(point: ImagePoint, clicks: number): void {
    this.#hover = point;
    if (!this.#mayEdit()) return;
    this.#clipNote = null;
    this.#pressed = true;
    this.#commit(this.#tool.pointerDown(this.#context(), { point, clicks }));
    this.#updatePreview();
  }

  pointerMove(point: ImagePoint, pressed: boolean): void {
    this.#hover = point;
    if (pressed && !this.#pressed) {
      this.#updatePreview();
      return;
    }
    this.#commit(this.#tool.pointerMove(this.#context(), { point, clicks: 1 }, pressed));
    this.#updatePreview();
  }

  pointerUp(point: ImagePoint): void {
    this.#hover = point;
    if (!this.#pressed) return;
    this.#pressed = false;
    this.#commit(this.#tool.pointerUp(this.#context(), { point, clicks: 1 }));
    this.#updatePreview();
  }

  pointerLeave(): void {
    this.#hover = null;
    this.#updatePreview();
  }

  undo(): void {
    if (this.#mayEdit()) this.#document?.undo();
  }

  redo(): void {
    if (this.#mayEdit()) this.#document?.redo();
  }

  /** The reader agreed to edit the approved case: it becomes corrected at the next save, until approved again. */
  confirmEdit(): void {
    this.#editRequest = false;
    this.#unlocked = true;
  }

  cancelEdit(): void {
    this.#editRequest = false;
  }

  /** Removes the disconnected islands (one undoable step). */
  removeIslands(): void {
    const doc = this.#document;
    if (!doc || this.#islands.length === 0 || !this.#mayEdit()) return;
    const n = this.#islands.length;
    this.#commit({ runs: islandRemovalRuns(doc.labels, this.#islands), fovea: null, note: `removed ${n} island${n === 1 ? '' : 's'}`, mergeKey: null, at: Date.now() });
    this.#findIslands();
  }

  /** Keeps the islands as they are: not flagged again while they stay the same. */
  keepIslands(): void {
    this.#keptIslands = islandsKey(this.#islands);
    this.#islands = [];
  }

  /** Shows an old revision read-only (tools off) until closed or restored. */
  async openRevision(revision: number): Promise<void> {
    const doc = this.#document;
    if (!doc) return;
    if (revision === this.#autosave.revision && !this.#autosave.pending) {
      this.#opened = null;
      return;
    }
    const found = await this.#app.attempt(`Could not open revision ${revision}`, () => this.#app.api['cases.revision']({ caseId: this.caseId, revision }));
    if (!found || this.#disposed) return;
    const labels = decodeLabelRuns(found.labels);
    if (labels.length !== doc.labels.length) {
      this.#app.notify('error', `Revision ${revision} has a ${found.labels.width}x${found.labels.height} label map, not this image's ${doc.width}x${doc.height}.`);
      return;
    }
    for (const tool of this.toolList) tool.cancel();
    this.#opened = { revision, note: found.note, author: found.author, at: found.at, document: new AnnotationDocument(doc.width, doc.height, labels, found.fovea ? pointToDisplay(found.fovea) : null) };
  }

  closeRevision(): void {
    this.#opened = null;
  }

  /** Makes the opened revision the current version again: one undoable edit, saved as a new revision (history is kept). */
  restoreRevision(): void {
    const opened = this.#opened;
    const doc = this.#document;
    if (!opened || !doc) return;
    this.#opened = null;
    if (!this.#mayEdit()) {
      this.#opened = opened;
      return;
    }
    const builder = new LabelChangeBuilder(doc.labels);
    const target = opened.document.labels;
    for (let i = 0; i < target.length; i++) if (doc.labels[i] !== target[i]) builder.set(i, target[i]!);
    const cs: ChangeSet = { runs: builder.runs(), fovea: { before: doc.fovea, after: opened.document.fovea }, note: `restored revision ${opened.revision}`, mergeKey: null, at: Date.now() };
    if (!doc.commit(cs)) {
      this.#app.notify('info', `Revision ${opened.revision} is the same as the current version.`);
      return;
    }
    this.#autosave.note(cs.note);
  }

  /** Makes the expert's version the model's output again (one undoable step). */
  revertToModel(): void {
    const doc = this.#document;
    if (!doc || !this.#mayEdit()) return;
    const target = this.#predictedLabels ?? new Uint8Array(doc.labels.length);
    const builder = new LabelChangeBuilder(doc.labels);
    for (let i = 0; i < target.length; i++) if (doc.labels[i] !== target[i]) builder.set(i, target[i]!);
    const fovea = this.#modelFovea;
    this.#commit({ runs: builder.runs(), fovea: { before: doc.fovea, after: fovea }, note: "reverted to the model's output", mergeKey: null, at: Date.now() });
  }

  /**
   * Keyboard shortcuts of the case view. Returns whether the key was used.
   * b e p l f: tools; d c: disc or cup; [ ]: brush size; ctrl+z, ctrl+shift+z
   * (or ctrl+y): undo, redo; a: approve; u: ungradable; 0: fit; + -: zoom;
   * Enter, Escape, Backspace: the tool's own (close or drop a polygon).
   */
  handleKey(key: string, modifiers: { ctrl: boolean; shift: boolean; alt: boolean }): boolean {
    if (modifiers.ctrl) {
      const k = key.toLowerCase();
      if (k === 'z' && !modifiers.shift) this.undo();
      else if ((k === 'z' && modifiers.shift) || k === 'y') this.redo();
      else return false;
      return true;
    }
    if (modifiers.alt) return false;
    if (key === 'Enter' || key === 'Escape' || key === 'Backspace') {
      if (key === 'Escape' && (this.#editRequest || this.#opened)) {
        this.#editRequest = false;
        this.#opened = null;
        return true;
      }
      if (this.#opened) return false;
      const result = this.#tool.key(this.#context(), key);
      this.#commit(result.change);
      this.#updatePreview();
      return result.handled;
    }
    const tool = this.toolList.find((t) => t.shortcut === key);
    if (tool) {
      this.setTool(tool.id);
      return true;
    }
    switch (key) {
      case 'd':
        this.setStructure('disc');
        return true;
      case 'c':
        this.setStructure('cup');
        return true;
      case '[':
        this.setBrushRadius(Math.min(this.#brushRadius - 1, this.#brushRadius / 1.25));
        return true;
      case ']':
        this.setBrushRadius(Math.max(this.#brushRadius + 1, this.#brushRadius * 1.25));
        return true;
      case 'a':
        void this.approve();
        return true;
      case 'u':
        void this.flagUngradable();
        return true;
      case '0':
        this.fit();
        return true;
      case 'o':
        this.focusDisc();
        return true;
      case '+':
      case '=':
        this.zoomBy(1.25);
        return true;
      case '-':
        this.zoomBy(0.8);
        return true;
      default:
        return false;
    }
  }

  // ---------- review ----------

  /** Approves the case; true when it is approved. */
  async approve(): Promise<boolean> {
    const doc = this.#document;
    if (!doc || this.#busy || this.readOnlyReason) return false;
    if (this.#summary?.status === 'approved' && !this.#autosave.pending && this.#autosave.status === 'saved') return true;
    if (doc.labelBounds() === null) {
      this.#app.notify('error', 'Nothing to approve: draw the disc first, or flag the image as ungradable.');
      return false;
    }
    this.#busy = 'approving';
    try {
      // Approving the model's output unchanged still records it as the expert's version.
      const saved = this.#autosave.pristine ? await this.#autosave.save(true, "approved the model's output") : await this.flush();
      if (!saved) return false;
      if (!(await this.#setStatus('approved'))) return false;
      this.#approved = doc.snapshot();
      this.#unlocked = false;
      this.#clipNote = null;
      return true;
    } finally {
      this.#busy = null;
    }
  }

  async flagUngradable(reason?: string): Promise<void> {
    if (this.#busy) return;
    this.#busy = 'flagging';
    this.#approved = null;
    try {
      await this.flush();
      await this.#setStatus('ungradable', reason);
    } finally {
      this.#busy = null;
    }
  }

  /** Back to work: an approved or ungradable case becomes corrected (or unreviewed without an annotation). */
  async reopen(): Promise<void> {
    this.#approved = null;
    this.#unlocked = true;
    await this.#setStatus(this.#autosave.revision > 0 ? 'corrected' : 'unreviewed');
  }

  async exportReport(format: 'html' | 'pdf', folder: string): Promise<void> {
    await this.flush();
    const result = await this.#app.attempt('Could not write the report', () => this.#app.api['export.report']({ caseId: this.caseId, format, folder }));
    if (result) this.#app.notify('success', `Report written: ${result.file}`);
  }

  /** Saves pending edits now; false when saving failed. */
  async flush(): Promise<boolean> {
    return this.#autosave.flush();
  }

  async #setStatus(status: CaseSummary['status'], reason?: string, message?: string): Promise<boolean> {
    const result = await this.#app.attempt('Could not change the review status', () => this.#app.api['cases.setStatus']({ caseId: this.caseId, status, ...(reason ? { reason } : {}) }));
    if (!result) return false;
    this.#summary = result.summary;
    const words: Record<CaseSummary['status'], string> = { approved: 'approved', ungradable: 'flagged as ungradable', corrected: 'reopened', unreviewed: 'reopened' };
    this.#app.notify('success', message ?? `${result.summary.name} ${words[status]}.`);
    return true;
  }

  /**
   * After a save: when the annotation is again exactly the approved one (the
   * edits were undone), the case is approved again, as it was; the revision
   * just saved equals the approved one, so the history stays whole.
   */
  async #approveAgainIfUndone(): Promise<void> {
    const doc = this.#document;
    const approved = this.#approved;
    if (!doc || !approved || this.#summary?.status === 'approved' || this.#autosave.pending || !doc.matches(approved)) return;
    if (await this.#setStatus('approved', 'edits undone: back to the approved annotation', `${this.#summary?.name ?? 'The case'} is approved again: the edits were undone.`)) this.#unlocked = false;
  }

  /** Whether an edit may go ahead now; asks first on an approved case, refuses on a read-only one. */
  #mayEdit(): boolean {
    if (!this.#document || this.readOnlyReason || this.#opened) return false;
    if (this.locked) {
      this.#editRequest = true;
      return false;
    }
    return true;
  }

  // ---------- internals ----------

  #context(): ToolContext {
    return { document: this.#document!, structure: this.#structure, brushRadius: this.#brushRadius, pickRadius: this.#pickRadius, now: () => performance.now() };
  }

  #commit(cs: ChangeSet | null): void {
    if (!cs || !this.#document) return;
    if (cs.clippedOutsideDisc) this.#clipNote = 'The cup was kept inside the disc: part of the stroke lay outside it and was not painted. Paint the disc there first to enlarge it.';
    if (this.#document.commit(cs)) this.#autosave.note(cs.note);
  }

  #findIslands(): void {
    const doc = this.#document;
    if (!doc) return;
    const islands = findIslands(doc.labels, doc.width, doc.labelBounds());
    this.#islands = this.#keptIslands !== null && islandsKey(islands) === this.#keptIslands ? [] : islands;
  }

  #updatePreview(): void {
    if (!this.#document) return;
    this.#preview = this.#tool.preview(this.#context(), this.#hover);
  }

  #documentChanged(doc: AnnotationDocument, change: DocumentChange): void {
    if (doc !== this.#document) return;
    this.#version = doc.version;
    this.#canUndo = doc.canUndo;
    this.#canRedo = doc.canRedo;
    if (change.kind === 'reset') return;
    if (change.kind !== 'edit') this.#autosave.note(change.kind);
    if (change.bounds) this.#localVcdr = labelVerticalCupToDiscRatio(doc.labels, doc.width, doc.height, doc.labelBounds());
    this.#autosave.changed();
    if (change.bounds) this.#scheduleAssess();
  }

  #scheduleAssess(): void {
    if (this.#assessTimer) return;
    this.#assessTimer = setTimeout(() => {
      this.#assessTimer = null;
      this.#findIslands();
      void this.#assess();
    }, ASSESS_INTERVAL_MS);
  }

  async #assess(): Promise<void> {
    const doc = this.#document;
    if (!doc || !this.#detail?.prediction) return;
    const seq = ++this.#assessSeq;
    this.#assessing = true;
    try {
      const result = await this.#app.api['cases.assess']({ caseId: this.caseId, labels: encodeLabelRuns(doc.labels, doc.width, doc.height) });
      if (seq === this.#assessSeq) this.#assessment = result;
    } catch (error) {
      if (seq === this.#assessSeq) this.#app.notify('error', `Could not update the assessment: ${errorMessage(error)}`);
    } finally {
      if (seq === this.#assessSeq) this.#assessing = false;
    }
  }
}
