// What inference returns for one image. Everything is in the original image's
// pixels: masks at original size, the fovea in original coordinates.
import type { z } from 'zod';
import type { GlaucomaScoresSchema, PredictionSummarySchema, StructureSummarySchema } from '../contract/contract';
import type { BinaryMask, DeepReadonly, FloatMap } from '../types';

// The scalar results' types are derived from their schemas in the contract, which validates them in SQLite and over IPC.
export type GlaucomaScores = DeepReadonly<z.infer<typeof GlaucomaScoresSchema>>;
export type GlaucomaDecision = NonNullable<GlaucomaScores['decision']>;
export type StructureSummary = DeepReadonly<z.infer<typeof StructureSummarySchema>>;
/** Scalar results of one image: JSON-safe, stored in SQLite and written to CSVs. */
export type PredictionSummary = DeepReadonly<z.infer<typeof PredictionSummarySchema>>;

/** A full prediction: the summary plus masks and maps. */
export interface CasePrediction {
  readonly summary: PredictionSummary;
  /** Optic disc mask at original size (includes the cup). */
  readonly od: BinaryMask;
  /** Optic cup mask at original size (inside the disc). */
  readonly oc: BinaryMask;
  /** The network's probability maps at model resolution, for the heat-map view. */
  readonly maps: { readonly od: FloatMap; readonly oc: FloatMap; readonly fovea: FloatMap | null };
}

/** One photograph of a screened folder (the CLI's `screen`). */
export interface ScreenedImage {
  readonly id: string;
  readonly file: string;
  /** File name as written in the CSVs (REFUGE uses the image's file name). */
  readonly name: string;
  readonly prediction: PredictionSummary | null;
  readonly problem: string | null;
  readonly ms: number;
}
