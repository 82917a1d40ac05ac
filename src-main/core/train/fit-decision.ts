// Fits the glaucoma decision model on cross-validated scores: each image's
// measurements come from the segmentation of a fold model that did not train on
// it, so the rule learns the model's real behaviour (its biases included).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FEATURE_NAMES, type DiscCupFeatures } from '../decision/features';
import { selectDecisionModel, type DecisionCase } from '../decision/select';
import type { DecisionModel } from '../decision/model';
import { InputError } from '../errors';
import { checkJson, readJsonFile } from '../fs/json-file';
import { summariseFolds, type EvaluationSummary, type ImageScore } from '../infer/evaluate';
import type { ValidationRecord } from '../model/package';
import { FOLD_EVALUATION } from './scored-fold';

/** What the decision model needs of an image score (evaluate's metrics.json, a training fold's evaluation.json). */
const ScoreSchema = z.object({
  id: z.string(),
  glaucoma: z.union([z.literal(0), z.literal(1)]).nullable(),
  networkProbability: z.number().nullable(),
  measurements: z.object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.number()])) as Record<keyof DiscCupFeatures, z.ZodNumber>).nullable(),
});
type Score = Pick<ImageScore, 'id' | 'glaucoma' | 'networkProbability' | 'measurements'>;

/**
 * The score files named: an `evaluate` metrics.json or a training fold's
 * evaluation.json as given, a training run folder as all of its folds'
 * evaluation.json (each image scored by the fold that held it out).
 */
export function scoreFilePaths(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    const folds = path.join(p, 'folds');
    if (fs.existsSync(folds) && fs.statSync(folds).isDirectory()) {
      const found = fs.readdirSync(folds).map((f) => path.join(folds, f, FOLD_EVALUATION)).filter((f) => fs.existsSync(f));
      if (found.length === 0) throw new InputError(p, 'a training run folder without any fold evaluation (folds/N/evaluation.json): was it cross-validated?');
      return found;
    }
    return [p];
  });
}

const nullableNumber = z.number().nullable();
/** A fold's summary as evaluation.json stores it. */
const FoldSummarySchema = z.object({
  images: z.number().int().nonnegative(),
  odDice: nullableNumber,
  ocDice: nullableNumber,
  vcdrMae: nullableNumber,
  auc: nullableNumber,
  aucNetwork: nullableNumber,
  aucVcdr: nullableNumber,
  sensitivityAt85: nullableNumber,
  foveaErrorPx: nullableNumber,
});

/**
 * A cross-validated run folder's folds as a package's validation record (as `train` writes it for its own final
 * model): for a package whose networks are not the run's own final model but were scored the same way, e.g. an
 * ensemble of two runs' final models whose fold ensembles were re-read on the held-out images.
 */
export function crossValidationOf(runDir: string): ValidationRecord {
  const files = scoreFilePaths([runDir]);
  if (files.length === 1 && files[0] === runDir) throw new InputError(runDir, 'not a cross-validated run folder (folds/N/evaluation.json)');
  const summaries: EvaluationSummary[] = files.map((file) => {
    return checkJson(file, (readJsonFile(file) as { summary?: unknown } | null)?.summary, FoldSummarySchema, 'fold summary');
  });
  const images = summaries.reduce((n, s) => n + s.images, 0);
  return summariseFolds(summaries, `${files.length}-fold cross-validation on ${images} images (each fold scored by a model that did not train on it; ${path.basename(runDir)})`);
}

/**
 * Image scores from score files (see scoreFilePaths). Files written before
 * measurements were recorded are refused by name.
 */
export function readScoreFiles(paths: readonly string[]): Score[] {
  const files = scoreFilePaths(paths);
  const scores: Score[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const images = (readJsonFile(file) as { images?: unknown } | null)?.images;
    if (!Array.isArray(images)) throw new InputError(file, 'no "images" list: not an evaluate metrics.json or a fold evaluation.json');
    for (const [i, raw] of images.entries()) {
      if (raw && typeof raw === 'object' && !('measurements' in raw)) {
        throw new InputError(file, 'written before disc/cup measurements were recorded: score the images again (evaluate, or train --resume)');
      }
      const score = checkJson(file, raw, ScoreSchema, `score of images[${i}]`);
      if (seen.has(score.id)) throw new InputError(file, `image ${score.id} is scored twice across the score files`);
      seen.add(score.id);
      scores.push(score);
    }
  }
  return scores;
}

/** Out-of-fold image scores -> the decision model's cases (labelled images only). */
export function decisionCases(scores: readonly Score[]): DecisionCase[] {
  return scores.flatMap((s) => (s.glaucoma === null ? [] : [{ id: s.id, label: s.glaucoma, features: s.measurements, network: s.networkProbability }]));
}

/**
 * The decision model, or null (with the reason logged) when the scores cannot
 * support one: too few cases of a class with a disc found.
 */
export function fitDecisionFromScores(scores: readonly Score[], note: string, log: (message: string) => void, targetSpecificity?: number): DecisionModel | null {
  try {
    const model = selectDecisionModel(decisionCases(scores), { note, ...(targetSpecificity !== undefined ? { targetSpecificity } : {}) });
    const auc = model.validation.auc;
    const op = model.operatingPoint;
    log(
      `decision model: ${model.id} (cross-validated AUC ${auc.value.toFixed(3)}, 95 % CI ${auc.low.toFixed(3)}-${auc.high.toFixed(3)}; ` +
        `at specificity ${op.targetSpecificity}: threshold ${op.threshold.toFixed(3)}, sensitivity ${op.sensitivity.value.toFixed(2)}, specificity ${op.specificity.value.toFixed(2)})`,
    );
    return model;
  } catch (error) {
    log(`no decision model fitted (the paper's rule is used): ${(error as Error).message}`);
    return null;
  }
}
