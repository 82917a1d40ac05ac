// The field of view measured during a cross-validation (`train --field-of-view N`): each fold model reads up to N of
// the photographs it held out, unshifted, zoomed out and cut to disc crops (infer/field-of-view-reading.ts); the
// final package's decision then decides on the disc sizes over which the fold models read as well as unshifted
// (decision/field-of-view.ts), as `set-domain` records the robustness benchmark's measurement. Each fold's readings
// are kept in its folder, so a resumed run measures a fold again only when its photographs or reading changed.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ImageCodec } from '../data/image-codec';
import { readSampleMasks, type Sample } from '../data/sample';
import { fieldOfViewDomain, keepMeasuredDomain, ShiftReadingSchema, type ShiftReading } from '../decision/field-of-view';
import type { DecisionModel } from '../decision/model';
import { writeJsonAtomic } from '../fs/atomic';
import { readJsonFileAs } from '../fs/json-file';
import { balancedSelection, discCentreOf, predictorReader, readFieldOfView, type LabelledPhotograph } from '../infer/field-of-view-reading';
import type { Predictor } from '../infer/predictor';
import { sameReading, type FoldRecord } from './scored-fold';

/** A fold's field-of-view readings, beside its evaluation.json. */
export const FOLD_FIELD_OF_VIEW = 'field-of-view.json';

const FoldFieldOfViewSchema = z.object({
  images: z.array(z.string()),
  reading: z.object({ stageFusion: z.string().optional(), shapePrior: z.string().optional(), cupThreshold: z.number().optional() }).optional(),
  readings: z.array(ShiftReadingSchema).min(1),
});

/**
 * One fold model's readings of up to `count` held-out photographs with masks: reused from the fold's folder when
 * they were taken of the same photographs with the same reading, else measured (with the predictor `open` gives)
 * and written. Null, with the reason logged, when the fold held out no photograph with disc and cup masks.
 */
export async function foldFieldOfView(
  unitDir: string,
  heldOut: readonly Sample[],
  count: number,
  record: Pick<FoldRecord, 'reading'>,
  open: () => { predictor: Predictor; close: () => void },
  deps: { readonly codec: ImageCodec; readonly signal?: AbortSignal },
  log: (message: string) => void,
  label: string,
): Promise<ShiftReading[] | null> {
  const chosen = balancedSelection(
    heldOut.filter((s) => s.masks !== undefined),
    count,
  );
  if (chosen.length === 0) {
    log(`${label}: no held-out photograph with disc and cup masks: its field of view is not measured`);
    return null;
  }
  const ids = chosen.map((s) => s.id);
  const photographs = `${ids.length} held-out photograph${ids.length === 1 ? '' : 's'}`;
  const file = path.join(unitDir, FOLD_FIELD_OF_VIEW);
  if (fs.existsSync(file)) {
    const kept = readJsonFileAs(file, FoldFieldOfViewSchema, 'fold field-of-view readings');
    if (JSON.stringify(kept.images) === JSON.stringify(ids) && sameReading(kept, record)) {
      log(`${label}: field of view already measured on these ${photographs} (${file}): reused`);
      return kept.readings;
    }
  }
  log(`${label}: measuring the field of view on ${photographs} (zoomed out, disc crops)`);
  const labelled: { photograph: LabelledPhotograph; centre: { x: number; y: number } }[] = [];
  for (const s of chosen) {
    const image = await deps.codec.readRgb(s.imageFile);
    const { od, oc } = await readSampleMasks(s, deps.codec);
    labelled.push({ photograph: { image, od, oc }, centre: discCentreOf(s, od) });
  }
  const { predictor, close } = open();
  try {
    // The package's own reading (its stage fusion and shape prior), with the flipped pass, as `screen` reads.
    const readings = await readFieldOfView(predictorReader(predictor, { tta: true }), labelled, deps.signal);
    writeJsonAtomic(file, { images: ids, ...(record.reading ? { reading: record.reading } : {}), readings });
    return readings;
  } finally {
    close();
  }
}

/**
 * The final decision with the disc sizes its fold models were measured to read well at (joined with its cases'
 * own), or as fitted when the field of view was not asked for, a fold was not measured, or no fold model found
 * a disc in the unshifted photographs (the reason is logged).
 */
export function withFieldOfView(decision: DecisionModel | null, readings: readonly ShiftReading[][] | null, folds: number, log: (message: string) => void): DecisionModel | null {
  if (!decision || readings === null) return decision;
  if (readings.length < folds) {
    log(`field of view not measured on every fold (${readings.length} of ${folds}): the decision decides on its cases' disc sizes`);
    return decision;
  }
  let measured: ReturnType<typeof fieldOfViewDomain>;
  try {
    measured = fieldOfViewDomain(readings);
  } catch (error) {
    log(`field of view not measured: ${(error as Error).message}; the decision decides on its cases' disc sizes`);
    return decision;
  }
  const domain = decision.domain ? keepMeasuredDomain(decision.domain, measured.domain) : measured.domain;
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  log(`field of view: decides on discs spanning ${pct(domain.discSize.low)}-${pct(domain.discSize.high)} of the image's shorter side (${measured.domain.evidence})`);
  return { ...decision, domain };
}
