// Change sets: what one committed edit did to the annotation, kept as the
// changed pixel runs (before and after values) and, for the fovea tool, the
// old and new fovea. The undo stack stores change sets, undo applies them
// backwards, and rapid edits of one brush stroke merge into one change set
// (the annotorious model: the store emits change sets, undo is built on them).
import type { ImagePoint, PixelRect } from './geometry';

/** Consecutive pixels in raster order: labels[start + k] went from before[k] to after[k]. */
export interface LabelRun {
  readonly start: number;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

export interface FoveaMove {
  readonly before: ImagePoint | null;
  readonly after: ImagePoint | null;
}

export interface ChangeSet {
  /** Sorted by start, non-overlapping; only pixels whose value changed. */
  readonly runs: readonly LabelRun[];
  readonly fovea: FoveaMove | null;
  /** What the edit was, in words for the revision history ("brush on cup"). */
  readonly note: string;
  /** Edits with the same key committed in quick succession merge into one undo step (one brush stroke). */
  readonly mergeKey: string | null;
  /** When it was committed (ms); the merge window is measured between consecutive edits. */
  readonly at: number;
  /**
   * Pixels the tool was asked to make cup but left alone because they lie
   * outside the disc (0 or absent: none). Told to the user, never applied.
   */
  readonly clippedOutsideDisc?: number;
}

/**
 * Collects the new value of pixels while a tool rasterises, reading old values
 * from the labels (which it does not modify), and turns them into runs.
 */
export class LabelChangeBuilder {
  readonly #labels: Uint8Array;
  readonly #after = new Map<number, number>();

  constructor(labels: Uint8Array) {
    this.#labels = labels;
  }

  /** The value a pixel has with the changes collected so far. */
  get(index: number): number {
    const pending = this.#after.get(index);
    return pending === undefined ? this.#labels[index]! : pending;
  }

  set(index: number, value: number): void {
    if (!this.#after.has(index) && this.#labels[index] === value) return;
    this.#after.set(index, value);
  }

  /** Sets a pixel to f(its current value). */
  update(index: number, f: (current: number) => number): void {
    this.set(index, f(this.get(index)));
  }

  get size(): number {
    return this.#after.size;
  }

  runs(): LabelRun[] {
    const changes = new Map<number, readonly [number, number]>();
    for (const [i, v] of this.#after) changes.set(i, [this.#labels[i]!, v]);
    return runsFromChanges(changes);
  }
}

/** Sorted runs from a map index -> [before, after]; unchanged pixels are dropped. */
function runsFromChanges(changes: Map<number, readonly [number, number]>): LabelRun[] {
  const indices = new Int32Array(changes.size);
  let n = 0;
  for (const [i, [b, a]] of changes) if (b !== a) indices[n++] = i;
  const sorted = indices.subarray(0, n).sort();
  const runs: LabelRun[] = [];
  let k = 0;
  while (k < sorted.length) {
    let end = k + 1;
    while (end < sorted.length && sorted[end] === sorted[end - 1]! + 1) end++;
    const before = new Uint8Array(end - k);
    const after = new Uint8Array(end - k);
    for (let j = k; j < end; j++) {
      const [b, a] = changes.get(sorted[j]!)!;
      before[j - k] = b;
      after[j - k] = a;
    }
    runs.push({ start: sorted[k]!, before, after });
    k = end;
  }
  return runs;
}

/** A change set with nothing in it is not worth an undo step. */
export function isEmptyChangeSet(cs: ChangeSet): boolean {
  return cs.runs.length === 0 && (cs.fovea === null || samePoint(cs.fovea.before, cs.fovea.after));
}

function samePoint(a: ImagePoint | null, b: ImagePoint | null): boolean {
  if (a === null || b === null) return a === b;
  return a.x === b.x && a.y === b.y;
}

/** Writes the change set's after (forward) or before (backward) values into the labels. */
export function applyRuns(labels: Uint8Array, cs: ChangeSet, direction: 'forward' | 'backward'): void {
  for (const run of cs.runs) labels.set(direction === 'forward' ? run.after : run.before, run.start);
}

/**
 * One change set doing what `older` then `newer` did: per pixel, the first
 * before and the last after; the fovea's first before and last after.
 */
export function mergeChangeSets(older: ChangeSet, newer: ChangeSet): ChangeSet {
  const changes = new Map<number, [number, number]>();
  for (const run of older.runs) for (let k = 0; k < run.after.length; k++) changes.set(run.start + k, [run.before[k]!, run.after[k]!]);
  for (const run of newer.runs) {
    for (let k = 0; k < run.after.length; k++) {
      const i = run.start + k;
      const seen = changes.get(i);
      if (seen) seen[1] = run.after[k]!;
      else changes.set(i, [run.before[k]!, run.after[k]!]);
    }
  }
  let fovea: FoveaMove | null = older.fovea;
  if (newer.fovea) fovea = { before: older.fovea ? older.fovea.before : newer.fovea.before, after: newer.fovea.after };
  return { runs: runsFromChanges(changes), fovea, note: older.note, mergeKey: newer.mergeKey, at: newer.at };
}

/** Pixel box of the changed runs (x1, y1 exclusive), or null when no pixel changed. */
export function changedBounds(cs: ChangeSet, width: number): PixelRect | null {
  if (cs.runs.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const run of cs.runs) {
    const first = run.start;
    const last = run.start + run.after.length - 1;
    const ya = Math.floor(first / width);
    const yb = Math.floor(last / width);
    y0 = Math.min(y0, ya);
    y1 = Math.max(y1, yb + 1);
    if (ya === yb) {
      x0 = Math.min(x0, first - ya * width);
      x1 = Math.max(x1, last - yb * width + 1);
    } else {
      // A run that wraps a row covers the full width in between.
      x0 = 0;
      x1 = width;
    }
  }
  return { x0, y0, x1, y1 };
}
