import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { columnIndex, columnLetters, encodeXlsx, readXlsxSheet, readXlsxWorkbook, writeXlsx } from '../../../src-main/core/data/xlsx';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A workbook written the way other tools write them: prefixed names, rich text, gaps, rows without r. */
function handBuiltWorkbook(): string {
  const file = path.join(dir, 'hand.xlsx');
  const parts: Record<string, string> = {
    '_rels/.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="Other" sheetId="1" r:id="rId9"/><x:sheet name="Data" sheetId="2" r:id="rId3"/></x:sheets></x:workbook>`,
    'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/other.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`,
    'xl/strings.xml': `<sst ${NS}><si><t>ImgName</t></si><si><r><t>Fovea</t></r><r><rPr><b/></rPr><t xml:space="preserve">_X</t></r><rPh><t>ignored</t></rPh></si><si><t>g0001.jpg</t></si><si><t>a_x000D_b</t></si></sst>`,
    'xl/worksheets/other.xml': `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>`,
    'xl/worksheets/data.xml':
      `<worksheet ${NS}><sheetData>` +
      `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="inlineStr"><is><t>Fovea_Y</t></is></c><c r="D2" s="3"/></row>` +
      `<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>1057.5</v></c><c r="C3"><v>-3</v></c></row>` +
      `<row r="4"><c r="A4" s="1"/></row>` +
      `<row r="5"><c r="A5" t="str"><v>formula text</v></c><c r="C5" t="b"><v>1</v></c><c r="D5" t="e"><v>#N/A</v></c></row>` +
      `<row><c t="s"><v>3</v></c><c><v>7</v></c></row>` +
      `</sheetData></worksheet>`,
  };
  fs.writeFileSync(file, zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)]))));
  return file;
}

describe('column references', () => {
  it('converts letters and indices both ways', () => {
    expect([columnIndex('A'), columnIndex('Z'), columnIndex('AA'), columnIndex('az'), columnIndex('XFD')]).toEqual([0, 25, 26, 51, 16383]);
    for (const i of [0, 25, 26, 51, 701, 702, 16383]) expect(columnIndex(columnLetters(i))).toBe(i);
    expect(columnLetters(702)).toBe('AAA');
  });
});

describe('readXlsxSheet', () => {
  it('reads shared, rich, inline and formula strings, numbers, booleans, errors, gaps and rows without r', () => {
    const file = handBuiltWorkbook();
    const table = readXlsxSheet(file, 1);
    expect(table.sheetName).toBe('Data');
    expect(table.header).toEqual(['ImgName', 'Fovea_X', 'Fovea_Y']);
    expect(table.rows).toEqual([
      ['g0001.jpg', 1057.5, -3],
      ['formula text', null, 1], // C5 after A5: B5 is empty; D5 held an error
      ['a\rb', 7, null], // the row after r=5 without an r attribute is row 6
    ]);
    expect(readXlsxSheet(file).header).toEqual(['42']);
    expect(readXlsxWorkbook(file).map((s) => s.sheetName)).toEqual(['Other', 'Data']);
  });

  it('names the file and the problem for bad input', () => {
    const notZip = path.join(dir, 'fake.xlsx');
    fs.writeFileSync(notZip, 'ImgName,Fovea_X\n');
    expect(() => readXlsxSheet(notZip)).toThrow(new InputError(notZip, 'not an XLSX workbook (not a ZIP file)'));
    const xls = path.join(dir, 'old.xls');
    fs.writeFileSync(xls, Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
    expect(() => readXlsxSheet(xls)).toThrow(/save it as \.xlsx/);
    expect(() => readXlsxSheet(path.join(dir, 'missing.xlsx'))).toThrow(/missing\.xlsx: not found/);
    expect(() => readXlsxSheet(handBuiltWorkbook(), 5)).toThrow(/has 2 sheet\(s\); there is no sheet number 6/);
  });
});

describe('writeXlsx', () => {
  it('round-trips header, text, numbers and empty cells', () => {
    const file = path.join(dir, 'out.xlsx');
    const header = ['ID', 'ImgName', 'Label(Glaucoma=1)', 'Fovea_X', 'Fovea_Y'];
    const rows = [
      [1, 'T0001.jpg', 1, 1057.95, 1076.7],
      [2, 'T0002.jpg', 0, null, 3],
      [3, ' spaced & <odd> "text"\n', 0, -1e-9, 1e21],
    ];
    writeXlsx(file, header, rows);
    const table = readXlsxSheet(file);
    expect(table.header).toEqual(header);
    expect(table.rows).toEqual(rows);
  });

  it('writes the parts Excel and LibreOffice require, with matching content types and relationships', () => {
    const parts = unzipSync(encodeXlsx(['a', 'b'], [['x', 1]], 'Results'));
    expect(Object.keys(parts).sort()).toEqual(
      ['[Content_Types].xml', '_rels/.rels', 'docProps/app.xml', 'docProps/core.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml'].sort(),
    );
    const types = strFromU8(parts['[Content_Types].xml']!);
    for (const part of ['/xl/workbook.xml', '/xl/worksheets/sheet1.xml', '/xl/styles.xml', '/xl/sharedStrings.xml']) expect(types).toContain(`PartName="${part}"`);
    expect(strFromU8(parts['xl/workbook.xml']!)).toContain('<sheet name="Results" sheetId="1" r:id="rId1"/>');
    const sheet = strFromU8(parts['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('<dimension ref="A1:B2"/>');
    expect(sheet).toContain('<c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c>');
    expect(strFromU8(parts['xl/sharedStrings.xml']!)).toContain('count="3" uniqueCount="3"');
  });

  it('is byte-identical for identical content (fixed zip timestamps)', () => {
    expect(encodeXlsx(['a'], [[1]])).toEqual(encodeXlsx(['a'], [[1]]));
  });

  it('refuses values and names a spreadsheet cannot hold', () => {
    expect(() => encodeXlsx(['a'], [[Number.NaN]])).toThrow(/cell A2/);
    expect(() => encodeXlsx(['a'], [], 'bad/name')).toThrow(/invalid sheet name/);
  });
});

describe.runIf(hasSharedData('drishti-gs1'))('the real Drishti-GS1 decisions workbook', () => {
  const file = sharedPath('drishti-gs1', 'Training', 'GT', 'Notching___Image__level_decisions.xlsx');

  it('has all 101 images on sheet 1 and the 50 training images on sheet 2, labelled G/N', () => {
    const [all, training] = readXlsxWorkbook(file);
    expect(all!.header).toEqual(['IMAGE NUMBER', 'TILT(Y/N)', 'Notching direction(I/S/N/T/Absent)', 'Normal/Glaucomal']);
    expect(all!.rows[0]).toEqual([1, 'N', 'I', 'G']);
    const labelled = all!.rows.filter((r) => r[3] !== null);
    expect(labelled).toHaveLength(101);
    expect(new Set(labelled.map((r) => r[3]))).toEqual(new Set(['G', 'N']));
    expect(all!.rows.find((r) => r[0] === 8)?.[3]).toBe('N');
    expect(training!.header[0]).toBe('Image ID');
    expect(training!.rows).toHaveLength(50);
    expect(training!.rows[0]).toEqual([2, 'N', 'I', 'G']);
  });
});
