// A zip bomb posing as a manifest workbook is refused by its declared sizes,
// with a one-line message naming the file, before anything is inflated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { MAX_XLSX_PART_BYTES, readXlsxWorkbook } from '../../../src-main/core/data/xlsx';
import { xlsxBomb } from '../../helpers/zip-bomb';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-bomb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('xlsx: zip bombs', () => {
  it('a small file declaring a sheet over the limit is refused naming the file and the part', () => {
    const file = path.join(dir, 'bomb.xlsx');
    xlsxBomb(file, MAX_XLSX_PART_BYTES + 1048576);
    expect(fs.statSync(file).size).toBeLessThan(1048576);
    let caught: unknown;
    try {
      readXlsxWorkbook(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).file).toBe(file);
    expect((caught as InputError).problem).toMatch(/xl\/worksheets\/sheet1\.xml would unzip to 65 MB .*zip bomb/);
  });
});
