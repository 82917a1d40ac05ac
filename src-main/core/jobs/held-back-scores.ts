// The held-back cases scored one by one by a fine-tuned model and by its
// parent, so the two can be compared case by case (a paired comparison with an
// interval, registry/comparison.ts) rather than by two means. Runs in the job
// process after the fine-tune, on the same mask files the fine-tune validated on.
import type { ImageCodec } from '../data/image-codec';
import type { Sample } from '../data/sample';
import type { PairedCaseScores } from '../contract/contract';
import { evaluateModel, type ImageScore } from '../infer/evaluate';
import { Predictor } from '../infer/predictor';
import type { LabelledImage } from '../train/finetune-spec';

function sampleOf(image: LabelledImage): Sample {
  return { id: image.id, imageFile: image.file, dataset: 'manifest', ...(image.mask ? { masks: { kind: 'refuge' as const, file: image.mask } } : {}) };
}

type Scores = PairedCaseScores['child'];

/** Dice of disc and cup, and the absolute vCDR error against the expert's annotation. */
export function caseScores(score: ImageScore | undefined): Scores {
  if (!score) return { odDice: null, ocDice: null, vcdrError: null };
  return {
    odDice: score.odDice,
    ocDice: score.ocDice,
    vcdrError: score.vcdr !== null && score.vcdrTrue !== null ? Math.abs(score.vcdr - score.vcdrTrue) : null,
  };
}

async function scoresOf(modelDir: string, samples: readonly Sample[], codec: ImageCodec, signal?: AbortSignal): Promise<Map<string, ImageScore>> {
  const predictor = Predictor.open(modelDir, codec);
  try {
    const evaluation = await evaluateModel(predictor, samples, codec, { tta: false, ...(signal ? { signal } : {}) });
    return new Map(evaluation.images.map((s) => [s.id, s]));
  } finally {
    predictor.dispose();
  }
}

/** Every held-back case with the child's and the parent's scores (null where a model could not score it). */
export async function scoreHeldBack(
  parentDir: string,
  childDir: string,
  images: readonly LabelledImage[],
  codec: ImageCodec,
  signal?: AbortSignal,
): Promise<PairedCaseScores[]> {
  if (images.length === 0) return [];
  const samples = images.map(sampleOf);
  const child = await scoresOf(childDir, samples, codec, signal);
  const parent = await scoresOf(parentDir, samples, codec, signal);
  return images.map((image) => ({ id: image.id, child: caseScores(child.get(image.id)), parent: caseScores(parent.get(image.id)) }));
}
