// CSV cells a spreadsheet would run as formulas are written as text.
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../../src-main/core/data/csv';

describe('csvField: formula injection', () => {
  it('guards text cells starting with = + - @ tab or CR', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1+2')).toBe("'+1+2");
    expect(csvField('-2+3.jpg')).toBe("'-2+3.jpg");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
  });

  it('leaves ordinary names and numbers alone', () => {
    expect(csvField('g0001.jpg')).toBe('g0001.jpg');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField('a=b')).toBe('a=b');
  });

  it('a guarded cell reads back as the apostrophe-prefixed text', () => {
    const table = parseCsv(`FileName,Problem\n${csvField('=1+1.jpg')},${csvField('-x')}\n`);
    expect(table.rows[0]!.cells).toEqual(["'=1+1.jpg", "'-x"]);
  });
});
