import { describe, expect, it } from 'vitest';
import { csvField, CsvSyntaxError, parseCsv, parseCsvRecords } from '../../../src-main/core/data/csv';

describe('CSV', () => {
  it('reads quotes, escaped quotes, delimiters and line breaks inside quotes, CRLF, a BOM and empty fields', () => {
    const text = '\ufeffimage,note\r\n"a,b.jpg","say ""hi""\nthere"\r\nc.jpg,\r\n,\n';
    expect(parseCsv(text)).toEqual({
      header: ['image', 'note'],
      rows: [
        { line: 2, cells: ['a,b.jpg', 'say "hi"\nthere'] },
        { line: 4, cells: ['c.jpg', ''] },
        { line: 5, cells: ['', ''] },
      ],
    });
  });

  it('uses ; when the header has it and no comma (Excel with a decimal comma)', () => {
    expect(parseCsv('image;fovea_x\na.jpg;12,5\n').rows[0]!.cells).toEqual(['a.jpg', '12,5']);
  });

  it('skips blank lines, keeps a last line without newline, and rejects an unclosed quote', () => {
    expect(parseCsvRecords('a\n\nb').map((r) => r.cells)).toEqual([['a'], ['b']]);
    expect(() => parseCsvRecords('a,"b\n')).toThrow(CsvSyntaxError);
  });

  it('csvField quotes only when needed and round-trips', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(null)).toBe('');
    const nasty = 'a,"b"\nc';
    expect(csvField(nasty)).toBe('"a,""b""\nc"');
    expect(parseCsvRecords(`${csvField(nasty)},x`)[0]!.cells).toEqual([nasty, 'x']);
  });
});
