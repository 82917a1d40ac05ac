// The REFUGE leaderboards, as the official code builds them
// (ignaciorlando/refuge-evaluation, util/leaderboard_criteria.py at commit 7bdeb04:
// segmentation_leaderboard, classification_leaderboard, fovea_location_leaderboard,
// final_leaderboard). Used to compare models (or folds) the way the challenge did.
//
// How the official code ranks, including ties:
// - A metric's rank is the team's position in np.argsort of that metric: ascending
//   for vCDR MAE and fovea distance, and the *reversed* ascending order for Dice
//   and AUC. Equal values therefore get different ranks: the earlier team (in
//   input order) ranks better on MAE/distance, the later team on Dice/AUC.
//   (numpy 1.14's default argsort is an insertion sort below 17 elements, hence
//   stable; we use a stable sort for any number of teams.)
// - Segmentation score = 0.35 rank(cup Dice) + 0.25 rank(disc Dice)
//   + 0.4 rank(vCDR MAE), ranks counted from 0; the official table prints
//   score + 1 and ranks + 1. The segmentation rank is the position after a
//   stable ascending sort of the scores (ties keep input order).
// - Classification rank: position in the reversed ascending sort of AUC.
// - Final score = 0.6 segmentation rank + 0.4 classification rank (both from 1),
//   over the teams present in both leaderboards, stably sorted ascending. Ties
//   keep input order when both leaderboards have the same teams; otherwise the
//   order of the shorter leaderboard (what the official code iterates over).
// - Teams whose cup Dice (segmentation) or AUC (classification) is NaN are left
//   out of that leaderboard; fovea is a separate leaderboard, not in the final score.
//   (The official final_leaderboard crashes when both leaderboards have the same
//   size but different teams; here the final simply covers the teams in both.)
// Checked against a transcription of those functions (numpy 1.24) on 200 random
// tables of 2-12 teams with many ties: same order, scores and ranks.

export interface TeamResults {
  readonly name: string;
  readonly ocDice: number;
  readonly odDice: number;
  readonly vcdrMae: number;
  readonly auc: number;
  /** Mean fovea distance in pixels; leave out (or NaN) for no fovea entry. */
  readonly foveaDistance?: number;
}

export interface SegmentationStanding {
  readonly name: string;
  /** 1-based segmentation rank. */
  readonly rank: number;
  /** 0.35 ocDiceRank + 0.25 odDiceRank + 0.4 vcdrMaeRank with 1-based ranks (the official "Score" column). */
  readonly score: number;
  readonly ocDiceRank: number;
  readonly odDiceRank: number;
  readonly vcdrMaeRank: number;
}

export interface ClassificationStanding {
  readonly name: string;
  readonly rank: number;
  readonly auc: number;
}

export interface FoveaStanding {
  readonly name: string;
  readonly rank: number;
  readonly foveaDistance: number;
}

export interface FinalStanding {
  readonly name: string;
  readonly rank: number;
  /** 0.6 segmentationRank + 0.4 classificationRank (lower is better). */
  readonly score: number;
  readonly segmentationRank: number;
  readonly classificationRank: number;
}

export interface RefugeRanking {
  /** Each list is sorted best first. */
  readonly segmentation: SegmentationStanding[];
  readonly classification: ClassificationStanding[];
  readonly fovea: FoveaStanding[];
  readonly final: FinalStanding[];
}

export function refugeRanking(teams: readonly TeamResults[]): RefugeRanking {
  const names = new Set<string>();
  for (const t of teams) {
    if (names.has(t.name)) throw new RangeError(`refugeRanking: team name "${t.name}" appears twice`);
    names.add(t.name);
  }

  const segTeams = teams.filter((t) => !Number.isNaN(t.ocDice));
  const ocOrder = bestIsHighest(segTeams.map((t) => t.ocDice));
  const odOrder = bestIsHighest(segTeams.map((t) => t.odDice));
  const vcdrOrder = bestIsLowest(segTeams.map((t) => t.vcdrMae));
  const zeroBased = segTeams.map((_, i) => ({ oc: ocOrder.indexOf(i), od: odOrder.indexOf(i), vcdr: vcdrOrder.indexOf(i) }));
  const segScores = zeroBased.map((r) => 0.35 * r.oc + 0.25 * r.od + 0.4 * r.vcdr);
  const segmentation = stableArgsort(segScores).map((i, position) => ({
    name: segTeams[i]!.name,
    rank: position + 1,
    score: segScores[i]! + 1,
    ocDiceRank: zeroBased[i]!.oc + 1,
    odDiceRank: zeroBased[i]!.od + 1,
    vcdrMaeRank: zeroBased[i]!.vcdr + 1,
  }));

  const clsTeams = teams.filter((t) => !Number.isNaN(t.auc));
  const classification = bestIsHighest(clsTeams.map((t) => t.auc)).map((i, position) => ({
    name: clsTeams[i]!.name,
    rank: position + 1,
    auc: clsTeams[i]!.auc,
  }));

  const fovTeams = teams.filter((t) => t.foveaDistance !== undefined && !Number.isNaN(t.foveaDistance));
  const fovea = bestIsLowest(fovTeams.map((t) => t.foveaDistance!)).map((i, position) => ({
    name: fovTeams[i]!.name,
    rank: position + 1,
    foveaDistance: fovTeams[i]!.foveaDistance!,
  }));

  const segRank = new Map(segmentation.map((s) => [s.name, s.rank]));
  const clsRank = new Map(classification.map((c) => [c.name, c.rank]));
  let finalOrder: string[];
  if (segmentation.length === classification.length) finalOrder = teams.map((t) => t.name);
  else if (segmentation.length < classification.length) finalOrder = segmentation.map((s) => s.name);
  else finalOrder = classification.map((c) => c.name);
  finalOrder = finalOrder.filter((name) => segRank.has(name) && clsRank.has(name));
  const finalScores = finalOrder.map((name) => 0.6 * segRank.get(name)! + 0.4 * clsRank.get(name)!);
  const final = stableArgsort(finalScores).map((i, position) => ({
    name: finalOrder[i]!,
    rank: position + 1,
    score: finalScores[i]!,
    segmentationRank: segRank.get(finalOrder[i]!)!,
    classificationRank: clsRank.get(finalOrder[i]!)!,
  }));

  return { segmentation, classification, fovea, final };
}

/** Indices sorted by ascending value; equal values keep input order (np.argsort on small inputs). */
function stableArgsort(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => compareNumbers(values[a]!, values[b]!) || a - b);
}

/** NaN sorts last, as in numpy. */
function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** best_is_lowest: ascending argsort. */
function bestIsLowest(values: readonly number[]): number[] {
  return stableArgsort(values);
}

/** best_is_highest: the ascending argsort reversed (so ties favour the later team). */
function bestIsHighest(values: readonly number[]): number[] {
  return stableArgsort(values).reverse();
}
