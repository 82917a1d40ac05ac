// Undo and redo over change sets. Consecutive change sets with the same merge
// key (the dabs of one brush stroke) within a short window become one step, so
// ctrl+z takes back the whole stroke, not the last few pixels.
import { mergeChangeSets, type ChangeSet } from './change-set';

export interface UndoStackOptions {
  /** Largest gap between two edits that still merge (ms). */
  readonly mergeWindowMs: number;
  /** Oldest steps are forgotten beyond this many. */
  readonly limit: number;
}

export const DEFAULT_UNDO_OPTIONS: UndoStackOptions = { mergeWindowMs: 1500, limit: 200 };

/**
 * One undo step: the change sets merged into it, in the order applied. They are
 * merged into one change set only when the step is undone (once), so a long
 * brush stroke costs O(1) per dab instead of re-merging everything each time.
 */
interface Step {
  readonly sets: ChangeSet[];
}

export class UndoStack {
  readonly #options: UndoStackOptions;
  #done: Step[] = [];
  #undone: ChangeSet[] = [];

  constructor(options: Partial<UndoStackOptions> = {}) {
    this.#options = { ...DEFAULT_UNDO_OPTIONS, ...options };
  }

  /** Records an applied change set; returns whether it merged into the previous step. */
  push(cs: ChangeSet): 'merged' | 'pushed' {
    this.#undone = [];
    const step = this.#done.at(-1);
    const last = step?.sets.at(-1);
    if (step && last && cs.mergeKey !== null && last.mergeKey === cs.mergeKey && cs.at - last.at <= this.#options.mergeWindowMs) {
      step.sets.push(cs);
      return 'merged';
    }
    this.#done.push({ sets: [cs] });
    if (this.#done.length > this.#options.limit) this.#done.shift();
    return 'pushed';
  }

  /** The step to take back (apply it backwards), or null. */
  undo(): ChangeSet | null {
    const step = this.#done.pop();
    if (!step) return null;
    const cs = step.sets.reduce((merged, next) => mergeChangeSets(merged, next));
    this.#undone.push(cs);
    return cs;
  }

  /** The step to do again (apply it forwards), or null. */
  redo(): ChangeSet | null {
    const cs = this.#undone.pop();
    if (!cs) return null;
    // A redone step never merges with what follows: seal it with a null key.
    const sealed = { ...cs, mergeKey: null };
    this.#done.push({ sets: [sealed] });
    return sealed;
  }

  get canUndo(): boolean {
    return this.#done.length > 0;
  }

  get canRedo(): boolean {
    return this.#undone.length > 0;
  }

  get depth(): number {
    return this.#done.length;
  }

  clear(): void {
    this.#done = [];
    this.#undone = [];
  }
}
