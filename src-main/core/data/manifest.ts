// A CSV manifest: the way to bring any other dataset in without writing a reader.
//   image,mask,glaucoma,fovea_x,fovea_y,split
//   imgs/P001.jpg,masks/P001.png,1,1021.5,988,train
// Only `image` is required. Paths are relative to the CSV's folder (absolute
// paths are kept). Masks follow the REFUGE convention (0 cup, 128 rim, 255
// background; 0/1/2 labels and JPEG-damaged masks are detected when read).
// glaucoma: 1/0 (also G/N, glaucoma/normal); split: train/validation/test
// (also training, val). An optional `id` column names the samples; by default
// the id is the image path as written, without its extension.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { CsvSyntaxError, parseCsv } from './csv';
import type { DataProblem, Dataset, Sample, Split } from './sample';

export const MANIFEST_COLUMNS = ['image', 'mask', 'glaucoma', 'fovea_x', 'fovea_y', 'split', 'id'] as const;

function parseLabel(value: string): 0 | 1 | null | undefined {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'na' || v === 'n/a' || v === 'unknown') return undefined;
  if (v === '1' || v === 'g' || v === 'glaucoma') return 1;
  if (v === '0' || v === 'n' || v === 'normal') return 0;
  return null;
}

function parseSplit(value: string): Split | null | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (v === 'train' || v === 'training') return 'train';
  if (v === 'validation' || v === 'val') return 'validation';
  if (v === 'test') return 'test';
  return null;
}

/** Reads a manifest. Malformed rows are InputErrors naming the line; missing files are problems (image: row skipped; mask: mask dropped). */
export function readManifest(file: string): Dataset {
  const absFile = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absFile, 'utf8');
  } catch {
    throw new InputError(absFile, 'manifest not found');
  }
  let table;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new InputError(absFile, error.message);
    throw error;
  }
  const column = new Map(table.header.map((h, i) => [h.toLowerCase().replace(/[\s-]+/g, '_'), i] as const));
  const imageCol = column.get('image');
  if (imageCol === undefined) {
    throw new InputError(absFile, `no 'image' column; its columns are: ${table.header.join(', ') || 'none'} (expected ${MANIFEST_COLUMNS.join(', ')})`);
  }
  const cell = (cells: string[], name: string): string => {
    const i = column.get(name);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const dir = path.dirname(absFile);
  const problems: DataProblem[] = [];
  const samples: Sample[] = [];
  const ids = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const where = `line ${line}`;
    const image = (cells[imageCol] ?? '').trim();
    if (image === '') {
      if (cells.every((c) => c.trim() === '')) continue;
      throw new InputError(absFile, `${where}: the image column is empty`);
    }
    const id = cell(cells, 'id') || image.replace(/\\/g, '/').replace(/\.[^./]+$/, '');
    const earlier = ids.get(id);
    if (earlier !== undefined) throw new InputError(absFile, `${where}: id '${id}' is already used on line ${earlier}`);
    ids.set(id, line);
    const sample: Sample = { id, imageFile: path.resolve(dir, image), dataset: 'manifest' };

    const label = parseLabel(cell(cells, 'glaucoma'));
    if (label === null) throw new InputError(absFile, `${where}: glaucoma must be 1 or 0 (or G/N), got '${cell(cells, 'glaucoma')}'`);
    if (label !== undefined) sample.glaucoma = label;

    const split = parseSplit(cell(cells, 'split'));
    if (split === null) throw new InputError(absFile, `${where}: split must be train, validation or test, got '${cell(cells, 'split')}'`);
    if (split !== undefined) sample.split = split;

    const fx = cell(cells, 'fovea_x');
    const fy = cell(cells, 'fovea_y');
    if (fx !== '' || fy !== '') {
      const x = Number(fx);
      const y = Number(fy);
      if (fx === '' || fy === '' || !Number.isFinite(x) || !Number.isFinite(y)) {
        throw new InputError(absFile, `${where}: fovea_x and fovea_y must both be numbers (or both empty), got '${fx}', '${fy}'`);
      }
      sample.fovea = { x, y };
    }

    if (!fs.existsSync(sample.imageFile)) {
      problems.push({ file: sample.imageFile, problem: `image listed on ${where} of ${path.basename(absFile)} not found; row skipped` });
      continue;
    }
    const mask = cell(cells, 'mask');
    if (mask !== '') {
      const maskFile = path.resolve(dir, mask);
      if (fs.existsSync(maskFile)) sample.masks = { kind: 'refuge', file: maskFile };
      else problems.push({ file: maskFile, problem: `mask listed on ${where} of ${path.basename(absFile)} not found; ${id} has no mask` });
    }
    samples.push(sample);
  }
  if (samples.length === 0 && problems.length === 0) throw new InputError(absFile, 'manifest lists no images');
  return { name: path.basename(absFile, path.extname(absFile)), root: dir, samples, problems };
}
