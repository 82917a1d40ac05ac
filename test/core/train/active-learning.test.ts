// The simulated correction loop's bookkeeping, with fake fine-tuning and
// scoring: which cases each strategy picks, that none is picked twice, and that
// a model is never scored on a case it was fine-tuned on.
import { describe, expect, it } from 'vitest';
import { chooseCases, simulateCorrections, type Candidate } from '../../../src-main/core/train/active-learning';

const pool = Array.from({ length: 30 }, (_, i) => `case${String(i).padStart(2, '0')}`);
/** A fixed uncertainty per case: higher for larger numbers, one case unmeasurable. */
const uncertaintyOf = (id: string): number | null => (id === 'case29' ? null : Number(id.slice(4)) / 100);

function fakeDeps(log: { trained: string[][]; scored: string[][] }) {
  return {
    parent: 'parent',
    finetune: async (cases: readonly string[]) => {
      log.trained.push([...cases]);
      return `child-${cases.length}`;
    },
    score: async (_model: string, cases: readonly string[]) => {
      log.scored.push([...cases]);
      return { candidates: cases.map((id) => ({ id, uncertainty: uncertaintyOf(id) })), metrics: { n: cases.length } };
    },
  };
}

describe('chooseCases', () => {
  const candidates: Candidate[] = [
    { id: 'a', uncertainty: 0.1 },
    { id: 'b', uncertainty: null },
    { id: 'c', uncertainty: 0.5 },
    { id: 'd', uncertainty: 0.3 },
    { id: 'e', uncertainty: 0.5 },
  ];

  it('uncertainty: the most uncertain first, ties by id, unmeasurable cases last', () => {
    expect(chooseCases(candidates, 3, 'uncertainty', 1, 1)).toEqual(['c', 'e', 'd']);
    expect(chooseCases(candidates, 5, 'uncertainty', 1, 1)).toEqual(['c', 'e', 'd', 'a', 'b']);
  });

  it('random: seeded (same seed and round, same choice), different across seeds, ignoring uncertainty', () => {
    const many = pool.map((id) => ({ id, uncertainty: uncertaintyOf(id) }));
    const a = chooseCases(many, 10, 'random', 7, 2);
    expect(chooseCases(many, 10, 'random', 7, 2)).toEqual(a);
    expect(chooseCases(many, 10, 'random', 8, 2)).not.toEqual(a);
    expect(a).not.toEqual(chooseCases(many, 10, 'uncertainty', 7, 2));
    expect(new Set(a).size).toBe(10);
  });
});

describe('simulateCorrections', () => {
  for (const strategy of ['uncertainty', 'random'] as const) {
    it(`${strategy}: grows the corrections along the curve, never picks a case twice, never scores a trained case`, async () => {
      const log = { trained: [] as string[][], scored: [] as string[][] };
      const rows = await simulateCorrections(pool, [0, 5, 10, 20], strategy, 3, fakeDeps(log));
      expect(rows.map((r) => r.corrections)).toEqual([0, 5, 10, 20]);
      expect(log.trained.map((t) => t.length)).toEqual([5, 10, 20]);
      for (const [i, row] of rows.entries()) {
        expect(new Set(row.trainedOn).size).toBe(row.trainedOn.length);
        const trained = new Set(row.trainedOn);
        // Scored on exactly the cases it did not train on.
        expect(row.scoredOn.filter((id) => trained.has(id))).toEqual([]);
        expect(row.scoredOn.length + row.trainedOn.length).toBe(pool.length);
        expect(log.scored[i]).toEqual(row.scoredOn);
        // Corrections accumulate: each round keeps the earlier ones, in order.
        if (i > 0) expect(row.trainedOn.slice(0, rows[i - 1]!.trainedOn.length)).toEqual(rows[i - 1]!.trainedOn);
      }
    });
  }

  it('uncertainty picks what the previous model was least sure of', async () => {
    const rows = await simulateCorrections(pool, [0, 5, 10], 'uncertainty', 1, fakeDeps({ trained: [], scored: [] }));
    expect(rows[1]!.trainedOn).toEqual(['case28', 'case27', 'case26', 'case25', 'case24']);
    expect(rows[2]!.trainedOn.slice(5)).toEqual(['case23', 'case22', 'case21', 'case20', 'case19']);
  });

  it('stops before a point of the curve that would leave nothing to score', async () => {
    const rows = await simulateCorrections(pool.slice(0, 8), [0, 5, 10, 20], 'random', 1, fakeDeps({ trained: [], scored: [] }));
    expect(rows.map((r) => r.corrections)).toEqual([0, 5]);
  });
});
