// Tiny masks drawn as text, so a test shows its input: '#' (or '1') = 1, anything else = 0.
import type { BinaryMask } from '../../../src-main/core/types';

export function maskFromRows(rows: readonly string[]): BinaryMask {
  const height = rows.length;
  const width = height === 0 ? 0 : rows[0]!.length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error(`row ${y} has ${row.length} characters, expected ${width}`);
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '#' || row[x] === '1' ? 1 : 0;
  });
  return { width, height, data };
}

export function rowsFromMask(mask: BinaryMask): string[] {
  const rows: string[] = [];
  for (let y = 0; y < mask.height; y++) {
    let row = '';
    for (let x = 0; x < mask.width; x++) row += mask.data[y * mask.width + x] ? '#' : '.';
    rows.push(row);
  }
  return rows;
}
