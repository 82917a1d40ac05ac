// Just enough of Office Open XML spreadsheets (.xlsx) for the ground-truth
// tables of REFUGE and Drishti-GS1, and for writing results users open in
// Excel or LibreOffice. An .xlsx is a ZIP of XML parts:
//   [Content_Types].xml, _rels/.rels -> xl/workbook.xml (sheet list)
//   xl/_rels/workbook.xml.rels       -> which part holds each sheet
//   xl/sharedStrings.xml             -> strings referenced by index from cells (t="s")
//   xl/worksheets/sheetN.xml         -> <sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>...
// Cell values are returned raw: numbers as numbers (dates stay serial numbers),
// text as text, empty cells as null. Styles and formulas are ignored.
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { InputError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { childElements, escapeXml, firstChild, parseXml, textContent, XmlSyntaxError, type XmlElement } from './xml';

export type CellValue = string | number | null;

export interface SheetTable {
  readonly sheetName: string;
  /** The first non-empty row, as text ('' for an empty header cell). */
  readonly header: string[];
  /** The rows after the header, fully empty rows left out; every row is as long as the widest row or header. */
  readonly rows: CellValue[][];
}

/** 'A' -> 0, 'Z' -> 25, 'AA' -> 26. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** 0 -> 'A', 26 -> 'AA'. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** OOXML escapes characters XML cannot hold as _xHHHH_. */
function decodeOoxmlEscapes(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

/** Text of a shared string or inline string: the <t> runs, without phonetic (<rPh>) runs. */
function richText(element: XmlElement): string {
  let out = '';
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (child.name === 't') out += textContent(child);
    else if (child.name === 'r') out += richText(child);
  }
  return decodeOoxmlEscapes(out);
}

function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return path.posix.normalize(path.posix.join(path.posix.dirname(base), target));
}

function relationships(parts: Record<string, Uint8Array>, partName: string): Map<string, { type: string; target: string }> {
  const relsName = path.posix.join(path.posix.dirname(partName), '_rels', `${path.posix.basename(partName)}.rels`);
  const out = new Map<string, { type: string; target: string }>();
  const bytes = parts[relsName];
  if (!bytes) return out;
  for (const rel of childElements(parseXml(strFromU8(bytes)), 'Relationship')) {
    out.set(rel.attrs.Id ?? '', { type: rel.attrs.Type ?? '', target: resolveTarget(partName, rel.attrs.Target ?? '') });
  }
  return out;
}

/** Limits on what a workbook may unzip to: a manifest of thousands of rows is a few MB. */
export const MAX_XLSX_PART_BYTES = 64 * 1048576;
export const MAX_XLSX_TOTAL_BYTES = 256 * 1048576;

function unzipWorkbook(file: string): Record<string, Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new InputError(file, 'not found');
  }
  if (bytes.length === 0) throw new InputError(file, 'empty file (0 bytes)');
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new InputError(file, 'old Excel .xls format: open it in Excel or LibreOffice and save it as .xlsx');
  }
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new InputError(file, 'not an XLSX workbook (not a ZIP file)');
  // A zip bomb (a 1 MB file holding a 400 MB sheet) must be refused before it is inflated: the
  // sizes the archive declares are checked, and fflate inflates into buffers of exactly those sizes.
  let total = 0;
  let tooLarge: { name: string; size: number } | null = null;
  const wanted = (f: { name: string; originalSize: number }): boolean => {
    if (!(f.name.endsWith('.xml') || f.name.endsWith('.rels'))) return false;
    total += f.originalSize;
    if (!tooLarge && (f.originalSize > MAX_XLSX_PART_BYTES || total > MAX_XLSX_TOTAL_BYTES)) tooLarge = { name: f.name, size: f.originalSize };
    return !tooLarge;
  };
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, { filter: wanted });
  } catch (error) {
    throw new InputError(file, `corrupt XLSX workbook: ${error instanceof Error ? error.message : String(error)}`);
  }
  const refused = tooLarge as { name: string; size: number } | null;
  if (refused) {
    const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
    throw new InputError(file, `XLSX part ${refused.name} would unzip to ${mb(refused.size)} (${mb(total)} in all; at most ${mb(MAX_XLSX_PART_BYTES)} per part and ${mb(MAX_XLSX_TOTAL_BYTES)} in all): a zip bomb or not a manifest workbook; not read`);
  }
  return parts;
}

/** Every sheet of a workbook, in workbook order. */
export function readXlsxWorkbook(file: string): SheetTable[] {
  const parts = unzipWorkbook(file);
  try {
    const rootRels = relationships(parts, '');
    const officeDoc = [...rootRels.values()].find((r) => r.type.endsWith('/officeDocument'));
    const workbookName = officeDoc?.target ?? 'xl/workbook.xml';
    const workbookBytes = parts[workbookName];
    if (!workbookBytes) throw new InputError(file, 'not an XLSX workbook (no xl/workbook.xml inside)');
    const workbook = parseXml(strFromU8(workbookBytes));
    const rels = relationships(parts, workbookName);
    const sharedName = [...rels.values()].find((r) => r.type.endsWith('/sharedStrings'))?.target ?? 'xl/sharedStrings.xml';
    const shared = parts[sharedName] ? childElements(parseXml(strFromU8(parts[sharedName])), 'si').map(richText) : [];
    const sheetsElement = firstChild(workbook, 'sheets');
    const sheets = sheetsElement ? childElements(sheetsElement, 'sheet') : [];
    return sheets.map((sheet, index) => {
      const relId = sheet.attrs['r:id'] ?? sheet.attrs.id ?? '';
      const partName = rels.get(relId)?.target ?? `xl/worksheets/sheet${index + 1}.xml`;
      const bytes = parts[partName];
      const sheetName = sheet.attrs.name ?? `Sheet${index + 1}`;
      if (!bytes) throw new InputError(file, `sheet '${sheetName}' is missing its part ${partName}`);
      return readSheet(parseXml(strFromU8(bytes)), shared, sheetName, file);
    });
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new InputError(file, `corrupt XLSX workbook: ${error.message}`);
    throw error;
  }
}

function readSheet(worksheet: XmlElement, shared: readonly string[], sheetName: string, file: string): SheetTable {
  const sheetData = firstChild(worksheet, 'sheetData');
  const grid: CellValue[][] = [];
  let rowNumber = 0;
  for (const row of sheetData ? childElements(sheetData, 'row') : []) {
    rowNumber = row.attrs.r ? Number(row.attrs.r) : rowNumber + 1;
    const values: CellValue[] = [];
    let col = -1;
    for (const cell of childElements(row, 'c')) {
      const ref = cell.attrs.r ? /^([A-Za-z]+)(\d+)$/.exec(cell.attrs.r) : null;
      col = ref ? columnIndex(ref[1]!) : col + 1;
      const value = cellValue(cell, shared, file);
      if (value === null) continue;
      while (values.length < col) values.push(null);
      values[col] = value;
    }
    if (values.some((v) => v !== null)) grid[rowNumber - 1] = values;
  }
  const nonEmpty = grid.filter((r): r is CellValue[] => r !== undefined);
  if (nonEmpty.length === 0) return { sheetName, header: [], rows: [] };
  const width = Math.max(...nonEmpty.map((r) => r.length));
  const pad = (r: CellValue[]): CellValue[] => [...r, ...new Array<CellValue>(width - r.length).fill(null)];
  const [first, ...rest] = nonEmpty;
  return { sheetName, header: pad(first!).map((v) => (v === null ? '' : String(v))), rows: rest.map(pad) };
}

function cellValue(cell: XmlElement, shared: readonly string[], file: string): CellValue {
  const type = cell.attrs.t ?? 'n';
  const v = firstChild(cell, 'v');
  switch (type) {
    case 's': {
      if (!v) return null;
      const index = Number(textContent(v));
      const text = shared[index];
      if (text === undefined) throw new InputError(file, `cell ${cell.attrs.r ?? '?'} refers to shared string ${index}, which does not exist`);
      return text;
    }
    case 'inlineStr': {
      const is = firstChild(cell, 'is');
      return is ? richText(is) : null;
    }
    case 'str':
    case 'd':
      return v ? decodeOoxmlEscapes(textContent(v)) : null;
    case 'e':
      return null; // #N/A, #DIV/0! and friends carry no value
    case 'b':
      return v ? (textContent(v).trim() === '1' ? 1 : 0) : null;
    default: {
      if (!v) return null;
      const text = textContent(v).trim();
      if (text === '') return null;
      const num = Number(text);
      return Number.isFinite(num) ? num : text;
    }
  }
}

/** One sheet (the first by default) as a header and rows. */
export function readXlsxSheet(file: string, sheetIndex = 0): SheetTable {
  const sheets = readXlsxWorkbook(file);
  const sheet = sheets[sheetIndex];
  if (!sheet) throw new InputError(file, `has ${sheets.length} sheet(s); there is no sheet number ${sheetIndex + 1}`);
  return sheet;
}

// ---- writing ----------------------------------------------------------------------------

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** Text safe for XML 1.0: control characters other than tab and newline become OOXML _xHHHH_ escapes. */
function cellText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u0008\u000b-\u001f\ufffe\uffff]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
  return escapeXml(escaped);
}

/**
 * Builds an .xlsx with one sheet: the header in row 1 (bold), then the rows. Strings go to the
 * shared-string table (what Excel itself writes), numbers to numeric cells, null leaves the cell empty.
 */
export function encodeXlsx(header: readonly string[], rows: readonly (readonly CellValue[])[], sheetName = 'Sheet1'): Uint8Array {
  if (!/^[^\\/?*[\]:]{1,31}$/.test(sheetName)) throw new RangeError(`invalid sheet name '${sheetName}' (1-31 characters, none of \\ / ? * [ ] :)`);
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const sharedIndex = (s: string): number => {
    let k = stringIndex.get(s);
    if (k === undefined) {
      k = strings.length;
      strings.push(s);
      stringIndex.set(s, k);
    }
    return k;
  };
  let stringRefs = 0;
  const rowXml = (values: readonly CellValue[], r: number, style: number): string => {
    const cells: string[] = [];
    values.forEach((value, c) => {
      if (value === null || value === undefined) return;
      const ref = `${columnLetters(c)}${r}`;
      const s = style ? ` s="${style}"` : '';
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new RangeError(`cell ${ref}: ${value} cannot be stored in a spreadsheet`);
        cells.push(`<c r="${ref}"${s}><v>${value}</v></c>`);
      } else {
        stringRefs++;
        cells.push(`<c r="${ref}"${s} t="s"><v>${sharedIndex(value)}</v></c>`);
      }
    });
    return `<row r="${r}">${cells.join('')}</row>`;
  };
  const sheetRows = [rowXml(header, 1, 1), ...rows.map((row, i) => rowXml(row, i + 2, 0))];
  const width = Math.max(header.length, ...rows.map((r) => r.length), 1);
  const lastRef = `${columnLetters(width - 1)}${rows.length + 1}`;
  const sheet =
    `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><dimension ref="A1:${lastRef}"/>` +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    `<sheetFormatPr defaultRowHeight="15"/><sheetData>${sheetRows.join('')}</sheetData></worksheet>`;
  const sst =
    `${XML_HEAD}<sst xmlns="${NS_MAIN}" count="${stringRefs}" uniqueCount="${strings.length}">` +
    strings.map((s) => `<si><t${/^\s|\s$|\n/.test(s) ? ' xml:space="preserve"' : ''}>${cellText(s)}</t></si>`).join('') +
    `</sst>`;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
        `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
        `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
        `</Types>`,
    ),
    '_rels/.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
        `<Relationship Id="rId3" Type="${NS_REL}/extended-properties" Target="docProps/app.xml"/>` +
        `</Relationships>`,
    ),
    'docProps/core.xml': strToU8(
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:creator>Glaucoma Studio</dc:creator></cp:coreProperties>`,
    ),
    'docProps/app.xml': strToU8(
      `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Glaucoma Studio</Application></Properties>`,
    ),
    'xl/workbook.xml': strToU8(
      `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews>` +
        `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        `<Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${NS_REL}/styles" Target="styles.xml"/>` +
        `<Relationship Id="rId3" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/>` +
        `</Relationships>`,
    ),
    'xl/styles.xml': strToU8(
      `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
        `<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
        `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
        `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
        `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
        `<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
        `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
        `</styleSheet>`,
    ),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
    'xl/sharedStrings.xml': strToU8(sst),
  };
  return zipSync(files, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
}

/** Writes a one-sheet .xlsx atomically (see encodeXlsx). */
export function writeXlsx(file: string, header: readonly string[], rows: readonly (readonly CellValue[])[], sheetName = 'Sheet1'): void {
  writeFileAtomic(file, encodeXlsx(header, rows, sheetName));
}
