// The per-image screening step, shared by the CLI's `screen` (screen-folder.ts)
// and the app's screening job (jobs/worker.ts): predict one photograph, let the
// caller write what it keeps (REFUGE masks and overlays; heat maps and labels),
// and turn a file the user gave that cannot be screened (corrupt, truncated,
// too small...) into a one-line problem instead of an error that stops the run.
import type { ImageCodec } from '../data/image-codec';
import type { DecisionSettings } from './assessment';
import { InputError } from '../errors';
import type { RgbImage } from '../types';
import type { Predictor } from './predictor';
import type { CasePrediction } from './types';

export type ScreenImageResult =
  | { readonly ok: true; readonly prediction: CasePrediction; readonly ms: number }
  | { readonly ok: false; readonly file: string; readonly problem: string; readonly ms: number };

/**
 * Screens one image file. `keep` writes the caller's outputs; it gets the
 * full-size photograph on demand, decoded at most once for the disc-crop stage
 * and the caller alike. An InputError (from reading, predicting or keeping)
 * becomes `{ ok: false }`; anything else is a bug and is thrown.
 */
export async function screenImage(
  predictor: Predictor,
  codec: ImageCodec,
  file: string,
  options: { readonly tta: boolean; readonly decision?: DecisionSettings },
  keep: (prediction: CasePrediction, original: () => Promise<RgbImage>) => Promise<void>,
): Promise<ScreenImageResult> {
  const t0 = performance.now();
  try {
    let decoded: Promise<RgbImage> | undefined;
    const original = (): Promise<RgbImage> => (decoded ??= codec.readRgb(file));
    const prediction = await predictor.predictFile(file, options, original);
    await keep(prediction, original);
    return { ok: true, prediction, ms: performance.now() - t0 };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { ok: false, file: error.file, problem: error.problem, ms: performance.now() - t0 };
  }
}
