// Scores a model on labelled images with the official REFUGE metrics, at the
// images' original resolution: per-image Dice of disc and cup averaged, vCDR
// mean absolute error, AUC and sensitivity at 85 % specificity of the glaucoma
// probability, mean fovea distance in original pixels.
import type { ImageCodec } from '../data/image-codec';
import { discCupFeatures, type DiscCupFeatures } from '../decision/features';
import { readSampleMasks, type DataProblem, type Sample } from '../data/sample';
import { InputError } from '../errors';
import { auc, dice, euclideanDistance, mean, refugeVerticalCupToDiscRatio, sampleSd, sensitivityAtSpecificity } from '../metrics';
import type { ValidationRecord } from '../model/package';
import type { PredictOptions, Predictor } from './predictor';
import type { CasePrediction } from './types';

export interface ImageScore {
  readonly id: string;
  readonly file: string;
  readonly glaucoma: 0 | 1 | null;
  readonly probability: number | null;
  readonly networkProbability: number | null;
  readonly regressionProbability: number | null;
  readonly odDice: number | null;
  readonly ocDice: number | null;
  readonly vcdr: number | null;
  readonly vcdrTrue: number | null;
  readonly foveaErrorPx: number | null;
  /** Measurements of the predicted disc and cup (the decision model's inputs); null without a disc. */
  readonly measurements: DiscCupFeatures | null;
}

export interface EvaluationSummary {
  readonly images: number;
  readonly odDice: number | null;
  readonly ocDice: number | null;
  readonly vcdrMae: number | null;
  /** AUC of the final (averaged) probability, of the network alone, of the vCDR regression alone. */
  readonly auc: number | null;
  readonly aucNetwork: number | null;
  readonly aucVcdr: number | null;
  readonly sensitivityAt85: number | null;
  readonly foveaErrorPx: number | null;
}

export interface Evaluation {
  readonly summary: EvaluationSummary;
  readonly images: readonly ImageScore[];
  readonly problems: readonly DataProblem[];
}

export interface EvaluateOptions {
  readonly tta: boolean;
  /** The pipeline's other settings (default: the package's own; benchmarks compare measures with them). */
  readonly predict?: Omit<PredictOptions, 'tta'>;
  readonly onImage?: (done: number, total: number, prediction: CasePrediction | null, score: ImageScore | null) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

export async function evaluateModel(predictor: Predictor, samples: readonly Sample[], codec: ImageCodec, options: EvaluateOptions): Promise<Evaluation> {
  const images: ImageScore[] = [];
  const problems: DataProblem[] = [];
  let done = 0;
  for (const sample of samples) {
    if (options.signal?.aborted) break;
    let prediction: CasePrediction | null = null;
    let score: ImageScore | null = null;
    try {
      prediction = await predictor.predictFile(sample.imageFile, { ...options.predict, tta: options.tta });
      score = await scoreImage(sample, prediction, codec);
      images.push(score);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push({ file: error.file, problem: error.problem });
    }
    await options.onImage?.(++done, samples.length, prediction, score);
  }
  return { summary: summarise(images), images, problems };
}

async function scoreImage(sample: Sample, prediction: CasePrediction, codec: ImageCodec): Promise<ImageScore> {
  const s = prediction.summary;
  let odDice: number | null = null;
  let ocDice: number | null = null;
  let vcdrTrue: number | null = null;
  if (sample.masks) {
    const truth = await readSampleMasks(sample, codec);
    // Both empty (no cup drawn, none predicted) is agreement; the official code would stop with a division by zero.
    if (s.tasks.includes('od')) odDice = dice(prediction.od, truth.od, { ifBothEmpty: 1 });
    if (s.tasks.includes('oc')) ocDice = dice(prediction.oc, truth.oc, { ifBothEmpty: 1 });
    vcdrTrue = refugeVerticalCupToDiscRatio(truth.od, truth.oc);
  }
  return {
    id: sample.id,
    file: sample.imageFile,
    glaucoma: sample.glaucoma ?? null,
    probability: s.glaucoma.probability,
    networkProbability: s.glaucoma.network,
    regressionProbability: s.glaucoma.vcdrRegression,
    odDice,
    ocDice,
    // REFUGE scores a missing disc as vCDR 0 (its evaluation divides by disc + 1e-7).
    vcdr: s.tasks.includes('od') ? (s.vcdr ?? 0) : null,
    vcdrTrue,
    foveaErrorPx: sample.fovea && s.fovea ? euclideanDistance(s.fovea, sample.fovea) : null,
    measurements: s.tasks.includes('od') ? discCupFeatures(prediction.od, prediction.oc) : null,
  };
}

function meanOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length > 0 ? mean(v) : null;
}

function aucOf(images: readonly ImageScore[], pick: (s: ImageScore) => number | null): number | null {
  const rows = images.filter((s) => s.glaucoma !== null && pick(s) !== null);
  const positives = rows.filter((s) => s.glaucoma === 1).length;
  if (positives === 0 || positives === rows.length) return null;
  return auc(rows.map((s) => pick(s)!), rows.map((s) => s.glaucoma!));
}

export function summarise(images: readonly ImageScore[]): EvaluationSummary {
  const labelled = images.filter((s) => s.glaucoma !== null && s.probability !== null);
  const positives = labelled.filter((s) => s.glaucoma === 1).length;
  const bothClasses = positives > 0 && positives < labelled.length;
  const vcdrPairs = images.filter((s) => s.vcdr !== null && s.vcdrTrue !== null);
  return {
    images: images.length,
    odDice: meanOf(images.map((s) => s.odDice)),
    ocDice: meanOf(images.map((s) => s.ocDice)),
    vcdrMae: vcdrPairs.length > 0 ? mean(vcdrPairs.map((s) => Math.abs(s.vcdr! - s.vcdrTrue!))) : null,
    auc: aucOf(images, (s) => s.probability),
    aucNetwork: aucOf(images, (s) => s.networkProbability),
    aucVcdr: aucOf(images, (s) => s.regressionProbability),
    sensitivityAt85: bothClasses ? sensitivityAtSpecificity(labelled.map((s) => s.probability!), labelled.map((s) => s.glaucoma!), 0.85) : null,
    foveaErrorPx: meanOf(images.map((s) => s.foveaErrorPx)),
  };
}

const METRICS: ReadonlyArray<keyof EvaluationSummary> = ['odDice', 'ocDice', 'vcdrMae', 'auc', 'aucNetwork', 'aucVcdr', 'sensitivityAt85', 'foveaErrorPx'];

/** Per-fold summaries as a package's validation record: each metric's mean and sample sd over the folds, and every fold's. */
export function summariseFolds(folds: readonly EvaluationSummary[], note: string): ValidationRecord {
  const metrics: Record<string, number | null> = {};
  const sd: Record<string, number | null> = {};
  for (const m of METRICS) {
    const values = folds.map((f) => f[m] as number | null).filter((v): v is number => v !== null);
    metrics[m] = values.length ? mean(values) : null;
    sd[m] = values.length ? sampleSd(values) : null;
  }
  return { note, metrics, sd, folds: folds.map((f) => Object.fromEntries(METRICS.map((m) => [m, f[m] as number | null]))) };
}
