// The speed benchmark's settings and its one-line result.
import type { ArchVariant } from '../model/config';

export interface BenchConfig {
  readonly variant: ArchVariant;
  readonly width: number;
  readonly size: number;
  /** Training batch of the MTL-IO step. */
  readonly batch: number;
  /** Batch sizes for inference timing. */
  readonly inferBatches: readonly number[];
  /** Timed repetitions (the median is reported) after one warm-up. */
  readonly repeats: number;
  /** Folder of real photographs for end-to-end screening throughput (null: skip). */
  readonly screeningFolder: string | null;
  /** Model package for the screening measurement. */
  readonly screeningModelDir: string | null;
  /** Skip the training-step measurement (it dominates the run time at width 1). */
  readonly skipTraining: boolean;
}

export interface BenchResult {
  readonly backend: string;
  readonly device: string;
  readonly variant: ArchVariant;
  readonly width: number;
  readonly size: number;
  readonly params: number;
  /** Inference ms per image at each batch size, e.g. { "1": 812, "8": 640 }. */
  readonly inferMsPerImage: Readonly<Record<string, number>>;
  readonly mtlioStepMsPerImage: number | null;
  /** The backend the training step ran on (wasm cannot train; it falls back to cpu). */
  readonly trainBackend: string | null;
  readonly trainBatch: number;
  /** Forward GFLOP per image (multiply-adds x 2) and achieved GFLOP/s. */
  readonly forwardGflopPerImage: number;
  readonly inferGflops: number;
  readonly trainGflops: number | null;
  readonly peakRssMb: number;
  readonly screening: { readonly images: number; readonly msPerImage: number; readonly model: string; readonly imageSize: string } | null;
  readonly node: string;
  readonly date: string;
}
