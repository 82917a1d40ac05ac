// Export of a study's expert annotations (corrected and approved cases) in
// the formats other tools read: REFUGE (an 8-bit BMP mask per image, 0 cup /
// 128 rim / 255 background, named like the image, plus
// fovea_location_results.csv with ImageName,Fovea_X,Fovea_Y as the official
// evaluation reads it) and PNG masks with the same values. Every file is
// written atomically; subfolders of the study are mirrored.
import path from 'node:path';
import { writeBmpGrey } from '../data/bmp';
import { csvField } from '../data/csv';
import type { ImageCodec } from '../data/image-codec';
import { writeFileAtomic } from '../fs/atomic';
import { encodeRefugeMask } from '../masks/refuge-mask';
import type { Store } from '../store/store';
import { ApiError, notFound } from '../contract/errors';
import { decodeLabelRuns, masksFromLabels } from '../contract/label-map';

export const FOVEA_CSV = 'fovea_location_results.csv';

export type ExportFormat = 'refuge' | 'png';

/** Writes the annotations; returns how many cases were written. */
export async function exportCorrections(deps: { store: Store; codec: ImageCodec }, studyId: string, folder: string, formats: readonly ExportFormat[]): Promise<{ folder: string; written: number }> {
  const { store, codec } = deps;
  const study = store.studies.get(studyId);
  if (!study) throw notFound('study', studyId);
  const out = path.resolve(folder);
  const inside = path.relative(study.folder, out);
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) {
    throw new ApiError('invalid-input', `choose an export folder outside the study's image folder (${study.folder}): masks named like the images must not land beside them`, out);
  }
  const rows: string[] = ['ImageName,Fovea_X,Fovea_Y'];
  let written = 0;
  for (const c of store.cases.listByStudy(studyId)) {
    if (c.status !== 'corrected' && c.status !== 'approved') continue;
    const annotation = store.annotations.current(c.id);
    if (!annotation) continue;
    const { od, oc } = masksFromLabels(decodeLabelRuns(annotation.labels));
    const { width, height } = annotation.labels;
    const mask = encodeRefugeMask({ width, height, data: od }, { width, height, data: oc });
    const stem = c.name.slice(0, c.name.length - path.extname(c.name).length);
    const target = path.join(out, ...stem.split('/'));
    if (formats.includes('refuge')) writeBmpGrey(`${target}.bmp`, mask);
    if (formats.includes('png')) await codec.writePng(`${target}.png`, mask);
    if (annotation.fovea) rows.push([csvField(c.name), csvField(annotation.fovea.x), csvField(annotation.fovea.y)].join(','));
    written++;
  }
  if (formats.includes('refuge')) writeFileAtomic(path.join(out, FOVEA_CSV), `${rows.join('\n')}\n`);
  return { folder: out, written };
}
