import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { readRefuge } from '../../../src-main/core/data/refuge';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { generateFundus, writeSyntheticRefuge, type SyntheticRefugeSample } from '../../../src-main/core/data/synth';
import { deriveSeed } from '../../../src-main/core/random';
import { readXlsxSheet, writeXlsx } from '../../../src-main/core/data/xlsx';
import { walkFiles } from '../../../src-main/core/data/walk';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refuge-'));
const official = path.join(tmp, 'official');
let truth: SyntheticRefugeSample[] = [];

beforeAll(async () => {
  truth = await writeSyntheticRefuge(official, { count: 4, seed: 7, width: 72, height: 64, positiveRate: 0.25 }, codec);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Copies the official tree into a new layout: map gives each file's new relative path (null = leave out). */
function relayout(name: string, map: (rel: string) => string | null): string {
  const root = path.join(tmp, name);
  for (const rel of walkFiles(official)) {
    const to = map(rel);
    if (to === null) continue;
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    fs.copyFileSync(path.join(official, rel), path.join(root, to));
  }
  return root;
}

function expectMatchesTruth(root: string): void {
  const dataset = readRefuge(root, { requireGroundTruth: true });
  expect(dataset.problems).toEqual([]);
  expect(dataset.samples.map((s) => s.id)).toEqual(['g0001', 'n0001', 'n0002', 'n0003', 'V0001', 'V0002', 'V0003', 'V0004', 'T0001', 'T0002', 'T0003', 'T0004']);
  for (const t of truth) {
    const s = dataset.samples.find((x) => x.id === t.id)!;
    expect(s).toMatchObject({ split: t.split, glaucoma: t.glaucoma, fovea: t.fovea, dataset: 'refuge' });
    expect(s.masks?.kind).toBe('refuge');
  }
}

describe('writeSyntheticRefuge', () => {
  it('writes the official layout, names and tables', () => {
    const files = walkFiles(official);
    expect(files).toContain('REFUGE-Training400/Training400/Glaucoma/g0001.jpg');
    expect(files).toContain('REFUGE-Training400/Training400/Non-Glaucoma/n0003.jpg');
    expect(files).toContain('Annotation-Training400/Annotation-Training400/Disc_Cup_Masks/Glaucoma/g0001.bmp');
    expect(files).toContain('Annotation-Training400/Annotation-Training400/Fovea_location.xlsx');
    expect(files).toContain('REFUGE-Validation400/REFUGE-Validation400/V0004.jpg');
    expect(files).toContain('REFUGE-Validation400-GT/Disc_Cup_Masks/V0004.bmp');
    expect(files).toContain('REFUGE-Validation400-GT/Fovea_locations.xlsx');
    expect(files).toContain('REFUGE-Test400/Test400/T0001.jpg');
    expect(files.filter((f) => f.startsWith('REFUGE-Test-GT/Disc_Cup_Masks/G/'))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith('REFUGE-Test-GT/Disc_Cup_Masks/N/'))).toHaveLength(3);
    expect(readXlsxSheet(path.join(official, 'Annotation-Training400/Annotation-Training400/Fovea_location.xlsx')).header).toEqual(['ID', 'ImgName', 'Fovea_X', 'Fovea_Y']);
    expect(readXlsxSheet(path.join(official, 'REFUGE-Validation400-GT/Fovea_locations.xlsx')).header).toEqual(['ImgName', 'Glaucoma Label', 'Fovea_X', 'Fovea_Y']);
    const test = readXlsxSheet(path.join(official, 'REFUGE-Test-GT/Glaucoma_label_and_Fovea_location.xlsx'));
    expect(test.header).toEqual(['ID', 'ImgName', 'Label(Glaucoma=1)', 'Fovea_X', 'Fovea_Y']);
    expect(test.rows[0]![1]).toBe('T0001.jpg');
  });

  it('refuses a folder that already has content', async () => {
    await expect(writeSyntheticRefuge(official, { count: 1, seed: 1 }, codec)).rejects.toThrow(/already exists and is not an empty folder/);
  });
});

describe('readRefuge', () => {
  it('reads the synthetic tree back exactly: labels, fovea and masks', async () => {
    expectMatchesTruth(official);
    const dataset = readRefuge(official);
    // Masks decode to exactly the generator's disc and cup.
    for (const id of ['g0001', 'V0002', 'T0003']) {
      const t = truth.find((x) => x.id === id)!;
      const index = Number(id.slice(1)) - 1;
      const generated = generateFundus(deriveSeed(7, t.split, t.split === 'train' ? truth.filter((x) => x.split === 'train').indexOf(t) : index), {
        width: 72,
        height: 64,
        glaucoma: t.glaucoma,
      });
      const masks = await readSampleMasks(dataset.samples.find((s) => s.id === id)!, codec);
      expect(Buffer.from(masks.od.data).equals(Buffer.from(generated.od.data))).toBe(true);
      expect(Buffer.from(masks.oc.data).equals(Buffer.from(generated.oc.data))).toBe(true);
      expect(masks.warnings).toEqual([]);
    }
  });

  it('finds the parts in other nestings: no outer folders', () => {
    const root = relayout('flat', (rel) =>
      rel
        .replace('REFUGE-Training400/Training400/', 'Training400/')
        .replace('Annotation-Training400/Annotation-Training400/', 'Annotation-Training400/')
        .replace('REFUGE-Validation400/REFUGE-Validation400/', 'Validation400/')
        .replace('REFUGE-Test400/Test400/', 'Test400/'),
    );
    expectMatchesTruth(root);
  });

  it("finds the parts in other nestings: 'refuge/train/...', renamed tables, flat test masks", () => {
    const root = relayout('wild', (rel) =>
      rel
        .replace('REFUGE-Training400/Training400/', 'refuge/train/images/')
        .replace('Annotation-Training400/Annotation-Training400/Disc_Cup_Masks/', 'refuge/train/masks/')
        .replace('Annotation-Training400/Annotation-Training400/Fovea_location.xlsx', 'refuge/train/fovea.xlsx')
        .replace('REFUGE-Validation400/REFUGE-Validation400/', 'refuge/val/images/')
        .replace('REFUGE-Validation400-GT/Disc_Cup_Masks/', 'refuge/val/masks/')
        .replace('REFUGE-Validation400-GT/Fovea_locations.xlsx', 'refuge/val/gt.xlsx')
        .replace('REFUGE-Test400/Test400/', 'data/refuge/test/images/')
        .replace(/REFUGE-Test-GT\/Disc_Cup_Masks\/[GN]\//, 'data/refuge/test/gt/')
        .replace('REFUGE-Test-GT/Glaucoma_label_and_Fovea_location.xlsx', 'data/refuge/test/labels.xlsx'),
    );
    expectMatchesTruth(root);
  });

  it('accepts column-name variants', () => {
    const root = relayout('variants', (rel) => rel);
    const testTable = path.join(root, 'REFUGE-Test-GT/Glaucoma_label_and_Fovea_location.xlsx');
    const rows = readXlsxSheet(testTable).rows.map((r) => [r[1]!, r[2]!, r[3]!, r[4]!]);
    writeXlsx(testTable, ['Image Name', 'Label', 'Fovea X', 'Fovea Y'], rows);
    const valTable = path.join(root, 'REFUGE-Validation400-GT/Fovea_locations.xlsx');
    const valRows = readXlsxSheet(valTable).rows;
    writeXlsx(valTable, ['ImageName', 'Label(Glaucoma=1)', 'FoveaX', 'FoveaY'], valRows);
    expectMatchesTruth(root);
  });

  it('works with any subset of splits; a missing table or masks is a problem naming the part, or an error when required', () => {
    const noTest = relayout('no-test', (rel) => (/Test/.test(rel) ? null : rel));
    const dataset = readRefuge(noTest, { requireGroundTruth: true });
    expect(new Set(dataset.samples.map((s) => s.split))).toEqual(new Set(['train', 'validation']));
    expect(dataset.problems).toEqual([]);

    const noValTable = relayout('no-val-table', (rel) => (rel.endsWith('Fovea_locations.xlsx') ? null : rel));
    const partial = readRefuge(noValTable);
    expect(partial.samples.filter((s) => s.split === 'validation').every((s) => s.glaucoma === undefined && s.fovea === undefined)).toBe(true);
    expect(partial.problems).toHaveLength(1);
    expect(partial.problems[0]!.problem).toMatch(/^validation labels and fovea table not found \(looked for an \.xlsx like REFUGE-Validation400-GT\/Fovea_locations\.xlsx/);
    expect(() => readRefuge(noValTable, { requireGroundTruth: true })).toThrow(/validation labels and fovea table not found/);

    const noMasks = relayout('no-train-masks', (rel) => (rel.includes('Disc_Cup_Masks/Glaucoma') || rel.includes('Disc_Cup_Masks/Non-Glaucoma') ? null : rel));
    expect(readRefuge(noMasks).problems.map((p) => p.problem)).toEqual([expect.stringMatching(/^training disc\/cup masks not found \(looked for Annotation-Training400\/Disc_Cup_Masks/)]);
  });

  it('only training images, no annotations: labels from the folders', () => {
    const root = relayout('images-only', (rel) => (rel.startsWith('REFUGE-Training400/') ? rel : null));
    const dataset = readRefuge(root);
    expect(dataset.samples.map((s) => [s.id, s.glaucoma])).toEqual([
      ['g0001', 1],
      ['n0001', 0],
      ['n0002', 0],
      ['n0003', 0],
    ]);
    expect(dataset.problems.map((p) => p.problem)).toEqual([expect.stringMatching(/^training fovea table not found/), expect.stringMatching(/^training disc\/cup masks not found/)]);
  });

  it('a table without a needed column is an InputError naming the file and the column', () => {
    const root = relayout('no-label-column', (rel) => rel);
    const valTable = path.join(root, 'REFUGE-Validation400-GT/Fovea_locations.xlsx');
    writeXlsx(valTable, ['ImgName', 'Fovea_X', 'Fovea_Y'], readXlsxSheet(valTable).rows.map((r) => [r[0]!, r[2]!, r[3]!]));
    const error = (() => {
      try {
        readRefuge(root);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(valTable);
    expect((error as InputError).problem).toBe(
      "no 'Glaucoma Label' column (looked for Glaucoma Label, Label(Glaucoma=1), Label, Glaucoma, GlaucomaLabel); its columns are: ImgName, Fovea_X, Fovea_Y",
    );
  });

  it('no images at all, or not a folder: InputError saying where it looked', () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    expect(() => readRefuge(empty)).toThrow(/no REFUGE images found 6 folder levels down: looked for training images g0001\.jpg/);
    expect(() => readRefuge(path.join(tmp, 'nope'))).toThrow(/REFUGE folder not found/);
  });
});

describe.runIf(hasSharedData('refuge-samples'))('readRefuge on the real REFUGE samples', () => {
  it('reads 10 training images 2124x2056 with labels from the Glaucoma/Non-Glaucoma folders', async () => {
    const dataset = readRefuge(sharedPath('refuge-samples'));
    expect(dataset.samples).toHaveLength(10);
    expect(dataset.samples.filter((s) => s.glaucoma === 1).map((s) => s.id)).toEqual(['g0001', 'g0002', 'g0003', 'g0004', 'g0005']);
    expect(dataset.samples.filter((s) => s.glaucoma === 0).map((s) => s.id)).toEqual(['n0281', 'n0282', 'n0283', 'n0284', 'n0285']);
    expect(dataset.samples.every((s) => s.split === 'train' && !s.masks && !s.fovea)).toBe(true);
    expect(await codec.probe(dataset.samples[0]!.imageFile)).toEqual({ width: 2124, height: 2056, format: 'JPEG' });
    expect(dataset.problems).toHaveLength(2); // no fovea table, no masks: said, not thrown
  });
});
