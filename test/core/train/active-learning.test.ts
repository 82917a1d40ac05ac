// The simulated correction loop's bookkeeping, with fake fine-tuning and
// scoring: which cases each strategy picks, that none is picked twice, and that
// a model is never scored on a case it was fine-tuned on.
import { describe, expect, it } from 'vitest';
import { chooseCases, simulateCorrections, type Candidate } from '../../../src-main/core/train/active-learning';

const pool = Array.from({ length: 30 }, (_, i) => `case${String(i).padStart(2, '0')}`);
/** A fixed uncertainty per case: higher for larger numbers, one case unmeasurable. */
const uncertaintyOf = (id: string): number | null => (id === 'case29' ? null : Number(id.slice(4)) / 100);

/** Two kinds of photograph (one number: the exposure): the most uncertain, case20 and above, bright; the rest dark. */
const descriptorOf = (id: string): number[] => [Number(id.slice(4)) >= 20 ? 150 : 40];

function fakeDeps(log: { trained: string[][]; scored: string[][] }) {
  return {
    parent: 'parent',
    finetune: async (cases: readonly string[]) => {
      log.trained.push([...cases]);
      return `child-${cases.length}`;
    },
    score: async (_model: string, cases: readonly string[]) => {
      log.scored.push([...cases]);
      return { candidates: cases.map((id) => ({ id, uncertainty: uncertaintyOf(id), descriptor: descriptorOf(id) })), metrics: { n: cases.length } };
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

  it('diverse: the most uncertain first, then among the most uncertain the unlike ones', () => {
    // Near-identical bright photographs are the most uncertain; one dark one is a little less so.
    const look = (id: string, uncertainty: number, exposure: number, vcdr: number): Candidate => ({ id, uncertainty, descriptor: [exposure, vcdr] });
    const many: Candidate[] = [
      look('b1', 0.9, 150, 0.5),
      look('b2', 0.89, 151, 0.5),
      look('b3', 0.88, 150, 0.51),
      look('b4', 0.87, 149, 0.5),
      look('b5', 0.86, 150, 0.49),
      look('dark', 0.8, 40, 0.5),
      look('b6', 0.05, 150, 0.5),
      look('calm', 0.01, 90, 0.9),
    ];
    expect(chooseCases(many, 2, 'uncertainty', 1, 1)).toEqual(['b1', 'b2']);
    expect(chooseCases(many, 2, 'diverse', 1, 1)).toEqual(['b1', 'dark']);
    // The shortlist (3 x k most uncertain) keeps a barely uncertain case out, however unlike it is.
    expect(chooseCases(many, 2, 'diverse', 1, 1)).not.toContain('calm');
    // Without descriptors it is the uncertainty order.
    expect(chooseCases(many.map(({ id, uncertainty }) => ({ id, uncertainty })), 3, 'diverse', 1, 1)).toEqual(['b1', 'b2', 'b3']);
    expect(new Set(chooseCases(many, 8, 'diverse', 1, 1)).size).toBe(8);
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
  for (const strategy of ['uncertainty', 'diverse', 'random'] as const) {
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

  it('diverse takes both kinds of photograph the previous model was unsure of', async () => {
    const rows = await simulateCorrections(pool, [0, 4], 'diverse', 1, fakeDeps({ trained: [], scored: [] }));
    // Uncertainty alone takes case28-case25, all bright; among the 12 most uncertain, diverse adds the darkest-looking first.
    expect(rows[1]!.trainedOn).toEqual(['case28', 'case19', 'case27', 'case26']);
  });

  it('stops before a point of the curve that would leave nothing to score', async () => {
    const rows = await simulateCorrections(pool.slice(0, 8), [0, 5, 10, 20], 'random', 1, fakeDeps({ trained: [], scored: [] }));
    expect(rows.map((r) => r.corrections)).toEqual([0, 5]);
  });
});
