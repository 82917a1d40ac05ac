// Drishti-GS1 (Sivaswamy et al., 2014/2015). Layout of the training split:
//   Training/Images/drishtiGS_NNN.png (or .jpg in converted copies)
//   Training/GT/drishtiGS_NNN/SoftMap/drishtiGS_NNN_ODsegSoftmap.png    OD soft map: 0/64/128/191/255 = 0-4 experts
//   Training/GT/drishtiGS_NNN/SoftMap/drishtiGS_NNN_cupsegSoftmap.png   cup soft map
//   Training/GT/drishtiGS_NNN/AvgBoundary/drishtiGS_NNN_diskCenter.txt  disc centre as "row col" (y x)
//   Training/GT/Notching___Image__level_decisions.xlsx                  G/N for all 101 images (by image number)
// The test split (Test/Images, Test/Test_GT) has the same shape. Parts are found
// by file name anywhere a few levels down; the split comes from a Training/Test folder.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { IMAGE_EXTENSIONS } from './image-codec';
import type { DataProblem, Dataset, Sample, Split } from './sample';
import { assertFolder, extensionOf, folderSegments, listForMessage, stemOf, walkFiles, DEFAULT_SEARCH_DEPTH } from './walk';
import { readXlsxWorkbook, type SheetTable } from './xlsx';
import type { Point } from '../types';

export interface DrishtiReadOptions {
  /** Consensus threshold on the soft maps (default 128: at least two of the four experts). */
  readonly minValue?: number;
  readonly maxDepth?: number;
}

const ID = /^drishtiGS_\d+$/i;

/** 'drishtiGS_2' / 2 -> 'drishtiGS_002' (the dataset's own zero-padded form). */
export function drishtiId(imageNumber: number): string {
  return `drishtiGS_${String(imageNumber).padStart(3, '0')}`;
}

/**
 * Parses diskCenter.txt: two numbers "row col" (the dataset's convention, i.e. y then x),
 * returned as a Point {x: col, y: row}. Null when the text is not two numbers.
 */
export function parseDiskCenter(text: string): Point | null {
  const numbers = text.trim().split(/[\s,;]+/).map(Number);
  if (numbers.length !== 2 || !numbers.every(Number.isFinite)) return null;
  return { x: numbers[1]!, y: numbers[0]! };
}

function splitFromPath(rel: string): Split | undefined {
  for (const segment of folderSegments(rel)) {
    if (/^train/i.test(segment)) return 'train';
    if (/^test/i.test(segment)) return 'test';
  }
  return undefined;
}

/** Labels from every sheet of the decisions workbook: image number column + a Normal/Glaucoma column of G/N. */
function readLabels(file: string, problems: DataProblem[]): Map<string, 0 | 1> {
  const labels = new Map<string, 0 | 1>();
  let sheets: SheetTable[];
  try {
    sheets = readXlsxWorkbook(file);
  } catch (error) {
    if (error instanceof InputError) {
      problems.push({ file, problem: error.problem });
      return labels;
    }
    throw error;
  }
  const conflicts: string[] = [];
  for (const sheet of sheets) {
    const labelCol = sheet.header.findIndex((h) => /glauc/i.test(h) && /normal/i.test(h));
    const idCol = sheet.header.findIndex((h) => /image|^id$/i.test(h.trim()));
    if (labelCol < 0 || idCol < 0) continue;
    for (const row of sheet.rows) {
      const number = typeof row[idCol] === 'number' ? (row[idCol] as number) : Number(String(row[idCol] ?? '').replace(/\D/g, '') || NaN);
      const value = String(row[labelCol] ?? '').trim().toUpperCase();
      if (!Number.isInteger(number) || (value !== 'G' && value !== 'N')) continue;
      const id = drishtiId(number);
      const label = value === 'G' ? 1 : 0;
      const seen = labels.get(id);
      if (seen !== undefined && seen !== label) conflicts.push(id);
      else labels.set(id, label);
    }
  }
  if (conflicts.length > 0) problems.push({ file, problem: `sheets disagree on ${listForMessage(conflicts)}; using the first sheet's label` });
  if (labels.size === 0) problems.push({ file, problem: 'no image-number and Normal/Glaucomatous (G/N) columns found on any sheet' });
  return labels;
}

/** Reads a Drishti-GS1 copy (training and/or test split). */
export function readDrishti(root: string, options: DrishtiReadOptions = {}): Dataset {
  const absRoot = path.resolve(root);
  assertFolder(absRoot, 'Drishti-GS1');
  const maxDepth = options.maxDepth ?? DEFAULT_SEARCH_DEPTH;
  const minValue = options.minValue ?? 128;
  const files = walkFiles(absRoot, maxDepth);
  const problems: DataProblem[] = [];
  const abs = (rel: string): string => path.join(absRoot, ...rel.split('/'));

  const images = new Map<string, string>();
  const odMaps = new Map<string, string>();
  const cupMaps = new Map<string, string>();
  const centres = new Map<string, string>();
  const labelFiles: string[] = [];
  for (const rel of files) {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const soft = /^(drishtiGS_\d+)_(OD|cup)segSoftmap\.png$/i.exec(base);
    const centre = /^(drishtiGS_\d+)_diskCenter\.txt$/i.exec(base);
    if (soft) (soft[2]!.toUpperCase() === 'OD' ? odMaps : cupMaps).set(soft[1]!.toLowerCase(), rel);
    else if (centre) centres.set(centre[1]!.toLowerCase(), rel);
    else if (extensionOf(rel) === '.xlsx') labelFiles.push(rel);
    else if (IMAGE_EXTENSIONS.includes(extensionOf(rel)) && ID.test(stemOf(rel))) {
      const id = stemOf(rel);
      const key = id.toLowerCase();
      if (images.has(key)) problems.push({ file: abs(rel), problem: `duplicate image ${id} (also ${images.get(key)}); using the first` });
      else images.set(key, rel);
    }
  }
  if (images.size === 0) {
    throw new InputError(absRoot, `no Drishti-GS1 images found ${maxDepth} folder levels down: looked for Training/Images/drishtiGS_002.png (or .jpg) and Test/Images/...`);
  }

  const labels = new Map<string, 0 | 1>();
  for (const rel of labelFiles) for (const [id, label] of readLabels(abs(rel), problems)) if (!labels.has(id)) labels.set(id, label);
  if (labelFiles.length === 0) {
    problems.push({ file: absRoot, problem: `labels table not found (looked for Training/GT/Notching___Image__level_decisions.xlsx ${maxDepth} folder levels down): samples have no glaucoma label` });
  }

  const samples: Sample[] = [];
  const noMasks: string[] = [];
  const noLabel: string[] = [];
  for (const [key, rel] of images) {
    const id = stemOf(rel);
    const sample: Sample = { id, imageFile: abs(rel), dataset: 'drishti-gs1' };
    const split = splitFromPath(rel);
    if (split) sample.split = split;
    const label = labels.get(drishtiId(Number(key.replace(/\D/g, ''))));
    if (label !== undefined) sample.glaucoma = label;
    else if (labelFiles.length > 0) noLabel.push(id);
    const od = odMaps.get(key);
    const oc = cupMaps.get(key);
    if (od && oc) sample.masks = { kind: 'soft', odFile: abs(od), ocFile: abs(oc), minValue };
    else noMasks.push(id);
    const centreFile = centres.get(key);
    if (centreFile) {
      const centre = parseDiskCenter(fs.readFileSync(abs(centreFile), 'utf8'));
      if (centre) sample.discCenter = centre;
      else problems.push({ file: abs(centreFile), problem: 'expected two numbers "row col"' });
    }
    samples.push(sample);
  }
  samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (noMasks.length > 0) {
    problems.push({ file: absRoot, problem: `${noMasks.length} image(s) without both soft maps (GT/<id>/SoftMap/<id>_ODsegSoftmap.png, _cupsegSoftmap.png): ${listForMessage(noMasks)}` });
  }
  if (noLabel.length > 0) problems.push({ file: absRoot, problem: `${noLabel.length} image(s) not in the labels table: ${listForMessage(noLabel)}` });
  return { name: path.basename(absRoot), root: absRoot, samples, problems };
}
