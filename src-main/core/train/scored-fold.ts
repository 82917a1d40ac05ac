// A cross-validation fold that is already trained and scored: its evaluation.json
// and, beside it, fold.json, the record of what it was trained as and how it was read. `train --resume`
// reuses such a fold instead of training it again, so the folds of one
// cross-validation can be trained on different machines or in different sessions
// and collected into one run folder.
import fs from 'node:fs';
import path from 'node:path';
import type { Sample } from '../data/sample';
import { InputError } from '../errors';
import { readJsonFile } from '../fs/json-file';
import type { Evaluation } from '../infer/evaluate';
import type { ShapePrior } from '../masks/shape-prior';
import type { StageFusion } from '../model/package';

/** A fold's held-out images scored through the screening pipeline. */
export const FOLD_EVALUATION = 'evaluation.json';
/** A fold's record of what it was trained as, beside its evaluation. */
export const FOLD_RECORD = 'fold.json';
export interface FoldRecord {
  readonly units: readonly { readonly network: string; readonly fingerprint: string; readonly epochs: number }[];
  /** How its package read the networks' outputs when it was scored; absent: the default reading. */
  readonly reading?: { readonly stageFusion?: StageFusion; readonly shapePrior?: ShapePrior; readonly cupThreshold?: number };
}

/** A record of how a fold was read, as fold.json or a fold's other files keep it. */
type ReadingOf = { readonly reading?: Readonly<Record<string, string | number | undefined>> };

/** Whether two records were read the same way (absent: the default reading). */
export function sameReading(a: ReadingOf | null | undefined, b: ReadingOf): boolean {
  return JSON.stringify(a?.reading ?? null) === JSON.stringify(b.reading ?? null);
}

/**
 * A fold's evaluation, when the fold was trained with exactly these settings on
 * exactly these held-out images; null when it must be trained (again). A record
 * of other settings or epochs is not an error: the fold is retrained. An
 * evaluation of other images is: the folder was mixed up, and is named.
 */
export function readScoredFold(unitDir: string, record: FoldRecord, heldOut: readonly Sample[]): Evaluation | null {
  const recordFile = path.join(unitDir, FOLD_RECORD);
  const evaluationFile = path.join(unitDir, FOLD_EVALUATION);
  if (!fs.existsSync(recordFile) || !fs.existsSync(evaluationFile)) return null;
  const found = readJsonFile(recordFile) as Partial<FoldRecord> | null;
  if (JSON.stringify(found?.units) !== JSON.stringify(record.units)) return null;
  // Trained the same but read another way: scored again (from its checkpoints, when the run is resumed).
  if (!sameReading(found, record)) return null;
  const evaluation = readJsonFile(evaluationFile) as Partial<Evaluation> | null;
  if (!evaluation || !Array.isArray(evaluation.images) || !evaluation.summary) throw new InputError(evaluationFile, 'not a fold evaluation (no images or summary): delete the fold folder to train it again');
  const ids = evaluation.images.map((i) => i.id).sort();
  const expected = heldOut.map((s) => s.id).sort();
  if (JSON.stringify(ids) !== JSON.stringify(expected)) {
    throw new InputError(evaluationFile, `scores ${ids.length} images, but this fold holds out ${expected.length} others: delete the fold folder to train it again`);
  }
  return evaluation as Evaluation;
}
