// Stratified k-fold split, seeded: each fold gets about the same share of
// glaucoma cases (and of unlabelled ones), and the same seed always gives the
// same folds, so an interrupted cross-validation resumes on identical splits.
import { createRng, deriveSeed } from '../random';

/** fold[i] = the fold (0..k-1) item i is held out in. `strata` groups items (e.g. by label). */
export function stratifiedFolds(strata: readonly (string | number)[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds: need at least 2 folds, got ${k}`);
  if (strata.length < k) throw new Error(`folds: ${strata.length} items cannot be split into ${k} folds`);
  const groups = new Map<string, number[]>();
  strata.forEach((s, i) => {
    const key = String(s);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const fold = new Array<number>(strata.length).fill(0);
  // Dealing each shuffled stratum round-robin, continuing where the last one stopped, balances fold sizes too.
  let next = 0;
  for (const key of [...groups.keys()].sort()) {
    const members = createRng(deriveSeed(seed, 'folds', key)).shuffle([...groups.get(key)!]);
    for (const i of members) {
      fold[i] = next % k;
      next++;
    }
  }
  return fold;
}
