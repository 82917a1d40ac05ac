// The message protocol between a process that wants work done (the CLI, the
// app's main process, tests) and the job process that owns TensorFlow. One
// union per direction, discriminated on `type`; both sides handle every type in
// an exhaustive switch. Messages are structured-clone/JSON safe: paths and
// numbers, never tensors or images.
import type { LabelMapDto, PairedCaseScores } from '../contract/contract';
import type { BackendInfo } from '../backend';
import type { DataProblem } from '../data/sample';
import type { DecisionSettings } from '../infer/assessment';
import type { EvaluationSummary } from '../infer/evaluate';
import type { ValidationRecord } from '../model/package';
import type { BenchConfig, BenchResult } from '../bench/types';
import type { ExperimentConfig } from '../train/experiment-types';
import type { FinetuneSpec } from '../train/finetune-spec';
import type { TrainingConfig } from '../train/run-training';
import type { PredictionSummary, ScreenedImage } from '../infer/types';
import type { ScreeningItem } from '../infer/screen-folder';
import type { EpochRecord } from '../train/loop';

/** Screen image files with a model package; masks and maps go to files under outDir. */
export interface ScreenJobSpec {
  readonly kind: 'screen';
  readonly modelDir: string;
  /** `key` identifies the item to the caller (a case id, a file stem). */
  readonly items: ReadonlyArray<{ readonly key: string; readonly file: string }>;
  /** Heat maps (when asked) go to `<outDir>/<key>.<task>.png`. */
  readonly outDir: string;
  /** Test-time augmentation (horizontal flip); gives the uncertainty score. */
  readonly tta: boolean;
  readonly heatmaps: boolean;
}

/** Fine-tune a model package on corrected cases (the spec is the training layer's). */
export type FinetuneJobSpec = { readonly kind: 'finetune' } & FinetuneSpec;

/** CLI `train`: a training run (optional cross-validation) from a dataset spec to a model package. */
export interface TrainJobSpec {
  readonly kind: 'train';
  readonly config: TrainingConfig;
  readonly outDir: string;
  readonly resume: boolean;
}

/** CLI `evaluate`: official metrics of a model on a labelled dataset (its test split when it has one). */
export interface EvaluateJobSpec {
  readonly kind: 'evaluate';
  readonly data: string;
  readonly modelDir: string;
  readonly outDir: string;
  readonly tta: boolean;
  /** 'test': the dataset's test split if it has one, else everything; 'train': all but the test split; 'all': every labelled image. */
  readonly split: 'test' | 'train' | 'all';
}

/** CLI `screen`: a folder of photographs to REFUGE submission files, overlays and a report. */
export interface ScreenFolderJobSpec {
  readonly kind: 'screen-folder';
  readonly folder: string;
  readonly modelDir: string;
  readonly outDir: string;
  readonly tta: boolean;
  readonly overlays: boolean;
  /** Decision rule and operating point (default: the package's decision model at its stored specificity). */
  readonly decision?: DecisionSettings;
  /** Continue the partial run already in outDir (config.json status 'partial' or 'running'). */
  readonly resume?: boolean;
}

/**
 * Part of a folder screening spread over several machines (src-main/queue):
 * the per-image step of `screen-folder` for the given photographs, writing the
 * same files under outDir; the caller gathers the CSVs and the report.
 */
export interface ScreenImagesJobSpec {
  readonly kind: 'screen-images';
  readonly modelDir: string;
  readonly items: readonly ScreeningItem[];
  readonly outDir: string;
  readonly tta: boolean;
  readonly overlays: boolean;
  /** As in screen-folder: every part of one screening decides with the same settings. */
  readonly decision?: DecisionSettings;
}

/** CLI `experiment`: the paper's protocol for several strategies (see train/experiment.ts). */
export interface ExperimentJobSpec {
  readonly kind: 'experiment';
  readonly config: ExperimentConfig;
  readonly outDir: string;
  readonly resume: boolean;
}

/** CLI `bench`: speed of the model on this machine's backend. */
export interface BenchJobSpec {
  readonly kind: 'bench';
  readonly config: BenchConfig;
}

export type JobSpec = ScreenJobSpec | FinetuneJobSpec | TrainJobSpec | EvaluateJobSpec | ScreenFolderJobSpec | ScreenImagesJobSpec | ExperimentJobSpec | BenchJobSpec;

export interface ScreenItemResult {
  readonly key: string;
  readonly file: string;
  readonly summary: PredictionSummary;
  /** Disc and cup at original size as a run-length label map (0 background, 1 rim, 2 cup). */
  readonly labels: LabelMapDto;
  readonly heatmapFiles: { readonly od: string | null; readonly oc: string | null; readonly fovea: string | null };
}

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly etaS: number | null;
  readonly message: string;
}

/** Parent -> job process. */
export type ToJob =
  | { readonly type: 'start'; readonly jobId: string; readonly spec: JobSpec }
  | { readonly type: 'cancel'; readonly jobId: string }
  | { readonly type: 'shutdown' };

/** Job process -> parent. */
export type FromJob =
  | { readonly type: 'ready'; readonly backend: BackendInfo }
  | { readonly type: 'progress'; readonly jobId: string; readonly progress: JobProgress }
  | { readonly type: 'item'; readonly jobId: string; readonly item: ScreenItemResult }
  | { readonly type: 'item-error'; readonly jobId: string; readonly key: string; readonly file: string; readonly problem: string }
  | { readonly type: 'epoch'; readonly jobId: string; readonly unit: string; readonly record: EpochRecord }
  | { readonly type: 'log'; readonly jobId: string | null; readonly level: 'info' | 'warn'; readonly message: string }
  | { readonly type: 'done'; readonly jobId: string; readonly result: JobResult }
  | { readonly type: 'cancelled'; readonly jobId: string }
  | { readonly type: 'failed'; readonly jobId: string; readonly message: string; readonly file?: string };

export type JobResult =
  | { readonly kind: 'screen'; readonly screened: number; readonly failed: number; readonly seconds: number }
  | {
      readonly kind: 'finetune';
      readonly modelDir: string;
      readonly modelId: string;
      /** The new model's metrics on the held-back corrections, and the parent's on the same cases. */
      readonly validation: Readonly<Record<string, number | null>>;
      readonly parentValidation: Readonly<Record<string, number | null>>;
      /** Each held-back case scored by the new model and by its parent (absent from job processes that predate it). */
      readonly heldBack?: readonly PairedCaseScores[];
      readonly seconds: number;
    }
  | { readonly kind: 'train'; readonly modelDir: string | null; readonly crossValidation: ValidationRecord | null; readonly problems: readonly DataProblem[]; readonly seconds: number }
  | {
      readonly kind: 'evaluate';
      readonly summary: EvaluationSummary;
      readonly images: number;
      /** How many of the scored images the model trained on; null when that cannot be checked here. */
      readonly seenInTraining: number | null;
      readonly problems: readonly DataProblem[];
      readonly seconds: number;
    }
  | { readonly kind: 'screen-folder'; readonly screened: number; readonly failed: number; readonly suspects: number; readonly undecided: number; readonly operatingPoint: string; readonly problems: readonly DataProblem[]; readonly msPerImage: number; readonly seconds: number }
  | { readonly kind: 'screen-images'; readonly images: readonly ScreenedImage[]; readonly seconds: number }
  | { readonly kind: 'experiment'; readonly reportDir: string; readonly seconds: number }
  | { readonly kind: 'bench'; readonly result: BenchResult };

/** Compile-time exhaustiveness for switch statements over the unions above. */
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
