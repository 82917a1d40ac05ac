// Dataset samples -> training examples at network size, with the same
// pre-processing inference uses: the whole image letterboxed (pad to square,
// resize), or a square crop around the disc for the second stage. Masks are
// resampled with the same antialiased filter and thresholded at half coverage;
// the fovea is mapped with the letterbox's coordinate rule.
import type { ImageCodec } from '../data/image-codec';
import { readSampleMasks, type DataProblem, type Sample } from '../data/sample';
import { InputError } from '../errors';
import { letterbox, letterboxRegion, toModel } from '../geometry/letterbox';
import { resampleGreyRegion, resampleMaskRegion, resampleRgbRegion } from '../geometry/resample-region';
import { discRegion } from '../infer/disc-crop';
import { refugeVerticalCupToDiscRatio } from '../metrics/vcdr';
import type { NetworkInput } from '../model/package';
import type { TrainingExample } from './example';

export interface PreparedSet {
  readonly examples: TrainingExample[];
  /** Ground-truth vCDR (REFUGE rule, original resolution) per example id, where masks exist. */
  readonly vcdr: Map<string, number>;
  readonly problems: DataProblem[];
}

export interface PrepareOptions {
  readonly size: number;
  readonly input: NetworkInput;
  /** Disc crops also carry the experts' agreement on the cup where the dataset records it (a soft cup target). */
  readonly cupAgreement?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Prepares every sample; a sample whose files cannot be read becomes a problem
 * (file and reason) and the rest go on. Disc crops need a disc mask: samples
 * without one are left out of a crop stage.
 */
export async function prepareExamples(samples: readonly Sample[], codec: ImageCodec, options: PrepareOptions): Promise<PreparedSet> {
  const examples: TrainingExample[] = [];
  const vcdr = new Map<string, number>();
  const problems: DataProblem[] = [];
  let done = 0;
  for (const sample of samples) {
    if (options.signal?.aborted) break;
    try {
      const example = await prepareOne(sample, codec, options, vcdr);
      if (example) examples.push(example);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push({ file: error.file, problem: `${error.problem}; left out of training` });
    }
    options.onProgress?.(++done, samples.length);
  }
  return { examples, vcdr, problems };
}

async function prepareOne(sample: Sample, codec: ImageCodec, options: PrepareOptions, vcdr: Map<string, number>): Promise<TrainingExample | null> {
  const { size, input } = options;
  const masks = sample.masks ? await readSampleMasks(sample, codec) : null;
  if (masks && masks.od.data.some((v) => v)) vcdr.set(sample.id, refugeVerticalCupToDiscRatio(masks.od, masks.oc));
  const labels = { ...(sample.glaucoma !== undefined ? { glaucoma: sample.glaucoma } : {}) };
  if (input.kind === 'full-image') {
    const lb = await codec.readLetterboxed(sample.imageFile, size);
    const region = letterboxRegion(lb.original);
    const geometry = letterbox(lb.original, size);
    return {
      id: sample.id,
      size,
      image: lb.image.data,
      ...(masks ? { od: resampleMaskRegion(masks.od, region, size).data, oc: resampleMaskRegion(masks.oc, region, size).data } : {}),
      ...(sample.fovea ? { fovea: toModel(geometry, sample.fovea) } : {}),
      ...labels,
    };
  }
  if (!masks) return null;
  const original = { width: masks.od.width, height: masks.od.height };
  const region = discRegion(masks.od, input, original);
  if (!region) return null;
  const full = await codec.readRgb(sample.imageFile);
  return {
    id: sample.id,
    size,
    image: resampleRgbRegion(full, region, size).data,
    od: resampleMaskRegion(masks.od, region, size).data,
    oc: resampleMaskRegion(masks.oc, region, size).data,
    ...(options.cupAgreement && masks.cupAgreement ? { ocAgreement: resampleGreyRegion(masks.cupAgreement, region, size).data } : {}),
    ...labels,
  };
}
