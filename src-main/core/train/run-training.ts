// A training run from a dataset to a model package:
//   - the test split (if the dataset has one) is held apart, never trained on;
//   - optional k-fold cross-validation (stratified by label, seeded): each fold
//     model is trained on k-1 folds and scored on the held-out fold with the
//     full inference pipeline and the official metrics at original resolution;
//   - the final model is trained on all training images; its package records the
//     cross-validated metrics, the vCDR regression fitted on ground truth, the
//     resolved configuration and the data card.
// Each network of each fold is a unit with its own checkpoint folder; a resumed
// run skips finished units and continues the unfinished one from its checkpoint.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../backend';
import type { ImageCodec } from '../data/image-codec';
import type { DataProblem, Sample } from '../data/sample';
import { inSplit, type SplitChoice } from '../data/splits';
import { openDataset } from '../data/spec';
import { ConfigError, InputError } from '../errors';
import { writeJsonAtomic } from '../fs/atomic';
import { evaluateModel, summariseFolds, type Evaluation, type EvaluationSummary, type ImageScore } from '../infer/evaluate';
import { medianFieldLuminance } from './exposure-reference';
import { fitDecisionFromScores } from './fit-decision';
import { foldFieldOfView, withFieldOfView } from './fold-field-of-view';
import { Predictor } from '../infer/predictor';
import { fitVcdrRegression } from '../infer/vcdr-regression';
import { resolveArchConfig, type ArchConfig } from '../model/config';
import type { SegmentationLoss } from '../model/losses';
import { MultiTaskUNet } from '../model/network';
import type { ShapePrior } from '../masks/shape-prior';
import type { ShiftReading } from '../decision/field-of-view';
import {
  averagesStages,
  defaultPreprocessing,
  saveModelPackage,
  type DataCard,
  type ModelManifest,
  type NetworkInput,
  type NetworkToSave,
  type ValidationRecord,
  type StageFusion,
  type VcdrRegression,
  withShapePrior,
  withStageFusion,
} from '../model/package';
import type { WeightDtype } from '../model/weights-io';
import { TASKS, type Task } from '../types';
import { CAMERA_AUGMENTATION, DEFAULT_AUGMENTATION, DISC_BRIGHTNESS_AUGMENTATION, DOMAIN_AUGMENTATION, DOMAIN_CAMERA_AUGMENTATION, DOMAIN_STACKED_AUGMENTATION, NO_AUGMENTATION, STACKED_AUGMENTATION } from './augment';
import { CHECKPOINT_DIR } from './checkpoint';
import { FOLD_EVALUATION, FOLD_RECORD, readScoredFold, type FoldRecord } from './scored-fold';
import { foregroundFractions, hasLabel, type TrainingExample } from './example';
import { stratifiedFolds } from '../data/folds';
import { StalledStartError, trainLoop, type EpochRecord, type LearningRateSchedule, type TrainProgress } from './loop';
import { prepareExamples } from './prepare';
import { quickValidate } from './quick-validate';
import { DEFAULT_STALL_POLICY, restartSeed, stallCheckEpoch, stalledReason, type StallPolicy } from './stall';
import { createStrategy, type StrategyName } from './strategies';

export const AUGMENTATIONS = {
  none: NO_AUGMENTATION,
  default: DEFAULT_AUGMENTATION,
  domain: DOMAIN_AUGMENTATION,
  camera: CAMERA_AUGMENTATION,
  'domain-camera': DOMAIN_CAMERA_AUGMENTATION,
  stacked: STACKED_AUGMENTATION,
  'domain-stacked': DOMAIN_STACKED_AUGMENTATION,
  'disc-brightness': DISC_BRIGHTNESS_AUGMENTATION,
} as const;
export type AugmentationName = keyof typeof AUGMENTATIONS;

export interface CropStageConfig {
  readonly arch: ArchConfig;
  readonly epochs: number;
  readonly cropScale: number;
  readonly minSideFraction: number;
  readonly augment: AugmentationName;
  /** The disc-crop network's disc and cup loss. Absent: 'bce' (absent, not 'bce', so earlier runs' checkpoint fingerprints still match). */
  readonly segLoss?: SegmentationLoss;
  /**
   * Two crop networks instead of one (needs a polar `arch`): a Cartesian one, which places
   * and sizes the crop, then the polar one on a crop cut around the Cartesian one's disc
   * (the polar network reads a disc of its training size whatever it is shown, so it
   * cannot correct a crop placed at the wrong size). Absent: one crop network, and
   * fingerprints as before the option existed.
   */
  readonly cascade?: true;
  /**
   * The cascade's polar network's augmentation, where it differs from the Cartesian one's
   * (`augment`): the polar stage decides the cup and was the one a colour cast or gamma
   * threw off (docs/robustness.md). Absent: `augment` for both (and fingerprints as before).
   */
  readonly polarAugment?: AugmentationName;
  /**
   * The cascade's polar network, the one that draws the cup, trains its cup on the experts'
   * agreement (per pixel the share of experts who drew it cup: a soft target) instead of
   * the consensus mask; the datasets with soft maps (Drishti-GS1) only. Absent: the
   * consensus (and fingerprints as before). Left out of the other networks' fingerprints,
   * which it does not change.
   */
  readonly polarCupTarget?: 'agreement';
  /** The crop networks' learning rate rises linearly over this many first epochs. Absent: none (and fingerprints as before). */
  readonly warmupEpochs?: number;
}

/**
 * The probability at which a network trained on the experts' agreement draws its cup, recorded in its package
 * (NetworkEntry.cupThreshold). It answers, per pixel, the share of the four Drishti-GS1 experts who drew it cup
 * (0, 1/4, 2/4, 3/4, 1); the consensus it is scored against is two of four. Cut at 0.5 it keeps only about half of
 * the pixels exactly two experts drew, so its cups come out smaller than the consensus; the cut halfway between the
 * levels 1/4 and 2/4 draws the consensus. Set by this arithmetic before any reading was scored, not tuned
 * (docs/robustness.md, "The cup trained on the experts' agreement").
 */
export const AGREEMENT_CUP_THRESHOLD = 0.375;

export interface TrainingConfig {
  readonly data: string;
  readonly strategy: StrategyName;
  readonly tasks: readonly Task[];
  readonly arch: ArchConfig;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly schedule: LearningRateSchedule;
  readonly seed: number;
  /** 0 or 1: no cross-validation; k >= 2: k folds, then the final model on all images. */
  readonly folds: number;
  readonly augment: AugmentationName;
  /** Glaucomatous and normal eyes drawn equally often in every epoch, by both networks (loop.ts epochOrder). Absent: as they come. */
  readonly balanceClasses?: boolean;
  /** The whole-image network's disc and cup loss. Absent: 'bce', the paper's (absent for the same reason as the crop stage's). */
  readonly segLoss?: SegmentationLoss;
  /** A second network on disc crops for disc and cup (null: none). */
  readonly cropStage: CropStageConfig | null;
  readonly validateEvery: number;
  readonly weightsDtype: WeightDtype;
  readonly name: string;
  readonly dataCard: Partial<Pick<DataCard, 'source' | 'licence' | 'intendedUse' | 'notes'>>;
  /** Train the final model on all images (false: only the cross-validation, e.g. for experiments). */
  readonly finalModel: boolean;
  /**
   * Train and score only these folds (1-based) of the k, and no final model: one
   * cross-validation spread over machines or sessions. Left out of checkpoint
   * fingerprints, so a fold trained alone is the very unit the whole run trains,
   * and the whole run, resumed over the collected folds, reuses it.
   */
  readonly onlyFolds?: readonly number[];
  /**
   * Which of the dataset's splits to train (and cross-validate) on: 'train' (default)
   * holds a test split apart; 'all' includes it (a model to ship, once the recipe is
   * measured); 'test' trains on the test split alone (the mirror of a training-split
   * model, so the two score each other's images: a 2-fold cross-validation on the
   * dataset's own split).
   */
  readonly splits?: SplitChoice;
  /**
   * How the packages read their networks' outputs (their pre-processing's stage fusion and shape prior, as
   * set-stage-fusion and set-shape-prior record them), so the folds are scored, and the decision fitted, on readings
   * made as the shipped package will screen. Absent: as a package without the field reads ('replace', 'none').
   * Left out of checkpoint fingerprints (the networks trained are the same) but kept in each fold's record: a
   * resumed run reads its folds again from their checkpoints instead of training them again.
   */
  readonly stageFusion?: StageFusion;
  readonly shapePrior?: ShapePrior;
  /**
   * Photographs per fold model to measure the field of view on (absent or 0: not measured): each fold model reads up
   * to this many of its held-out photographs (half normal eyes) zoomed out and cut to disc crops
   * (infer/field-of-view-reading.ts), and the final package's decision decides on the disc sizes over which they read
   * as well as unshifted, as `set-domain` records the robustness benchmark's. Needs k >= 2 folds and disc and cup
   * masks; left out of checkpoint fingerprints and fold records (it trains nothing).
   */
  readonly fieldOfView?: number;
}

export const DEFAULT_TRAINING: Omit<TrainingConfig, 'data'> = {
  strategy: 'mtl-io',
  tasks: TASKS,
  arch: resolveArchConfig({}),
  epochs: 30,
  batchSize: 8,
  learningRate: 1e-4,
  schedule: 'constant',
  seed: 1,
  folds: 0,
  augment: 'default',
  cropStage: null,
  validateEvery: 1,
  weightsDtype: 'float32',
  name: 'glaucoma-studio model',
  dataCard: {},
  finalModel: true,
};

export type TrainingEvent =
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'unit'; readonly unit: string; readonly index: number; readonly count: number }
  | { readonly type: 'progress'; readonly unit: string; readonly progress: TrainProgress; readonly overall: { readonly done: number; readonly total: number } }
  | { readonly type: 'epoch'; readonly unit: string; readonly record: EpochRecord }
  | { readonly type: 'fold'; readonly fold: number; readonly summary: EvaluationSummary };

export interface TrainingDeps {
  readonly codec: ImageCodec;
  readonly backend: BackendInfo;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: TrainingEvent) => void;
  /** Restart networks whose initialisation does not learn (stall.ts); false turns the check off. */
  readonly stallPolicy?: StallPolicy | false;
}

export interface TrainingResult {
  /** The final model's package folder (null when finalModel is false). */
  readonly modelDir: string | null;
  readonly manifest: ModelManifest | null;
  readonly crossValidation: ValidationRecord | null;
  readonly foldSummaries: readonly EvaluationSummary[];
  /** Folder of each fold model, for evaluation on a test split. */
  readonly foldModelDirs: readonly string[];
  readonly problems: readonly DataProblem[];
  readonly seconds: number;
}

/** The networks a strategy trains: one multi-task network, or one network per task for the single-task baseline. */
interface PlannedNetwork {
  readonly id: string;
  readonly tasks: Task[];
  readonly input: NetworkInput;
  readonly arch: ArchConfig;
  readonly epochs: number;
  readonly augment: AugmentationName;
  readonly segLoss: SegmentationLoss;
  readonly warmupEpochs?: number;
  /** The cup's target is the experts' agreement (CropStageConfig.polarCupTarget). */
  readonly cupAgreement?: true;
}

function networkPlan(config: TrainingConfig): PlannedNetwork[] {
  const full: NetworkInput = { kind: 'full-image' };
  const segLoss = config.segLoss ?? 'bce';
  const plan: PlannedNetwork[] =
    config.strategy === 'single'
      ? config.tasks.map((t) => ({ id: `single-${t}`, tasks: [t], input: full, arch: config.arch, epochs: config.epochs, augment: config.augment, segLoss }))
      : [{ id: 'main', tasks: [...config.tasks], input: full, arch: config.arch, epochs: config.epochs, augment: config.augment, segLoss }];
  if (config.cropStage) {
    const c = config.cropStage;
    const segTasks = config.tasks.filter((t): t is Task => t === 'od' || t === 'oc');
    if (c.cascade && !c.arch.polar) throw new ConfigError('a crop cascade needs a polar disc-crop network (--crop-polar): a Cartesian network places it');
    if (c.polarAugment && !c.cascade) throw new ConfigError("a separate polar augmentation belongs to a crop cascade's polar network (--crop-cascade); without one, --crop-augment is the polar network's");
    if (c.polarCupTarget && !c.cascade) throw new ConfigError("a polar cup target belongs to a crop cascade's polar network, the one that draws the cup: add --crop-polar --crop-cascade");
    if (segTasks.length > 0) {
      const crop = { tasks: segTasks, epochs: c.epochs, augment: c.augment, segLoss: c.segLoss ?? 'bce', warmupEpochs: c.warmupEpochs };
      const input = { kind: 'disc-crop', cropScale: c.cropScale, minSideFraction: c.minSideFraction } as const;
      if (c.cascade) {
        // The Cartesian network keeps the id a single crop network has; the polar one reads the second stage.
        const { polar: _polar, ...cartesian } = c.arch;
        plan.push({ id: 'disc-crop', input, arch: cartesian, ...crop });
        plan.push({ id: 'disc-crop-polar', input: { ...input, stage: 2 }, arch: c.arch, ...crop, augment: c.polarAugment ?? c.augment, ...(c.polarCupTarget === 'agreement' ? { cupAgreement: true as const } : {}) });
      } else {
        plan.push({ id: 'disc-crop', input, arch: c.arch, ...crop });
      }
    }
  }
  return plan;
}

function withoutAgreement({ ocAgreement: _ocAgreement, ...example }: TrainingExample): TrainingExample {
  return example;
}

/**
 * Networks that train on the same prepared images share them. Both crop stages train
 * on crops around the experts' disc, so the stage is left out.
 */
function preparedKey(net: PlannedNetwork): string {
  const input = net.input.kind === 'disc-crop' ? { ...net.input, stage: undefined } : net.input;
  return `${net.input.kind}:${net.arch.inputSize}:${JSON.stringify(input)}`;
}

/**
 * Identifies what a unit's checkpoint may be resumed into. Epoch counts are left
 * out on purpose: resuming with a larger --epochs extends a finished run (order
 * and augmentation depend only on seed and epoch, so the result equals a run
 * that asked for more epochs from the start).
 */
function fingerprintOf(config: TrainingConfig, samples: readonly Sample[], unit: string, net: Pick<PlannedNetwork, 'cupAgreement'>): string {
  const h = crypto.createHash('sha256');
  const cropStage = config.cropStage && { ...config.cropStage, epochs: undefined, ...(net.cupAgreement ? {} : { polarCupTarget: undefined }) };
  h.update(JSON.stringify({ ...config, cropStage, epochs: undefined, name: undefined, dataCard: undefined, validateEvery: undefined, onlyFolds: undefined, stageFusion: undefined, shapePrior: undefined, fieldOfView: undefined }));
  h.update(unit);
  for (const s of samples) h.update(`${s.id}\n`);
  return h.digest('hex');
}

/**
 * A reading as config fields, each left out at its default ('replace', 'none'): run configs and fold records made
 * before the options existed, or that name the default, stay the same.
 */
export function readingFields(stageFusion: StageFusion | undefined, shapePrior: ShapePrior | undefined): Pick<TrainingConfig, 'stageFusion' | 'shapePrior'> {
  return { ...(stageFusion && averagesStages(stageFusion) ? { stageFusion } : {}), ...(shapePrior && shapePrior !== 'none' ? { shapePrior } : {}) };
}

/** The cut a planned network's package entry records for its cup (NetworkEntry.cupThreshold); none: the package's. */
function cupThresholdOf(net: Pick<PlannedNetwork, 'cupAgreement'>): Pick<NetworkToSave, 'cupThreshold'> {
  return net.cupAgreement ? { cupThreshold: AGREEMENT_CUP_THRESHOLD } : {};
}

/**
 * The reading a fold is scored with, for its record: nothing when it is the default's. A network that draws its cup at
 * its own cut records it here too (the one its package entry gets): folds scored before the cut was recorded are
 * scored again.
 */
function readingRecord(config: Pick<TrainingConfig, 'stageFusion' | 'shapePrior'>, plan: readonly PlannedNetwork[]): Pick<FoldRecord, 'reading'> {
  const reading = { ...readingFields(config.stageFusion, config.shapePrior), ...plan.map(cupThresholdOf).find((c) => c.cupThreshold !== undefined) };
  return Object.keys(reading).length > 0 ? { reading } : {};
}

/** Glaucoma labels for stratification; unlabelled images form their own stratum. */
function stratum(sample: Sample): string {
  return sample.glaucoma === undefined ? 'unknown' : String(sample.glaucoma);
}

export async function runTraining(config: TrainingConfig, outDir: string, deps: TrainingDeps, resume: boolean): Promise<TrainingResult> {
  const started = performance.now();
  const log = (message: string): void => deps.onEvent?.({ type: 'log', message });
  const stallPolicy = deps.stallPolicy === false ? null : (deps.stallPolicy ?? DEFAULT_STALL_POLICY);
  const opened = await openDataset(config.data, deps.codec);
  const all = opened.dataset.samples;
  const problems: DataProblem[] = [...opened.dataset.problems];
  const splits = config.splits ?? 'train';
  const training = inSplit(all, splits);
  if (training.length === 0) throw new InputError(config.data, 'no training images found (only a test split, or an empty dataset)');
  const withLabels = (task: Task): number => training.filter((s) => (task === 'glaucoma' ? s.glaucoma !== undefined : task === 'fovea' ? s.fovea !== undefined : s.masks !== undefined)).length;
  const trainedTasks = config.tasks.filter((t) => withLabels(t) > 0);
  for (const t of config.tasks) if (withLabels(t) === 0) log(`no training image carries a ${t} label: that head is not trained and its output will not be shown`);
  if (trainedTasks.length === 0) throw new InputError(config.data, 'no image carries any label: nothing to train');
  const effective: TrainingConfig = { ...config, tasks: trainedTasks };
  const apart = splits === 'test' ? 'images outside the test split' : 'test images';
  log(`${opened.detected ? `${opened.detected}; ` : ''}${training.length} training images${all.length > training.length ? ` (${all.length - training.length} ${apart} held apart)` : splits === 'all' ? ' (test split included)' : ''}`);
  fs.mkdirSync(outDir, { recursive: true });
  writeJsonAtomic(path.join(outDir, 'config.json'), { ...effective, backend: deps.backend, dataset: { kind: opened.kind, root: opened.dataset.root } });

  const plan = networkPlan(effective);
  // Prepare each input kind once (decoding 2000-px images is the slow part).
  const prepared = new Map<string, Awaited<ReturnType<typeof prepareExamples>>>();
  for (const net of plan) {
    const key = preparedKey(net);
    if (prepared.has(key)) continue;
    log(`preparing ${training.length} images for ${net.id} (${net.input.kind}, ${net.arch.inputSize}px)`);
    const cupAgreement = plan.some((n) => n.cupAgreement && preparedKey(n) === key);
    const set = await prepareExamples(training, deps.codec, { size: net.arch.inputSize, input: net.input, cupAgreement, signal: deps.signal });
    if (cupAgreement && !set.examples.some((e) => e.ocAgreement)) throw new InputError(config.data, "the polar cup target 'agreement' needs the experts' agreement on the cup (soft maps, as Drishti-GS1 has): these masks hold one cup per image");
    problems.push(...set.problems);
    prepared.set(key, set);
  }
  const setFor = (net: PlannedNetwork) => prepared.get(preparedKey(net))!;
  const vcdrTruth = [...prepared.values()][0]!.vcdr;
  // The exposure the whole-image network learnt on: the median field luminance of a unit's training inputs.
  const fullImageSet = setFor(plan.find((n) => n.input.kind === 'full-image') ?? plan[0]!);
  const exposureOf = (ids: ReadonlySet<string>): { luminanceReference?: number } => {
    const reference = medianFieldLuminance(fullImageSet.examples.filter((e) => ids.has(e.id)).map((e) => ({ width: e.size, height: e.size, data: e.image })));
    return reference === null ? {} : { luminanceReference: reference };
  };

  const k = config.folds >= 2 ? config.folds : 0;
  const foldOf = k ? stratifiedFolds(training.map(stratum), k, config.seed) : [];
  const folds = k ? Array.from({ length: k }, (_, f) => f).filter((f) => !config.onlyFolds || config.onlyFolds.includes(f + 1)) : [];
  const units = [...folds, ...(config.finalModel && !config.onlyFolds ? [-1] : [])];
  const totalUnits = units.length * plan.length;
  let unitIndex = 0;
  const foldSummaries: EvaluationSummary[] = [];
  const foldModelDirs: string[] = [];
  let finalDir: string | null = null;
  let finalManifest: ModelManifest | null = null;
  let crossValidation: ValidationRecord | null = null;
  // Every held-out image's score from its fold model: the decision model is fitted on these.
  const outOfFold: ImageScore[] = [];
  // Each fold model's field-of-view readings (config.fieldOfView): the final decision's disc sizes come from these.
  const fieldOfViewReadings: ShiftReading[][] = [];
  const measureFold = async (label: string, unitDir: string, heldOut: readonly Sample[], record: FoldRecord, open: () => { predictor: Predictor; close: () => void }): Promise<void> => {
    if (!config.fieldOfView) return;
    const readings = await foldFieldOfView(unitDir, heldOut, config.fieldOfView, record, open, deps, log, label);
    if (readings) fieldOfViewReadings.push(readings);
  };
  // A scored fold, trained here or reused: its summary, its out-of-fold scores, and the cross-validation once all k are in.
  const addScoredFold = (fold: number, evaluation: Pick<Evaluation, 'summary' | 'images'>): void => {
    foldSummaries.push(evaluation.summary);
    outOfFold.push(...evaluation.images);
    deps.onEvent?.({ type: 'fold', fold, summary: evaluation.summary });
    if (foldSummaries.length === k) crossValidation = summariseFolds(foldSummaries, `${k}-fold cross-validation on ${training.length} images of ${opened.dataset.name} (each fold scored by a model that did not train on it)`);
  };

  for (const fold of units) {
    const isFinal = fold === -1;
    const inTrain = (i: number): boolean => isFinal || foldOf[i] !== fold;
    const trainIds = new Set(training.filter((_, i) => inTrain(i)).map((s) => s.id));
    const heldOut = training.filter((_, i) => !inTrain(i));
    const label = isFinal ? 'final' : `fold ${fold + 1}/${k}`;
    const unitDir = path.join(outDir, isFinal ? 'final' : `folds/${fold + 1}`);
    const modelDir = isFinal ? path.join(outDir, 'model') : path.join(unitDir, 'model');
    // Each network's checkpoint fingerprint; with the epochs, what a scored fold was trained as:
    // a resumed run reuses the fold only if this record matches.
    const record: FoldRecord = {
      units: plan.map((net) => ({ network: net.id, fingerprint: fingerprintOf(effective, training, `${label} ${net.id}`, net), epochs: net.epochs })),
      ...readingRecord(config, plan),
    };
    if (!isFinal && resume) {
      const scored = readScoredFold(unitDir, record, heldOut);
      if (scored) {
        log(`${label}: already trained and scored with these settings (${path.join(unitDir, FOLD_RECORD)}): its evaluation is reused`);
        foldModelDirs.push(modelDir);
        addScoredFold(fold, scored);
        await measureFold(label, unitDir, heldOut, record, () => {
          const predictor = Predictor.open(modelDir, deps.codec);
          return { predictor, close: () => predictor.dispose() };
        });
        unitIndex += plan.length;
        continue;
      }
    }
    const networks: NetworkToSave[] = [];
    const histories: Record<string, readonly EpochRecord[]> = {};
    const restarts: Record<string, number> = {};
    try {
      for (const [n, net] of plan.entries()) {
        const unit = `${label} ${net.id}`;
        deps.onEvent?.({ type: 'unit', unit, index: unitIndex, count: totalUnits });
        const set = setFor(net);
        const train = set.examples.filter((e) => trainIds.has(e.id));
        const validation = set.examples.filter((e) => !trainIds.has(e.id));
        // Networks that train on the consensus cup do not see the agreement the shared crops may carry.
        const usable = train.filter((e) => net.tasks.some((t) => hasLabel(e, t))).map((e) => (net.cupAgreement || !e.ocAgreement ? e : withoutAgreement(e)));
        if (usable.length === 0) throw new InputError(config.data, `${unit}: no training image carries a label for ${net.tasks.join(', ')}`);
        const runDir = path.join(unitDir, 'runs', net.id);
        const initSeed = config.seed * 1000 + (isFinal ? 999 : fold);
        // Judged by the masks' Dice: a network without a mask task (single-task glaucoma) is not checked.
        const hasMask = net.tasks.some((t) => t === 'od' || t === 'oc');
        const checkAfter = stallPolicy && hasMask ? stallCheckEpoch(net.epochs, stallPolicy) : null;
        const attempts = stallPolicy && checkAfter !== null ? stallPolicy.attempts : 1;
        for (let attempt = 0; ; attempt++) {
          const model = MultiTaskUNet.create(net.arch, restartSeed(initSeed, attempt), foregroundFractions(usable));
          const strategy = createStrategy(config.strategy === 'single' ? 'single' : config.strategy, net.tasks, { learningRate: config.learningRate }, net.segLoss);
          try {
            const done = unitIndex;
            const lastAttempt = attempt === attempts - 1;
            const result = await trainLoop({
              model,
              strategy,
              train: usable,
              epochs: net.epochs,
              batchSize: config.batchSize,
              seed: config.seed + (isFinal ? 0 : fold + 1) * 7919,
              augment: AUGMENTATIONS[net.augment],
              balanceClasses: config.balanceClasses === true,
              schedule: { learningRate: config.learningRate, kind: config.schedule, warmupEpochs: net.warmupEpochs },
              evaluate: validation.length > 0 ? (m) => quickValidate(m, validation, net.tasks) : undefined,
              validateEvery: config.validateEvery,
              runDir,
              fingerprint: record.units[n]!.fingerprint,
              resume,
              signal: deps.signal,
              stallCheck:
                stallPolicy && checkAfter !== null && !lastAttempt
                  ? { afterEpochs: checkAfter, reason: (m) => stalledReason(trainingDice(m, usable, net.tasks), net.tasks, stallPolicy) }
                  : undefined,
              onProgress: (progress) =>
                deps.onEvent?.({ type: 'progress', unit, progress, overall: { done: done + (progress.epoch + progress.step / progress.steps) / progress.epochs, total: totalUnits } }),
              onEpoch: (record) => deps.onEvent?.({ type: 'epoch', unit, record }),
            });
            histories[net.id] = result.history;
            networks.push({ id: net.id, tasks: net.tasks, input: net.input, net: model, ...cupThresholdOf(net) });
            if (attempt > 0) restarts[net.id] = attempt;
            break;
          } catch (error) {
            model.dispose();
            if (!(error instanceof StalledStartError)) throw error;
            // The stalled attempt's checkpoint must not be resumed into the next one.
            fs.rmSync(path.join(runDir, CHECKPOINT_DIR), { recursive: true, force: true });
            log(`${unit}: ${error.message}; restarting from a new initialisation (${attempt + 2}/${attempts})`);
          } finally {
            strategy.dispose();
          }
        }
        unitIndex++;
      }
      const regression = fitRegression(training.filter((s) => trainIds.has(s.id)), vcdrTruth, log);
      const fields = {
        id: `${slug(config.name)}-${crypto.randomBytes(4).toString('hex')}`,
        name: isFinal ? config.name : `${config.name} (${label})`,
        createdAt: new Date().toISOString(),
        description: `Trained with ${config.strategy} on ${trainIds.size} images of ${opened.dataset.name}.`,
        trainedTasks,
        preprocessing: withShapePrior(withStageFusion({ ...defaultPreprocessing(config.arch.inputSize), ...exposureOf(trainIds) }, config.stageFusion ?? 'replace'), config.shapePrior ?? 'none'),
        vcdrRegression: regression,
        decision: isFinal && outOfFold.length > 0 ? withFieldOfView(fitDecisionFromScores(outOfFold, `${k}-fold cross-validation on ${training.length} images of ${opened.dataset.name}: each image measured on the segmentation of a model that did not train on it`, log), config.fieldOfView ? fieldOfViewReadings : null, k, log) : null,
        dataCard: dataCardFor(config, trainIds.size, training.filter((s) => trainIds.has(s.id))),
        // sampleIds: so evaluate and the benches can tell when they measure on images it trained on.
        training: { ...effective, backend: deps.backend, histories, ...(Object.keys(restarts).length ? { restarts } : {}), sampleIds: [...trainIds] },
        validation: isFinal ? crossValidation : null,
        parent: null,
      };
      const manifest = await saveModelPackage(modelDir, fields, networks, config.weightsDtype);
      if (isFinal) {
        finalDir = modelDir;
        finalManifest = manifest;
      } else {
        foldModelDirs.push(modelDir);
        log(`${label}: scoring ${heldOut.length} held-out images`);
        const predictor = new Predictor(
          { dir: modelDir, manifest, networks: networks.map((n) => ({ entry: manifest.networks.find((e) => e.id === n.id)!, net: n.net })), dispose: () => undefined },
          deps.codec,
        );
        // Scored exactly as `screen` and the app predict (with the flipped second pass).
        const evaluation = await evaluateModel(predictor, heldOut, deps.codec, { tta: true, signal: deps.signal });
        problems.push(...evaluation.problems);
        writeJsonAtomic(path.join(unitDir, FOLD_EVALUATION), evaluation);
        // Written after the evaluation: its presence says the fold is complete.
        writeJsonAtomic(path.join(unitDir, FOLD_RECORD), record);
        addScoredFold(fold, evaluation);
        await measureFold(label, unitDir, heldOut, record, () => ({ predictor, close: () => undefined }));
      }
    } finally {
      for (const n of networks) n.net.dispose();
    }
    if (deps.signal?.aborted) break;
  }
  if (crossValidation) writeJsonAtomic(path.join(outDir, 'cross-validation.json'), crossValidation);
  if (tf.memory().numTensors > 10_000) log(`warning: ${tf.memory().numTensors} tensors alive after training`);
  return { modelDir: finalDir, manifest: finalManifest, crossValidation, foldSummaries, foldModelDirs, problems, seconds: (performance.now() - started) / 1000 };
}

/** Dice of the network on its own training images (un-augmented), for the stall check. */
function trainingDice(model: MultiTaskUNet, examples: readonly TrainingExample[], tasks: readonly Task[]): Partial<Record<Task, number | null>> {
  const scores = quickValidate(model, examples, tasks.filter((t) => t === 'od' || t === 'oc'));
  return { od: scores.odDice, oc: scores.ocDice };
}

function fitRegression(samples: readonly Sample[], vcdr: ReadonlyMap<string, number>, log: (m: string) => void): VcdrRegression | null {
  const rows = samples.filter((s) => s.glaucoma !== undefined && vcdr.has(s.id));
  const positives = rows.filter((s) => s.glaucoma === 1).length;
  if (positives === 0 || positives === rows.length) {
    log('vCDR regression not fitted: the training images need both glaucoma and normal cases with disc/cup masks');
    return null;
  }
  const fit = fitVcdrRegression(rows.map((s) => vcdr.get(s.id)!), rows.map((s) => s.glaucoma!));
  return { ...fit, fittedOn: `ground-truth vCDR of ${rows.length} training images (${positives} glaucoma)`, samples: rows.length };
}

function dataCardFor(config: TrainingConfig, images: number, samples: readonly Sample[]): DataCard {
  const labels: Partial<Record<Task, number>> = {
    glaucoma: samples.filter((s) => s.glaucoma !== undefined).length,
    od: samples.filter((s) => s.masks).length,
    oc: samples.filter((s) => s.masks).length,
    fovea: samples.filter((s) => s.fovea).length,
  };
  return {
    source: config.dataCard.source ?? config.data,
    licence: config.dataCard.licence ?? 'as the source dataset; see its terms',
    intendedUse: config.dataCard.intendedUse ?? 'research and education; not for clinical use',
    images,
    labels,
    ...(config.dataCard.notes ? { notes: config.dataCard.notes } : {}),
  };
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'model'
  );
}

/** Checks a training configuration before any work starts. */
export function validateTrainingConfig(config: TrainingConfig): void {
  if (!Number.isInteger(config.epochs) || config.epochs < 1) throw new ConfigError(`epochs: ${config.epochs} must be a positive integer`);
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) throw new ConfigError(`batch: ${config.batchSize} must be a positive integer`);
  if (!(config.learningRate > 0 && config.learningRate < 1)) throw new ConfigError(`lr: ${config.learningRate} must be in (0, 1)`);
  if (!Number.isInteger(config.folds) || config.folds < 0 || config.folds === 1 || config.folds > 20) throw new ConfigError(`folds: ${config.folds} must be 0 (none) or 2..20`);
  if (config.tasks.length === 0) throw new ConfigError('tasks: at least one task is needed');
  if (config.fieldOfView !== undefined && config.fieldOfView !== 0) {
    if (!Number.isInteger(config.fieldOfView) || config.fieldOfView < 1) throw new ConfigError(`field-of-view: ${config.fieldOfView} must be a positive number of photographs per fold`);
    if (config.folds < 2) throw new ConfigError('field-of-view: is measured by the fold models on the photographs they held out: add --folds K (2 or more)');
  }
  if (config.onlyFolds) {
    if (config.folds < 2) throw new ConfigError('fold: needs --folds K (2 or more) to say which cross-validation the folds belong to');
    const bad = config.onlyFolds.filter((f) => !Number.isInteger(f) || f < 1 || f > config.folds);
    if (bad.length || config.onlyFolds.length === 0) throw new ConfigError(`fold: ${bad.join(', ') || 'none'}: each fold must be a whole number from 1 to ${config.folds}`);
  }
  if (config.stageFusion && averagesStages(config.stageFusion) && !config.cropStage?.cascade) {
    throw new ConfigError(`stage-fusion: '${config.stageFusion}' averages the two disc-crop stages of a cascade: add --crop-stage --crop-polar --crop-cascade`);
  }
}

