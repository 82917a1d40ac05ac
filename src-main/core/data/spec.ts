// Naming a dataset on the command line or in a setting: 'KIND:PATH' or a bare
// PATH whose kind is detected from its contents.
//   refuge:PATH   drishti:PATH   roi:PATH   folder:PATH   manifest:FILE.csv
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { readDrishti } from './drishti';
import { readImageFolder } from './folder';
import { checkImageSize, IMAGE_EXTENSIONS, type ImageCodec } from './image-codec';
import { readManifest } from './manifest';
import { isAnnotationFolder, readRefuge, refugeSplitOf } from './refuge';
import { readRoiFolder } from './roi';
import type { DataProblem, Dataset } from './sample';
import { extensionOf, folderSegments, stemOf, walkFiles } from './walk';

export const DATA_SPEC_KINDS = ['refuge', 'drishti', 'roi', 'folder', 'manifest'] as const;
export type DataSpecKind = (typeof DATA_SPEC_KINDS)[number];

export interface DataSpec {
  /** 'auto' for a bare path. */
  readonly kind: DataSpecKind | 'auto';
  readonly path: string;
}

/**
 * Splits 'kind:path'. A prefix is two or more letters before the first ':', so Windows
 * drive letters ('C:\\data') stay paths; an unknown prefix is an error unless the whole
 * text names an existing file or folder.
 */
export function parseDataSpec(spec: string): DataSpec {
  const text = spec.trim();
  if (text === '') throw new InputError(spec, 'empty dataset: give a path, or KIND:PATH with KIND one of ' + DATA_SPEC_KINDS.join(', '));
  const m = /^([A-Za-z][A-Za-z0-9-]+):(.*)$/.exec(text);
  if (m && !/^[A-Za-z]:[\\/]/.test(text)) {
    const prefix = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    if ((DATA_SPEC_KINDS as readonly string[]).includes(prefix)) {
      if (rest === '') throw new InputError(spec, `no path after '${prefix}:'`);
      return { kind: prefix as DataSpecKind, path: rest };
    }
    if (!fs.existsSync(text)) throw new InputError(spec, `unknown dataset kind '${m[1]}' (expected ${DATA_SPEC_KINDS.join(', ')}, or a bare path)`);
  }
  return { kind: 'auto', path: text };
}

export interface Detection {
  readonly kind: DataSpecKind;
  /** One sentence for the log and the UI: what was found that decided it. */
  readonly reason: string;
}

/** Decides a bare path's kind from what is in it. Throws InputError when the path does not exist. */
export function detectDataKind(target: string): Detection {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new InputError(target, 'not found');
  }
  if (stat.isFile()) {
    if (extensionOf(target) === '.csv') return { kind: 'manifest', reason: 'a .csv file: read as a manifest' };
    return { kind: 'folder', reason: 'a single file: read as one image' };
  }
  const files = walkFiles(target);
  if (files.some((f) => /^drishtiGS_\d+$/i.test(stemOf(f)) && IMAGE_EXTENSIONS.includes(extensionOf(f)))) {
    return { kind: 'drishti', reason: 'found drishtiGS_NNN images: Drishti-GS1 layout' };
  }
  const refugeImages = files.filter((f) => IMAGE_EXTENSIONS.includes(extensionOf(f)) && refugeSplitOf(stemOf(f)) !== null && !folderSegments(f).some(isAnnotationFolder));
  const inLabelFolders = refugeImages.some((f) => folderSegments(f).some((s) => /^(non[-_ ]?)?glaucoma$/i.test(s)));
  const inRefugeFolders = refugeImages.some((f) => folderSegments(f).some((s) => /refuge|(training|validation|test)400/i.test(s)));
  if (inLabelFolders || inRefugeFolders) {
    return {
      kind: 'refuge',
      reason: inLabelFolders ? 'found g/n images in Glaucoma/Non-Glaucoma folders: REFUGE layout' : 'found REFUGE-named folders with g/n/V/T images: REFUGE layout',
    };
  }
  const folders = new Set(files.map((f) => folderSegments(f).join('/')));
  const pairs = [...folders].filter((f) => /(^|\/)images?$/i.test(f) && [...folders].some((g) => g === f.replace(/images?$/i, 'mask') || g === f.replace(/images?$/i, 'masks')));
  if (pairs.length > 0) return { kind: 'roi', reason: `found ${pairs.length} image/ + mask/ folder pair(s): images with REFUGE-convention masks` };
  return { kind: 'folder', reason: 'no known dataset layout: read as a plain folder of images' };
}

export interface OpenedDataset {
  readonly dataset: Dataset;
  readonly kind: DataSpecKind;
  /** For a bare path, why this kind was chosen; null when the spec named the kind. */
  readonly detected: string | null;
}

/**
 * Opens a dataset from a spec. With a codec, every image's header is read first and
 * unreadable or out-of-limit images move from the samples to the problems, so a run
 * does not stop at image 300.
 */
export async function openDataset(spec: string, codec?: ImageCodec): Promise<OpenedDataset> {
  const parsed = parseDataSpec(spec);
  let kind: DataSpecKind;
  let detected: string | null = null;
  if (parsed.kind === 'auto') {
    const detection = detectDataKind(parsed.path);
    kind = detection.kind;
    detected = detection.reason;
  } else {
    kind = parsed.kind;
  }
  const dataset = readKind(kind, parsed.path);
  if (codec) await dropUnreadable(dataset, codec);
  return { dataset, kind, detected };
}

function readKind(kind: DataSpecKind, target: string): Dataset {
  switch (kind) {
    case 'refuge':
      return readRefuge(target);
    case 'drishti':
      return readDrishti(target);
    case 'roi':
      return readRoiFolder(target);
    case 'folder':
      return readImageFolder(target);
    case 'manifest':
      return readManifest(target);
  }
}

async function dropUnreadable(dataset: Dataset, codec: ImageCodec, concurrency = 8): Promise<void> {
  const bad = new Map<number, DataProblem>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dataset.samples.length) {
      const i = next++;
      const file = dataset.samples[i]!.imageFile;
      try {
        checkImageSize(file, await codec.probe(file));
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        bad.set(i, { file: error.file, problem: `${error.problem}; skipped` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dataset.samples.length) }, worker));
  if (bad.size === 0) return;
  dataset.problems.push(...[...bad.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p));
  dataset.samples = dataset.samples.filter((_, i) => !bad.has(i));
}

/** The path a spec refers to, resolved (for messages and for storing in the database). */
export function dataSpecPath(spec: string): string {
  return path.resolve(parseDataSpec(spec).path);
}
