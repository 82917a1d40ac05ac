// The correction loop simulated with ground truth as the expert: how many
// corrections a clinic needs, and whether the order of the queue helps. Each
// round the current model scores the cases not yet corrected, a strategy picks
// the next ones to "correct" (uncertainty: the largest flip disagreement
// first; random: a seeded shuffle), the parent is fine-tuned on every
// correction so far, and the new model is scored on the cases it never
// trained on. Fine-tuning and scoring are passed in, so the loop's bookkeeping
// (nothing chosen twice, nothing scored that was trained on) is tested without
// a network.
import { createRng, deriveSeed } from '../random';

export const SELECTION_STRATEGIES = ['uncertainty', 'random'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

/** Cumulative numbers of corrections at which the learning curve is measured (0: the parent). */
export const DEFAULT_CURVE = [0, 5, 10, 20, 40] as const;

export interface Candidate {
  readonly id: string;
  /** Flip disagreement of the current model on this case; null when it could not be measured. */
  readonly uncertainty: number | null;
}

/**
 * The next k cases to correct among `candidates`. Uncertainty: highest first,
 * unmeasurable cases last, ties by id (deterministic). Random: a shuffle seeded
 * by (seed, round), the same on every run.
 */
export function chooseCases(candidates: readonly Candidate[], k: number, strategy: SelectionStrategy, seed: number, round: number): string[] {
  if (strategy === 'random') return createRng(deriveSeed(seed, 'choose', round)).shuffle(candidates.map((c) => c.id)).slice(0, k);
  return [...candidates]
    .sort((a, b) => (b.uncertainty ?? -Infinity) - (a.uncertainty ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k)
    .map((c) => c.id);
}

export interface RoundScore<M> {
  /** Per scored case, the model's uncertainty (feeds the next choice). */
  readonly candidates: readonly Candidate[];
  /** The summary metrics on the scored cases. */
  readonly metrics: M;
}

export interface SimulationRow<M> {
  readonly strategy: SelectionStrategy;
  readonly corrections: number;
  /** The cases the model of this row was fine-tuned on, in the order they were chosen. */
  readonly trainedOn: readonly string[];
  /** The cases it was scored on: every pool case not in trainedOn. */
  readonly scoredOn: readonly string[];
  readonly metrics: M;
  readonly seconds: number;
}

export interface SimulationDeps<Model, M> {
  /** The parent model (round 0). */
  readonly parent: Model;
  /** Fine-tunes the parent on these cases; returns the child. */
  readonly finetune: (cases: readonly string[], round: number) => Promise<Model>;
  /** Scores a model on these cases. */
  readonly score: (model: Model, cases: readonly string[]) => Promise<RoundScore<M>>;
  /** Frees a child once it has been scored (not called for the parent). */
  readonly release?: (model: Model) => void;
  readonly onRow?: (row: SimulationRow<M>) => void;
}

export async function simulateCorrections<Model, M>(
  pool: readonly string[],
  curve: readonly number[],
  strategy: SelectionStrategy,
  seed: number,
  deps: SimulationDeps<Model, M>,
): Promise<SimulationRow<M>[]> {
  if (new Set(pool).size !== pool.length) throw new Error('simulateCorrections: the pool has duplicate case ids');
  const counts = [...new Set(curve)].sort((a, b) => a - b);
  if (counts[0] !== 0) counts.unshift(0);
  const usable = counts.filter((n) => n < pool.length);
  const rows: SimulationRow<M>[] = [];
  const chosen: string[] = [];
  let model = deps.parent;
  let lastCandidates: readonly Candidate[] = [];
  for (const [round, n] of usable.entries()) {
    const started = performance.now();
    if (n > chosen.length) {
      const taken = new Set(chosen);
      const last = rows[rows.length - 1]!;
      // The previous round's model scored exactly the cases still open: choose among them.
      const open = last.scoredOn.filter((id) => !taken.has(id));
      const uncertainty = new Map(lastCandidates.map((c) => [c.id, c.uncertainty]));
      chosen.push(...chooseCases(open.map((id) => ({ id, uncertainty: uncertainty.get(id) ?? null })), n - chosen.length, strategy, seed, round));
      if (model !== deps.parent) deps.release?.(model);
      model = await deps.finetune([...chosen], round);
    }
    const trained = new Set(chosen);
    const scoredOn = pool.filter((id) => !trained.has(id));
    const scored = await deps.score(model, scoredOn);
    lastCandidates = scored.candidates;
    const row: SimulationRow<M> = { strategy, corrections: chosen.length, trainedOn: [...chosen], scoredOn, metrics: scored.metrics, seconds: (performance.now() - started) / 1000 };
    rows.push(row);
    deps.onRow?.(row);
  }
  if (model !== deps.parent) deps.release?.(model);
  return rows;
}
