// Disc-region crops with masks, as in the multi-domain "Fundus" set
// (github MQinghe/MiDSS): any number of folders holding an image/ and a mask/
// subfolder of same-named files, the masks in the REFUGE convention
// (0 = cup, 128 = rim, 255 = background), e.g. Domain1/train/ROIs/{image,mask}/g0001.png.
import path from 'node:path';
import { InputError } from '../errors';
import { IMAGE_EXTENSIONS } from './image-codec';
import type { DataProblem, Dataset, Sample, Split } from './sample';
import { assertFolder, extensionOf, folderSegments, listForMessage, stemOf, walkFiles } from './walk';

export interface RoiReadOptions {
  /** Folder levels searched below root (default 8: Domain/split/ROIs/image is 4 deep, plus parents). */
  readonly maxDepth?: number;
}

const IMAGE_FOLDER = /^images?$/i;
const MASK_FOLDER = /^masks?$/i;

function splitFromPath(segments: readonly string[]): Split | undefined {
  for (const s of segments) {
    if (/^train/i.test(s)) return 'train';
    if (/^val/i.test(s)) return 'validation';
    if (/^test/i.test(s)) return 'test';
  }
  return undefined;
}

/** Reads every image/ + mask/ folder pair under root. Sample ids are '<parent path>/<file stem>', unique across pairs. */
export function readRoiFolder(root: string, options: RoiReadOptions = {}): Dataset {
  const absRoot = path.resolve(root);
  assertFolder(absRoot, 'image/mask');
  const maxDepth = options.maxDepth ?? 8;
  const files = walkFiles(absRoot, maxDepth);
  const problems: DataProblem[] = [];
  const abs = (rel: string): string => path.join(absRoot, ...rel.split('/'));

  // Mask files by '<parent>/<stem>' where <parent> is the folder holding mask/.
  const masks = new Map<string, string>();
  const maskParents = new Set<string>();
  const imageFiles: { rel: string; key: string; parent: string }[] = [];
  for (const rel of files) {
    if (!IMAGE_EXTENSIONS.includes(extensionOf(rel))) continue;
    const segments = folderSegments(rel);
    const folder = segments[segments.length - 1];
    if (folder === undefined) continue;
    const parent = segments.slice(0, -1).join('/');
    const key = parent ? `${parent}/${stemOf(rel)}` : stemOf(rel);
    if (MASK_FOLDER.test(folder)) {
      if (!masks.has(key)) masks.set(key, rel);
      maskParents.add(parent);
    } else if (IMAGE_FOLDER.test(folder)) {
      imageFiles.push({ rel, key, parent });
    }
  }
  const candidates = imageFiles.filter((f) => maskParents.has(f.parent));
  if (candidates.length === 0) {
    throw new InputError(absRoot, `no image/ and mask/ folder pairs found ${maxDepth} folder levels down (expected e.g. train/ROIs/image/g0001.png with train/ROIs/mask/g0001.png)`);
  }

  const samples: Sample[] = [];
  const unmasked: string[] = [];
  const ids = new Set<string>();
  for (const { rel, key, parent } of candidates) {
    if (ids.has(key)) {
      problems.push({ file: abs(rel), problem: `duplicate image ${key} (another extension); using the first` });
      continue;
    }
    ids.add(key);
    const sample: Sample = { id: key, imageFile: abs(rel), dataset: 'roi' };
    const split = splitFromPath(parent.split('/'));
    if (split) sample.split = split;
    const mask = masks.get(key);
    if (mask) sample.masks = { kind: 'refuge', file: abs(mask) };
    else unmasked.push(key);
    samples.push(sample);
  }
  if (unmasked.length > 0) problems.push({ file: absRoot, problem: `${unmasked.length} image(s) have no same-named file in mask/: ${listForMessage(unmasked)}` });
  const orphans = [...masks.keys()].filter((k) => !ids.has(k));
  if (orphans.length > 0) problems.push({ file: absRoot, problem: `${orphans.length} mask(s) without an image: ${listForMessage(orphans)}` });
  return { name: path.basename(absRoot), root: absRoot, samples, problems };
}
