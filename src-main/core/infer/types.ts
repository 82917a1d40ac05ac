// What inference returns for one image. Everything is in the original image's
// pixels: masks at original size, the fovea in original coordinates.
import type { BinaryMask, FloatMap, Point, Task } from '../types';

export type GlaucomaDecision = 'glaucoma' | 'normal';

export interface GlaucomaScores {
  /** The network's fully connected branch, or null if the model was not trained for glaucoma. */
  readonly network: number | null;
  /** Logistic regression on the predicted vCDR, or null without a fitted regression or a disc. */
  readonly vcdrRegression: number | null;
  /** The mean of the available scores above (the paper's final score); null when neither is available. */
  readonly probability: number | null;
  /** probability >= threshold (0.5); null with no probability. */
  readonly decision: GlaucomaDecision | null;
}

export interface StructureSummary {
  /** Whether a component survived thresholding and the largest-component step. */
  readonly found: boolean;
  readonly areaPx: number;
  /** Vertical diameter by the REFUGE rule: the most mask pixels in any one column. */
  readonly verticalDiameterPx: number;
  /** Bounding box in original pixels: x0, y0 inclusive; x1, y1 exclusive. */
  readonly box: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number } | null;
}

/** Scalar results of one image: JSON-safe, stored in SQLite and written to CSVs. */
export interface PredictionSummary {
  readonly width: number;
  readonly height: number;
  readonly glaucoma: GlaucomaScores;
  /** Vertical cup-to-disc ratio (REFUGE rule), null when no disc was found. */
  readonly vcdr: number | null;
  readonly disc: StructureSummary;
  readonly cup: StructureSummary;
  /** Fovea in original pixels; null when the model was not trained for it. */
  readonly fovea: Point | null;
  /**
   * Disagreement between test-time augmentations (0 = identical, 1 = disjoint),
   * null when TTA was not run. Used to sort the review queue.
   */
  readonly uncertainty: number | null;
  /** Tasks the model was trained on (others are absent from the result). */
  readonly tasks: readonly Task[];
  /** Problems worth telling the user that did not stop the prediction. */
  readonly warnings: readonly string[];
}

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
