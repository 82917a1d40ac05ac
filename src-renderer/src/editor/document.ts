// The annotation being edited: a label map (0 background, 1 rim, 2 cup) in
// raster order at the image's full size, the fovea, and the undo history.
// Framework-free so it can be unit-tested in node; the Svelte layer listens to
// its changes and redraws only the changed rectangle.
import { applyRuns, changedBounds, isEmptyChangeSet, type ChangeSet } from './change-set';
import { nonZeroBounds, unionRect, type ImagePoint, type PixelRect } from './geometry';
import { UndoStack, type UndoStackOptions } from './undo-stack';

export interface DocumentChange {
  readonly kind: 'edit' | 'undo' | 'redo' | 'reset';
  /** Pixels whose label may have changed; null = none; the whole image on reset. */
  readonly bounds: PixelRect | null;
  readonly foveaChanged: boolean;
  /** The change set as applied (forward for edit/redo, the undone one for undo). */
  readonly changeSet: ChangeSet | null;
}

/** The content of a document at one moment. */
export interface AnnotationSnapshot {
  readonly labels: Uint8Array;
  readonly fovea: ImagePoint | null;
}

export type DocumentListener = (change: DocumentChange) => void;

export class AnnotationDocument {
  readonly width: number;
  readonly height: number;
  /** Row-major labels, width * height. Tools read it; only the document writes it. */
  readonly labels: Uint8Array;
  readonly #history: UndoStack;
  readonly #listeners = new Set<DocumentListener>();
  #fovea: ImagePoint | null;
  #version = 0;
  /** A box holding every non-background pixel (may be loose after erasing; never too small). */
  #labelBounds: PixelRect | null;

  constructor(width: number, height: number, labels: Uint8Array | null = null, fovea: ImagePoint | null = null, undo: Partial<UndoStackOptions> = {}) {
    if (!(width > 0 && height > 0)) throw new Error(`annotation size must be positive, got ${width}x${height}`);
    if (labels && labels.length !== width * height) throw new Error(`label map has ${labels.length} values, expected ${width}x${height}`);
    this.width = width;
    this.height = height;
    this.labels = labels ? labels.slice() : new Uint8Array(width * height);
    this.#fovea = fovea;
    this.#history = new UndoStack(undo);
    this.#labelBounds = nonZeroBounds(this.labels, width, height);
  }

  get fovea(): ImagePoint | null {
    return this.#fovea;
  }

  /** Increases with every change (edit, undo, redo, reset). */
  get version(): number {
    return this.#version;
  }

  get canUndo(): boolean {
    return this.#history.canUndo;
  }

  get canRedo(): boolean {
    return this.#history.canRedo;
  }

  labelBounds(): PixelRect | null {
    return this.#labelBounds;
  }

  subscribe(listener: DocumentListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies a change set built against the current labels and records it for undo. Empty ones are ignored. */
  commit(cs: ChangeSet): boolean {
    if (isEmptyChangeSet(cs)) return false;
    this.#apply(cs, 'forward');
    this.#history.push(cs);
    this.#emit('edit', cs);
    return true;
  }

  undo(): ChangeSet | null {
    const cs = this.#history.undo();
    if (!cs) return null;
    this.#apply(cs, 'backward');
    this.#emit('undo', cs);
    return cs;
  }

  redo(): ChangeSet | null {
    const cs = this.#history.redo();
    if (!cs) return null;
    this.#apply(cs, 'forward');
    this.#emit('redo', cs);
    return cs;
  }

  /** A copy of the content, to compare with later (matches). */
  snapshot(): AnnotationSnapshot {
    return { labels: this.labels.slice(), fovea: this.#fovea };
  }

  /** Whether the content is the snapshot's (labels and fovea). */
  matches(snapshot: AnnotationSnapshot): boolean {
    const f = this.#fovea;
    const g = snapshot.fovea;
    if (f === null || g === null ? f !== g : f.x !== g.x || f.y !== g.y) return false;
    const a = this.labels;
    const b = snapshot.labels;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Replaces the content (after a reload) and forgets the history. */
  reset(labels: Uint8Array, fovea: ImagePoint | null): void {
    if (labels.length !== this.labels.length) throw new Error(`label map has ${labels.length} values, expected ${this.width}x${this.height}`);
    this.labels.set(labels);
    this.#fovea = fovea;
    this.#history.clear();
    this.#labelBounds = nonZeroBounds(this.labels, this.width, this.height);
    this.#version++;
    const change: DocumentChange = { kind: 'reset', bounds: { x0: 0, y0: 0, x1: this.width, y1: this.height }, foveaChanged: true, changeSet: null };
    for (const listener of this.#listeners) listener(change);
  }

  #apply(cs: ChangeSet, direction: 'forward' | 'backward'): void {
    applyRuns(this.labels, cs, direction);
    if (cs.fovea) this.#fovea = direction === 'forward' ? cs.fovea.after : cs.fovea.before;
    this.#labelBounds = unionRect(this.#labelBounds, changedBounds(cs, this.width));
    this.#version++;
  }

  #emit(kind: DocumentChange['kind'], cs: ChangeSet): void {
    const change: DocumentChange = { kind, bounds: changedBounds(cs, this.width), foveaChanged: cs.fovea !== null, changeSet: cs };
    for (const listener of this.#listeners) listener(change);
  }
}
