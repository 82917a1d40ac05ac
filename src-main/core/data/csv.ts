// CSV as spreadsheets write it (RFC 4180): quoted fields may hold the
// delimiter, quotes ("" inside quotes) and line breaks; CRLF or LF; a UTF-8
// byte-order mark is dropped. The delimiter is ',' unless the header line has
// ';' and no ',' (what Excel writes in locales with a decimal comma).

export interface CsvTable {
  readonly header: string[];
  /** Data rows with the 1-based line number where each starts (for messages). */
  readonly rows: { readonly line: number; readonly cells: string[] }[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
}

/** Splits CSV text into records of fields. */
export function parseCsvRecords(text: string, delimiter = ','): { line: number; cells: string[] }[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = (): void => {
    cells.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === delimiter) {
      endField();
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvSyntaxError(`line ${recordLine}: a quoted field is not closed`);
  if (field !== '' || fieldStarted || cells.length > 0) endRecord();
  return records;
}

/** Parses CSV with a header row; header cells are trimmed. */
export function parseCsv(text: string): CsvTable {
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const records = parseCsvRecords(text, delimiter);
  const [head, ...rows] = records;
  return { header: head ? head.cells.map((h) => h.trim()) : [], rows };
}

/**
 * One CSV field, quoted when it must be. A text cell starting with =, +, -, @, a tab or a carriage
 * return would run as a formula when the file is opened in a spreadsheet (CSV injection): it gets
 * a leading apostrophe, which spreadsheets show as text. Numbers are written as they are.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n;]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
