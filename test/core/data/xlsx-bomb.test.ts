// A zip bomb posing as a manifest workbook is refused by its declared sizes,
// with a one-line message naming the file, before anything is inflated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { MAX_XLSX_PART_BYTES, readXlsxWorkbook } from '../../../src-main/core/data/xlsx';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-bomb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A workbook whose one sheet unzips to `sheetBytes` of blank XML. */
export function xlsxBomb(file: string, sheetBytes: number): void {
  const sheet = new Uint8Array(sheetBytes).fill(0x20);
  sheet.set(strToU8('<worksheet><sheetData>'), 0);
  sheet.set(strToU8('</sheetData></worksheet>'), sheetBytes - 24);
  const zip = zipSync(
    {
      '_rels/.rels': strToU8('<Relationships><Relationship Id="rId1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
      'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
      'xl/worksheets/sheet1.xml': sheet,
    },
    { level: 9 },
  );
  fs.writeFileSync(file, zip);
}

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
