// The job behind a folder screening spread over several machines: the
// per-image step of screen-folder (screenFolderItem over infer/screen-image.ts) on a few
// photographs, with the model kept loaded between jobs, because a queue worker
// gets one photograph per job and loading the package each time would cost
// more than screening it.
import type { ImageCodec } from '../data/image-codec';
import { CancelledError } from '../errors';
import { Predictor } from '../infer/predictor';
import { OVERLAY_SIDE, prepareScreeningOutput, screenFolderItem } from '../infer/screen-folder';
import type { ScreenedImage } from '../infer/types';
import type { JobResult, ScreenImagesJobSpec } from './protocol';

/** Keeps the last model package loaded (keyed by its folder: a queue worker's cache folder is named by content hash). */
export class PredictorCache {
  readonly #codec: ImageCodec;
  #loaded: { dir: string; predictor: Predictor } | null = null;

  constructor(codec: ImageCodec) {
    this.#codec = codec;
  }

  get(modelDir: string): Predictor {
    if (this.#loaded?.dir === modelDir) return this.#loaded.predictor;
    this.dispose();
    const predictor = Predictor.open(modelDir, this.#codec);
    this.#loaded = { dir: modelDir, predictor };
    return predictor;
  }

  dispose(): void {
    this.#loaded?.predictor.dispose();
    this.#loaded = null;
  }
}

export async function runScreenImages(spec: ScreenImagesJobSpec, predictors: PredictorCache, codec: ImageCodec, signal: AbortSignal): Promise<JobResult> {
  const started = performance.now();
  const predictor = predictors.get(spec.modelDir);
  prepareScreeningOutput(spec.outDir, spec.overlays);
  const images: ScreenedImage[] = [];
  for (const item of spec.items) {
    if (signal.aborted) throw new CancelledError();
    images.push(await screenFolderItem(item, spec.outDir, predictor, codec, { tta: spec.tta, overlays: spec.overlays, overlaySide: OVERLAY_SIDE, ...(spec.decision ? { decision: spec.decision } : {}) }));
  }
  return { kind: 'screen-images', images, seconds: (performance.now() - started) / 1000 };
}
