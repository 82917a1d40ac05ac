// A plain folder of fundus photographs (or one image file): no labels, no
// masks. What a clinic exports from its camera.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { IMAGE_EXTENSIONS } from './image-codec';
import type { DataProblem, Dataset, Sample } from './sample';
import { extensionOf, walkFolder, walkFolderAsync, type WalkedFolder } from './walk';

export interface ImageFolderOptions {
  /** Folder levels searched (default 16: effectively everything). */
  readonly maxDepth?: number;
}

/** Files that are never images and not worth a problem line. */
const IGNORED = /^(thumbs\.db|desktop\.ini)$/i;

/**
 * All images under root (jpg, jpeg, png, bmp, tif, tiff by extension), recursive, sorted by path.
 * Ids are the relative paths without extension ('left/P001'). Other files are listed in problems.
 * A single image file is read as a dataset of one.
 */
export function readImageFolder(root: string, options: ImageFolderOptions = {}): Dataset {
  const absRoot = path.resolve(root);
  return singleImage(absRoot) ?? imagesOf(absRoot, walkFolder(absRoot, options.maxDepth ?? 16));
}

/** readImageFolder that gives the event loop back while it walks (the app's study import: see walkFolderAsync). */
export async function readImageFolderAsync(root: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  const absRoot = path.resolve(root);
  return singleImage(absRoot) ?? imagesOf(absRoot, await walkFolderAsync(absRoot, options.maxDepth ?? 16));
}

/** The dataset of one when absRoot is an image file; null for a folder; InputError when missing or not an image. */
function singleImage(absRoot: string): Dataset | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absRoot);
  } catch {
    throw new InputError(absRoot, 'image folder not found');
  }
  if (!stat.isFile()) return null;
  if (!IMAGE_EXTENSIONS.includes(extensionOf(absRoot))) {
    throw new InputError(absRoot, `not an image file by its extension (expected ${IMAGE_EXTENSIONS.join(', ')})`);
  }
  const id = path.basename(absRoot, path.extname(absRoot));
  return { name: id, root: path.dirname(absRoot), samples: [{ id, imageFile: absRoot, dataset: 'folder' }], problems: [] };
}

function imagesOf(absRoot: string, walked: WalkedFolder): Dataset {
  const problems: DataProblem[] = [];
  const samples: Sample[] = [];
  const ids = new Set<string>();
  for (const skipped of walked.skipped) problems.push({ file: path.join(absRoot, ...skipped.relPath.split('/')), problem: skipped.reason });
  for (const rel of walked.folders) {
    if (IMAGE_EXTENSIONS.includes(extensionOf(rel))) problems.push({ file: path.join(absRoot, ...rel.split('/')), problem: 'a folder named like an image file, not an image; its contents were searched' });
  }
  for (const rel of walked.files) {
    const file = path.join(absRoot, ...rel.split('/'));
    const ext = extensionOf(rel);
    if (!IMAGE_EXTENSIONS.includes(ext)) {
      if (!IGNORED.test(path.basename(rel))) problems.push({ file, problem: `not an image file (extension '${ext || 'none'}'); skipped` });
      continue;
    }
    const id = rel.slice(0, rel.length - ext.length);
    if (ids.has(id)) {
      problems.push({ file, problem: `another image is also named ${id} (different extension); skipped` });
      continue;
    }
    ids.add(id);
    samples.push({ id, imageFile: file, dataset: 'folder' });
  }
  if (samples.length === 0) throw new InputError(absRoot, `no images found (looked for ${IMAGE_EXTENSIONS.join(', ')} in all subfolders)`);
  return { name: path.basename(absRoot), root: absRoot, samples, problems };
}
