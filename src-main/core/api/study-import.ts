// Importing a folder as a study: every image file under it becomes a case;
// files that are not images (by extension) are listed as problems, and images
// that cannot be read (corrupt, truncated, too small or too large, unsupported)
// become cases with their problem, so the user sees them and the rest of the
// study works. Importing a folder again rescans it: new files are added,
// vanished ones are marked, statuses and annotations are kept.
import fs from 'node:fs';
import path from 'node:path';
import { readImageFolderAsync } from '../data/folder';
import { checkImageSize, type ImageCodec } from '../data/image-codec';
import { errorMessage, InputError } from '../errors';
import type { NewCase } from '../store/cases';
import { newId } from '../store/ids';
import type { Store } from '../store/store';
import { eyeFromName } from './eye-from-name';

export interface FileProblem {
  readonly file: string;
  readonly problem: string;
  /** 'skipped': not imported (not an image); 'unreadable': imported as a case that cannot be read. */
  readonly kind: 'skipped' | 'unreadable';
}

export interface ImportedStudy {
  readonly studyId: string;
  readonly problems: FileProblem[];
}

interface Probed {
  readonly width: number | null;
  readonly height: number | null;
  readonly format: string | null;
  readonly problem: string | null;
}

/** Reads only the header: a study of a thousand photographs imports in seconds. */
async function probeImage(codec: ImageCodec, file: string): Promise<Probed> {
  try {
    const size = await codec.probe(file);
    checkImageSize(file, size);
    return { width: size.width, height: size.height, format: size.format, problem: null };
  } catch (error) {
    return { width: null, height: null, format: null, problem: error instanceof InputError ? error.problem : errorMessage(error) };
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function importStudy(deps: { store: Store; codec: ImageCodec }, folder: string, name?: string): Promise<ImportedStudy> {
  const { store, codec } = deps;
  const root = path.resolve(folder);
  // The walk gives the event loop back as it goes: other calls are answered while a huge folder is listed.
  const dataset = await readImageFolderAsync(root); // InputError when the folder is missing or holds no image
  if (!fs.statSync(root).isDirectory()) throw new InputError(root, 'is a file; choose the folder that holds the images');
  const problems: FileProblem[] = dataset.problems.map((p) => ({ file: p.file, problem: p.problem, kind: 'skipped' as const }));
  const probed = await mapLimit(dataset.samples, 4, (s) => probeImage(codec, s.imageFile));
  for (const [i, p] of probed.entries()) if (p.problem) problems.push({ file: dataset.samples[i]!.imageFile, problem: p.problem, kind: 'unreadable' });

  const existing = store.studies.byFolder(root);
  const studyId = existing?.id ?? newId('s');
  store.transaction(() => {
    if (!existing) store.studies.insert({ id: studyId, name: name?.trim() || path.basename(root) || root, folder: root });
    const known = new Map(store.cases.listByStudy(studyId).map((c) => [c.file, c]));
    const added: NewCase[] = [];
    for (const [i, sample] of dataset.samples.entries()) {
      const p = probed[i]!;
      const before = known.get(sample.imageFile);
      known.delete(sample.imageFile);
      if (before) {
        // A photograph whose size changed under the expert's annotations (replaced, or now read with its EXIF
        // orientation applied) keeps the size they were drawn at, with a problem note: never a silent misfit.
        const resized = before.width !== null && p.width !== null && (before.width !== p.width || before.height !== p.height);
        if (resized && store.annotations.currentRevision(before.id) > 0) {
          store.cases.updateImport(before.id, {
            ...p,
            width: before.width,
            height: before.height,
            problem: `the photograph is now ${p.width}x${p.height} px but its annotations were drawn on it at ${before.width}x${before.height} px, so they no longer line up; nothing was changed — check the case and redraw it`,
          });
          continue;
        }
        store.cases.updateImport(before.id, p);
        continue;
      }
      const relative = path.relative(root, sample.imageFile).split(path.sep).join('/');
      added.push({ id: newId('c'), studyId, file: sample.imageFile, name: relative, ...eyeFromName(relative), ...p });
    }
    store.cases.insertMany(added);
    for (const gone of known.values()) store.cases.updateImport(gone.id, { width: gone.width, height: gone.height, format: gone.format, problem: 'file no longer found in the study folder' });
  });
  return { studyId, problems };
}
