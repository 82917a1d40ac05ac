// The correction loop simulated with ground truth as the expert: how many
// corrections a clinic needs, and whether the order of the queue helps. Each
// round the current model scores the cases not yet corrected, a strategy picks
// the next ones to "correct" (uncertainty: the largest flip disagreement
// first; diverse: among the most uncertain, cases unlike each other; random:
// a seeded shuffle), the parent is fine-tuned on every
// correction so far, and the new model is scored on the cases it never
// trained on. Fine-tuning and scoring are passed in, so the loop's bookkeeping
// (nothing chosen twice, nothing scored that was trained on) is tested without
// a network.
import { createRng, deriveSeed } from '../random';

export const SELECTION_STRATEGIES = ['uncertainty', 'diverse', 'random'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

/** Cumulative numbers of corrections at which the learning curve is measured (0: the parent). */
export const DEFAULT_CURVE = [0, 5, 10, 20, 40] as const;

export interface Candidate {
  readonly id: string;
  /** Flip disagreement of the current model on this case; null when it could not be measured. */
  readonly uncertainty: number | null;
  /**
   * What the case looks like to the model (for 'diverse'): a few numbers such as the
   * photograph's exposure, colour and sharpness and the predicted vCDR. Absent or null:
   * the case is only ranked by its uncertainty.
   */
  readonly descriptor?: readonly number[] | null;
}

/** 'diverse' looks for unlike cases among this many times k of the most uncertain. */
export const DIVERSE_SHORTLIST = 3;

/**
 * The next k cases to correct among `candidates`. Uncertainty: highest first,
 * unmeasurable cases last, ties by id (deterministic). Random: a shuffle seeded
 * by (seed, round), the same on every run.
 */
export function chooseCases(candidates: readonly Candidate[], k: number, strategy: SelectionStrategy, seed: number, round: number): string[] {
  if (strategy === 'random') return createRng(deriveSeed(seed, 'choose', round)).shuffle(candidates.map((c) => c.id)).slice(0, k);
  const ranked = [...candidates].sort((a, b) => (b.uncertainty ?? -Infinity) - (a.uncertainty ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (strategy === 'diverse') return chooseDiverse(ranked, k);
  return ranked.slice(0, k).map((c) => c.id);
}

/**
 * Uncertain and unlike each other: five near-identical photographs teach a
 * fine-tune little more than one. Among the DIVERSE_SHORTLIST x k most uncertain
 * cases with a descriptor, the most uncertain comes first, then each next one is
 * the farthest (standardised Euclidean distance) from every case already chosen
 * (greedy k-centre); cases without a descriptor fill the rest by uncertainty.
 * `ranked` is ordered by uncertainty, highest first.
 */
function chooseDiverse(ranked: readonly Candidate[], k: number): string[] {
  const described = ranked.filter((c) => c.uncertainty !== null && c.descriptor && c.descriptor.length > 0).slice(0, DIVERSE_SHORTLIST * k);
  const dims = described[0]?.descriptor?.length ?? 0;
  const usable = described.filter((c) => c.descriptor!.length === dims);
  const points = standardise(usable.map((c) => c.descriptor!));
  const chosen: number[] = [];
  const nearest = new Array<number>(usable.length).fill(Infinity);
  while (chosen.length < Math.min(k, usable.length)) {
    let best = -1;
    for (let i = 0; i < usable.length; i++) {
      if (chosen.includes(i)) continue;
      // Ranked order breaks ties (and picks the first case): the more uncertain wins.
      if (best < 0 || nearest[i]! > nearest[best]!) best = i;
    }
    chosen.push(best);
    for (let i = 0; i < usable.length; i++) nearest[i] = Math.min(nearest[i]!, distance(points[i]!, points[best]!));
  }
  const ids = chosen.map((i) => usable[i]!.id);
  const taken = new Set(ids);
  for (const c of ranked) {
    if (ids.length >= k) break;
    if (!taken.has(c.id)) ids.push(c.id);
  }
  return ids;
}

/** Each dimension to mean 0 and standard deviation 1 over the points (a constant one to 0). */
function standardise(points: readonly (readonly number[])[]): number[][] {
  if (points.length === 0) return [];
  const dims = points[0]!.length;
  const out = points.map((p) => [...p]);
  for (let d = 0; d < dims; d++) {
    const values = points.map((p) => p[d]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    for (const p of out) p[d] = sd > 0 ? (p[d]! - mean) / sd : 0;
  }
  return out;
}

function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
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
      const scored = new Map(lastCandidates.map((c) => [c.id, c]));
      chosen.push(...chooseCases(open.map((id) => ({ id, uncertainty: scored.get(id)?.uncertainty ?? null, descriptor: scored.get(id)?.descriptor ?? null })), n - chosen.length, strategy, seed, round));
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
