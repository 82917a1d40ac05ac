// REFUGE 2018 (Orlando et al., 2020). Official layout (DESIGN.md section 3):
//   REFUGE-Training400/Training400/{Glaucoma,Non-Glaucoma}/g0001.jpg | n0001.jpg
//   Annotation-Training400/Annotation-Training400/Disc_Cup_Masks/{Glaucoma,Non-Glaucoma}/g0001.bmp
//   Annotation-Training400/Annotation-Training400/Fovea_location.xlsx      (ID, ImgName, Fovea_X, Fovea_Y)
//   REFUGE-Validation400/REFUGE-Validation400/V0001.jpg
//   REFUGE-Validation400-GT/Disc_Cup_Masks/V0001.bmp
//   REFUGE-Validation400-GT/Fovea_locations.xlsx                           (ImgName, Glaucoma Label, Fovea_X, Fovea_Y)
//   REFUGE-Test400/Test400/T0001.jpg
//   REFUGE-Test-GT/Disc_Cup_Masks/{G,N}/T0001.bmp
//   REFUGE-Test-GT/Glaucoma_label_and_Fovea_location.xlsx                 (ID, ImgName, Label(Glaucoma=1), Fovea_X, Fovea_Y)
// Copies in the wild nest these differently ('Training400/...', 'refuge/train/...'),
// so the parts are found by name anywhere a few levels down:
//   - images by file name: g*/n* = training, V* = validation, T* = test;
//   - masks: files of the same names under a folder whose name says mask / annotation / GT;
//   - tables: every .xlsx, assigned to the split whose image names it lists.
// Any subset of splits may be present. A missing ground-truth part is a
// problem in the result (or an InputError with requireGroundTruth); a table that
// lacks a needed column is always an InputError naming the file and the column.
import path from 'node:path';
import { InputError } from '../errors';
import { readXlsxSheet, type CellValue, type SheetTable } from './xlsx';
import { IMAGE_EXTENSIONS } from './image-codec';
import type { DataProblem, Dataset, Sample, Split } from './sample';
import { assertFolder, extensionOf, folderSegments, listForMessage, stemOf, walkFiles, DEFAULT_SEARCH_DEPTH } from './walk';

export interface RefugeReadOptions {
  /** Throw an InputError (instead of listing a problem) when a present split lacks its labels/fovea table or its masks. */
  readonly requireGroundTruth?: boolean;
  /** Folder levels searched below root (default 6). */
  readonly maxDepth?: number;
}

/** Official names of each split's parts, for messages. */
export const REFUGE_PARTS: Readonly<Record<Split, { images: string; table: string; masks: string; columns: string }>> = {
  train: {
    images: 'REFUGE-Training400/Training400/{Glaucoma,Non-Glaucoma}/g0001.jpg',
    table: 'Annotation-Training400/Fovea_location.xlsx',
    masks: 'Annotation-Training400/Disc_Cup_Masks/{Glaucoma,Non-Glaucoma}/g0001.bmp',
    columns: 'ImgName, Fovea_X, Fovea_Y',
  },
  validation: {
    images: 'REFUGE-Validation400/V0001.jpg',
    table: 'REFUGE-Validation400-GT/Fovea_locations.xlsx',
    masks: 'REFUGE-Validation400-GT/Disc_Cup_Masks/V0001.bmp',
    columns: 'ImgName, Glaucoma Label, Fovea_X, Fovea_Y',
  },
  test: {
    images: 'REFUGE-Test400/Test400/T0001.jpg',
    table: 'REFUGE-Test-GT/Glaucoma_label_and_Fovea_location.xlsx',
    masks: 'REFUGE-Test-GT/Disc_Cup_Masks/{G,N}/T0001.bmp',
    columns: 'ImgName, Label(Glaucoma=1), Fovea_X, Fovea_Y',
  },
};

const SPLIT_WORD: Readonly<Record<Split, string>> = { train: 'training', validation: 'validation', test: 'test' };

/** The split a REFUGE image name belongs to, from its first letter: g0001/n0001, V0001, T0001. */
export function refugeSplitOf(id: string): Split | null {
  if (/^[gn]\d+$/i.test(id)) return 'train';
  if (/^V\d+$/i.test(id)) return 'validation';
  if (/^T\d+$/i.test(id)) return 'test';
  return null;
}

/** A folder whose name says it holds annotations: Disc_Cup_Masks, Annotation-Training400, REFUGE-Validation400-GT, masks, GT. */
export function isAnnotationFolder(name: string): boolean {
  return /mask|annotation|ground.?truth/i.test(name) || /(^|[^a-z])gt([^a-z]|$)/i.test(name);
}

/** Header variants seen in REFUGE copies, compared after lower-casing and dropping non-alphanumerics. */
export const REFUGE_COLUMNS = {
  name: { shown: 'ImgName', variants: ['ImgName', 'ImageName', 'Image Name', 'Image', 'FileName', 'File Name', 'Name'] },
  label: { shown: 'Glaucoma Label', variants: ['Glaucoma Label', 'Label(Glaucoma=1)', 'Label', 'Glaucoma', 'GlaucomaLabel'] },
  foveaX: { shown: 'Fovea_X', variants: ['Fovea_X', 'FoveaX', 'Fovea X'] },
  foveaY: { shown: 'Fovea_Y', variants: ['Fovea_Y', 'FoveaY', 'Fovea Y'] },
} as const;

type ColumnKey = keyof typeof REFUGE_COLUMNS;

function normaliseHeader(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function findColumn(header: readonly string[], key: ColumnKey): number {
  const wanted = REFUGE_COLUMNS[key].variants.map(normaliseHeader);
  // Earlier variants win: 'Glaucoma Label' before a bare 'Label'.
  for (const w of wanted) {
    const i = header.findIndex((h) => normaliseHeader(h) === w);
    if (i >= 0) return i;
  }
  return -1;
}

function missingColumn(file: string, header: readonly string[], key: ColumnKey): InputError {
  const { shown, variants } = REFUGE_COLUMNS[key];
  return new InputError(file, `no '${shown}' column (looked for ${variants.join(', ')}); its columns are: ${header.filter((h) => h).join(', ') || 'none'}`);
}

function asNumber(value: CellValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim()))) return Number(value.trim());
  return null;
}

function asLabel(value: CellValue): 0 | 1 | null {
  const n = asNumber(value);
  if (n === 0 || n === 1) return n;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'g' || v === 'glaucoma') return 1;
    if (v === 'n' || v === 'normal' || v === 'non-glaucoma') return 0;
  }
  return null;
}

interface TableRow {
  readonly label: 0 | 1 | null;
  readonly fovea: { x: number; y: number } | null;
}

interface GroundTruthTable {
  readonly file: string;
  readonly split: Split;
  readonly rows: Map<string, TableRow>;
}

/** Reads one xlsx as a REFUGE table; null when it is not one (no image-name column and a name that does not suggest one). */
function readTable(file: string, problems: DataProblem[]): GroundTruthTable | null {
  let sheet: SheetTable;
  try {
    sheet = readXlsxSheet(file);
  } catch (error) {
    if (error instanceof InputError) {
      problems.push({ file, problem: error.problem });
      return null;
    }
    throw error;
  }
  const looksOfficial = /fovea|glaucoma|label/i.test(path.basename(file));
  const nameCol = findColumn(sheet.header, 'name');
  if (nameCol < 0) {
    if (looksOfficial) throw missingColumn(file, sheet.header, 'name');
    return null;
  }
  const ids = sheet.rows.map((r) => r[nameCol]).filter((v): v is string | number => v !== null).map((v) => stemOf(String(v).trim()));
  const votes = new Map<Split, number>();
  for (const id of ids) {
    const split = refugeSplitOf(id);
    if (split) votes.set(split, (votes.get(split) ?? 0) + 1);
  }
  const split = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!split) {
    if (looksOfficial) throw new InputError(file, `its '${sheet.header[nameCol]}' column names no REFUGE image (g0001, n0001, V0001, T0001...)`);
    return null;
  }
  const xCol = findColumn(sheet.header, 'foveaX');
  const yCol = findColumn(sheet.header, 'foveaY');
  const labelCol = findColumn(sheet.header, 'label');
  if (xCol < 0) throw missingColumn(file, sheet.header, 'foveaX');
  if (yCol < 0) throw missingColumn(file, sheet.header, 'foveaY');
  if (split !== 'train' && labelCol < 0) throw missingColumn(file, sheet.header, 'label');

  const rows = new Map<string, TableRow>();
  const badValues: string[] = [];
  sheet.rows.forEach((row, i) => {
    const nameValue = row[nameCol];
    if (nameValue === null || nameValue === undefined || String(nameValue).trim() === '') return;
    const id = stemOf(String(nameValue).trim());
    const x = asNumber(row[xCol] ?? null);
    const y = asNumber(row[yCol] ?? null);
    const label = labelCol >= 0 ? asLabel(row[labelCol] ?? null) : null;
    if (labelCol >= 0 && label === null) badValues.push(`row ${i + 2} (${id}) label '${row[labelCol] ?? ''}'`);
    if (x === null || y === null) badValues.push(`row ${i + 2} (${id}) fovea '${row[xCol] ?? ''}', '${row[yCol] ?? ''}'`);
    rows.set(id, { label, fovea: x !== null && y !== null ? { x, y } : null });
  });
  if (badValues.length > 0) problems.push({ file, problem: `unreadable values, left unset: ${listForMessage(badValues)}` });
  return { file, split, rows };
}

function labelFromFolders(relPath: string): 0 | 1 | null {
  for (const segment of folderSegments(relPath).reverse()) {
    if (/^glaucoma$/i.test(segment)) return 1;
    if (/^non[-_ ]?glaucoma$/i.test(segment)) return 0;
  }
  return null;
}

/** Reads a REFUGE copy (any subset of the three splits). */
export function readRefuge(root: string, options: RefugeReadOptions = {}): Dataset {
  const absRoot = path.resolve(root);
  assertFolder(absRoot, 'REFUGE');
  const maxDepth = options.maxDepth ?? DEFAULT_SEARCH_DEPTH;
  const files = walkFiles(absRoot, maxDepth);
  const problems: DataProblem[] = [];
  const abs = (rel: string): string => path.join(absRoot, ...rel.split('/'));
  const isAnnotationPath = (rel: string): boolean => folderSegments(rel).some(isAnnotationFolder);

  // Images and masks by id.
  const images = new Map<string, string>();
  const masks = new Map<string, string>();
  for (const rel of files) {
    const ext = extensionOf(rel);
    if (!IMAGE_EXTENSIONS.includes(ext)) continue;
    const id = stemOf(rel);
    if (!refugeSplitOf(id)) continue;
    const annotation = isAnnotationPath(rel);
    const target = annotation ? masks : images;
    if (annotation && ext !== '.bmp' && ext !== '.png') continue;
    const seen = target.get(id);
    if (seen !== undefined) {
      problems.push({ file: abs(rel), problem: `duplicate ${annotation ? 'mask' : 'image'} ${id} (also ${seen}); using the first` });
      continue;
    }
    target.set(id, rel);
  }
  if (images.size === 0) {
    throw new InputError(
      absRoot,
      `no REFUGE images found ${maxDepth} folder levels down: looked for training images g0001.jpg/n0001.jpg (as in ${REFUGE_PARTS.train.images}), validation V0001.jpg and test T0001.jpg outside mask/annotation/GT folders`,
    );
  }

  // Ground-truth tables by split.
  const tables = new Map<Split, GroundTruthTable>();
  for (const rel of files) {
    if (extensionOf(rel) !== '.xlsx') continue;
    const table = readTable(abs(rel), problems);
    if (!table) continue;
    const existing = tables.get(table.split);
    if (existing) problems.push({ file: table.file, problem: `a second ${SPLIT_WORD[table.split]} table (also ${existing.file}); using the first` });
    else tables.set(table.split, table);
  }

  const samples: Sample[] = [];
  for (const [id, rel] of images) {
    const split = refugeSplitOf(id)!;
    const sample: Sample = { id, imageFile: abs(rel), dataset: 'refuge', split };
    if (split === 'train') {
      const fromFolder = labelFromFolders(rel);
      const fromName = id[0]!.toLowerCase() === 'g' ? 1 : 0;
      if (fromFolder !== null && fromFolder !== fromName) {
        problems.push({ file: abs(rel), problem: `in a ${fromFolder ? 'Glaucoma' : 'Non-Glaucoma'} folder but named ${id}; using the folder's label` });
      }
      sample.glaucoma = fromFolder ?? fromName;
    }
    const row = tables.get(split)?.rows.get(id);
    if (row) {
      if (row.fovea) sample.fovea = row.fovea;
      if (row.label !== null) {
        if (split === 'train' && row.label !== sample.glaucoma) {
          problems.push({ file: tables.get(split)!.file, problem: `${id} is labelled ${row.label} but its folder says ${sample.glaucoma}; using the folder's label` });
        } else {
          sample.glaucoma = row.label;
        }
      }
    }
    const mask = masks.get(id);
    if (mask) sample.masks = { kind: 'refuge', file: abs(mask) };
    samples.push(sample);
  }
  const order: Record<Split, number> = { train: 0, validation: 1, test: 2 };
  samples.sort((a, b) => order[a.split!] - order[b.split!] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Report what each present split lacks.
  const missing = (message: string): void => {
    if (options.requireGroundTruth) throw new InputError(absRoot, message);
    problems.push({ file: absRoot, problem: message });
  };
  for (const split of ['train', 'validation', 'test'] as const) {
    const inSplit = samples.filter((s) => s.split === split);
    const table = tables.get(split);
    const word = SPLIT_WORD[split];
    if (inSplit.length > 0) {
      const needsTable = split !== 'train' ? 'labels and fovea' : 'fovea';
      if (!table) {
        missing(`${word} ${needsTable} table not found (looked for an .xlsx like ${REFUGE_PARTS[split].table} with columns ${REFUGE_PARTS[split].columns}, ${maxDepth} folder levels down): ${word} samples have no ${needsTable}`);
      } else {
        const unlisted = inSplit.filter((s) => !table.rows.has(s.id)).map((s) => s.id);
        if (unlisted.length > 0) problems.push({ file: table.file, problem: `${unlisted.length} ${word} image(s) not listed: ${listForMessage(unlisted)}` });
      }
      const withoutMask = inSplit.filter((s) => !s.masks).map((s) => s.id);
      if (withoutMask.length === inSplit.length) {
        missing(`${word} disc/cup masks not found (looked for ${REFUGE_PARTS[split].masks}: files named like the images under a mask/annotation/GT folder): ${word} samples have no masks`);
      } else if (withoutMask.length > 0) {
        problems.push({ file: absRoot, problem: `${withoutMask.length} ${word} image(s) have no mask: ${listForMessage(withoutMask)}` });
      }
    } else if (table) {
      problems.push({ file: table.file, problem: `${word} table found but no ${word} images (looked for ${REFUGE_PARTS[split].images})` });
    }
    if (table) {
      const orphans = [...table.rows.keys()].filter((id) => !images.has(id) && refugeSplitOf(id) === split);
      if (orphans.length > 0 && inSplit.length > 0) problems.push({ file: table.file, problem: `${orphans.length} listed image(s) not found: ${listForMessage(orphans)}` });
    }
  }
  const orphanMasks = [...masks.keys()].filter((id) => !images.has(id));
  if (orphanMasks.length > 0) problems.push({ file: absRoot, problem: `${orphanMasks.length} mask(s) without an image: ${listForMessage(orphanMasks)}` });

  return { name: path.basename(absRoot), root: absRoot, samples, problems };
}
