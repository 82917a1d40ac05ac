// Which images a model package was trained on, so that a measurement on them is
// never reported as if they were held out (evaluate warns, the correction-loop
// simulation refuses). Packages list their training images' ids
// (training.sampleIds; a fine-tune's under training.finetune, its parent's under
// training.parent); for a package written before they did, the dataset it names
// is opened again when it is on this machine (for an older cross-validation fold
// package that counts its held-out fold too: its record does not say which fold
// it was, so the answer errs towards "seen"). Ids are compared, not files: a
// re-encoded or shifted copy of a training photograph (bench/finetune/camera-shift.ts)
// keeps its id and is still an image the model has seen.
import fs from 'node:fs';
import type { ImageCodec } from './image-codec';
import { SPLIT_CHOICES, inSplit, type SplitChoice } from './splits';
import { openDataset } from './spec';

type Record_ = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);
const idsOf = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null);

/**
 * The ids of every image the package (and its parents) trained on, or null when
 * that cannot be known here (an older package whose dataset is not on this machine).
 */
export async function trainingImageIds(training: Record_, codec?: ImageCodec): Promise<ReadonlySet<string> | null> {
  const ids = new Set<string>();
  let known = true;
  for (let level: Record_ | null = training; level; level = isRecord(level['parent']) ? level['parent'] : null) {
    const finetune = isRecord(level['finetune']) ? level['finetune'] : null;
    const listed = idsOf(finetune ? finetune['sampleIds'] : level['sampleIds']);
    if (listed) listed.forEach((id) => ids.add(id));
    else if (finetune) known = false;
    else {
      const reopened = await reopenTrainingData(level, codec);
      if (reopened) reopened.forEach((id) => ids.add(id));
      else known = false;
    }
  }
  return known ? ids : null;
}

/** The training images of a package that predates sampleIds, from the dataset and splits its training record names. */
async function reopenTrainingData(training: Record_, codec?: ImageCodec): Promise<string[] | null> {
  const dataset = isRecord(training['dataset']) ? training['dataset'] : null;
  const kind = typeof dataset?.['kind'] === 'string' ? dataset['kind'] : null;
  const root = typeof dataset?.['root'] === 'string' ? dataset['root'] : null;
  // The absolute root when recorded; `data` is the spec as typed, possibly relative to where training ran.
  const spec = kind && root && fs.existsSync(root) ? `${kind}:${root}` : typeof training['data'] === 'string' ? training['data'] : null;
  if (!spec) return null;
  const splits = SPLIT_CHOICES.includes(training['splits'] as SplitChoice) ? (training['splits'] as SplitChoice) : 'train';
  try {
    const opened = await openDataset(spec, codec);
    return inSplit(opened.dataset.samples, splits).map((s) => s.id);
  } catch {
    return null;
  }
}

/** The ids among `ids` that the model trained on, in their order. */
export function seenInTraining(ids: readonly string[], trained: ReadonlySet<string>): string[] {
  return ids.filter((id) => trained.has(id));
}
