import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { decodeBmp, encodeBmpGrey, readBmpHeader, writeBmpGrey, type BmpBitsPerPixel } from '../../../src-main/core/data/bmp';
import { encodeBmp } from '../../helpers/bmp-writer';
import { greyFromRgb } from '../../../src-main/core/data/image-codec';
import type { GreyImage, RgbImage } from '../../../src-main/core/types';

/** Little-endian byte writer for hand-built files. */
function bytes(...parts: (number[] | { u16: number } | { u32: number } | { i32: number })[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) out.push(...p);
    else if ('u16' in p) out.push(p.u16 & 255, (p.u16 >> 8) & 255);
    else {
      const v = 'u32' in p ? p.u32 : p.i32;
      out.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
    }
  }
  return Uint8Array.from(out);
}

/** BITMAPFILEHEADER + BITMAPINFOHEADER for a 40-byte header. */
function infoHeaders(o: { width: number; height: number; bpp: number; compression?: number; colours?: number; fileSize: number; pixelOffset: number }): Uint8Array {
  return bytes(
    [0x42, 0x4d], { u32: o.fileSize }, { u32: 0 }, { u32: o.pixelOffset },
    { u32: 40 }, { i32: o.width }, { i32: o.height }, { u16: 1 }, { u16: o.bpp }, { u32: o.compression ?? 0 },
    { u32: 0 }, { i32: 2835 }, { i32: 2835 }, { u32: o.colours ?? 0 }, { u32: 0 },
  );
}

function concat(...arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

// Palette: 0 -> black, 1 -> grey 128, 2 -> white, 3 -> RGB (10, 20, 30); stored as B, G, R, 0.
const PALETTE_4 = bytes([0, 0, 0, 0], [128, 128, 128, 0], [255, 255, 255, 0], [30, 20, 10, 0]);
// The 2x3 image's palette indices, top row first: [0 1] / [2 3] / [1 0].
const EXPECTED_2X3: number[] = [0, 0, 0, 128, 128, 128, 255, 255, 255, 10, 20, 30, 128, 128, 128, 0, 0, 0];

function handBuilt2x3(topDown: boolean): Uint8Array {
  const rowsTopFirst = [bytes([0, 1, 0, 0]), bytes([2, 3, 0, 0]), bytes([1, 0, 0, 0])]; // 2 bytes + 2 padding each
  const rows = topDown ? rowsTopFirst : [...rowsTopFirst].reverse();
  const pixelOffset = 14 + 40 + 16;
  return concat(infoHeaders({ width: 2, height: topDown ? -3 : 3, bpp: 8, colours: 4, fileSize: pixelOffset + 12, pixelOffset }), PALETTE_4, ...rows);
}

function patternRgb(width: number, height: number, value: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = value(x, y, c);
  return { width, height, data };
}

function greyToRgb(image: GreyImage): number[] {
  return [...image.data].flatMap((v) => [v, v, v]);
}

describe('decodeBmp: hand-built files', () => {
  it('decodes a 2x3 8-bit palette BMP stored bottom-up', () => {
    const decoded = decodeBmp(handBuilt2x3(false), 'hand.bmp');
    expect(decoded).toMatchObject({ width: 2, height: 3, bitsPerPixel: 8, compression: 'rgb', topDown: false, hasAlpha: false });
    expect([...decoded.rgb.data]).toEqual(EXPECTED_2X3);
    expect([...greyFromRgb(decoded.rgb).data]).toEqual([0, 128, 255, 20, 128, 0]);
  });

  it('decodes the same image stored top-down (negative height) identically', () => {
    const decoded = decodeBmp(handBuilt2x3(true), 'hand.bmp');
    expect(decoded.topDown).toBe(true);
    expect([...decoded.rgb.data]).toEqual(EXPECTED_2X3);
  });

  it('decodes RLE8: runs, an absolute run with padding, end of line, end of bitmap', () => {
    // 4x2, bottom row first: 3 x index 1, 1 x index 2, EOL; then absolute [0 1 2] (+1 pad byte), 1 x index 1, EOB.
    const data = bytes([3, 1, 1, 2, 0, 0], [0, 3, 0, 1, 2, 0], [1, 1, 0, 1]);
    const pixelOffset = 14 + 40 + 16;
    const file = concat(infoHeaders({ width: 4, height: 2, bpp: 8, compression: 1, colours: 4, fileSize: pixelOffset + data.length, pixelOffset }), PALETTE_4, data);
    const decoded = decodeBmp(file, 'rle8.bmp');
    expect(decoded.compression).toBe('rle8');
    expect([...greyFromRgb(decoded.rgb).data]).toEqual([0, 128, 255, 128, /* bottom */ 128, 128, 128, 255]);
  });

  it('decodes RLE4: nibble runs alternate their two indices', () => {
    // 4x1: run of 4 alternating indices 2 and 1, then EOB.
    const data = bytes([4, 0x21, 0, 1]);
    const pixelOffset = 14 + 40 + 16;
    const file = concat(infoHeaders({ width: 4, height: 1, bpp: 4, compression: 2, colours: 4, fileSize: pixelOffset + data.length, pixelOffset }), PALETTE_4, data);
    expect([...greyFromRgb(decodeBmp(file, 'rle4.bmp').rgb).data]).toEqual([255, 128, 255, 128]);
  });

  it('decodes the 12-byte OS/2 core header with a 3-byte palette', () => {
    // 2x1 at 8 bits: indices [1, 0]; palette entries are B, G, R.
    const pixelOffset = 14 + 12 + 6;
    const file = concat(
      bytes([0x42, 0x4d], { u32: pixelOffset + 4 }, { u32: 0 }, { u32: pixelOffset }, { u32: 12 }, { u16: 2 }, { u16: 1 }, { u16: 1 }, { u16: 8 }),
      bytes([0, 0, 0], [30, 20, 10]),
      bytes([1, 0, 0, 0]),
    );
    expect([...decodeBmp(file, 'os2.bmp').rgb.data]).toEqual([10, 20, 30, 0, 0, 0]);
  });
});

describe('BMP round trips', () => {
  const rgb = patternRgb(7, 5, (x, y, c) => (x * 37 + y * 11 + c * 91) % 256);
  const grey: GreyImage = { width: 7, height: 5, data: Uint8Array.from({ length: 35 }, (_, i) => (i * 53) % 256) };

  for (const topDown of [false, true]) {
    const order = topDown ? 'top-down' : 'bottom-up';

    it(`24-bit, ${order}: exact`, () => {
      const decoded = decodeBmp(encodeBmp(rgb, { bitsPerPixel: 24, topDown }), 'x.bmp');
      expect(decoded).toMatchObject({ bitsPerPixel: 24, topDown });
      expect([...decoded.rgb.data]).toEqual([...rgb.data]);
    });

    it(`32-bit BI_RGB and BI_BITFIELDS with alpha, ${order}: exact`, () => {
      const plain = decodeBmp(encodeBmp(rgb, { bitsPerPixel: 32, topDown }), 'x.bmp');
      expect(plain).toMatchObject({ bitsPerPixel: 32, compression: 'rgb', hasAlpha: false });
      expect([...plain.rgb.data]).toEqual([...rgb.data]);
      const masks = { r: 0x0000ff00, g: 0x00ff0000, b: 0xff000000, a: 0x000000ff }; // an unusual order, to test the shifts
      const withAlpha = decodeBmp(encodeBmp(rgb, { bitsPerPixel: 32, topDown, bitfields: masks }), 'x.bmp');
      expect(withAlpha).toMatchObject({ compression: 'bitfields', hasAlpha: true, dibHeaderSize: 108 });
      expect([...withAlpha.rgb.data]).toEqual([...rgb.data]);
    });

    it(`16-bit 5-5-5 and 5-6-5 bit fields, ${order}: exact for representable values`, () => {
      // 5-bit levels k -> round(k * 255 / 31) survive the trip; so do 6-bit levels for green in 5-6-5.
      const five = (k: number): number => Math.round((k * 255) / 31);
      const six = (k: number): number => Math.round((k * 255) / 63);
      const img555 = patternRgb(5, 3, (x, y, c) => five((x * 7 + y * 3 + c * 5) % 32));
      const d555 = decodeBmp(encodeBmp(img555, { bitsPerPixel: 16, topDown }), 'x.bmp');
      expect(d555).toMatchObject({ bitsPerPixel: 16, compression: 'rgb' });
      expect([...d555.rgb.data]).toEqual([...img555.data]);
      const img565 = patternRgb(5, 3, (x, y, c) => (c === 1 ? six((x * 13 + y) % 64) : five((x + y * 9 + c) % 32)));
      const d565 = decodeBmp(encodeBmp(img565, { bitsPerPixel: 16, topDown, bitfields: { r: 0xf800, g: 0x07e0, b: 0x001f } }), 'x.bmp');
      expect(d565.compression).toBe('bitfields');
      expect([...d565.rgb.data]).toEqual([...img565.data]);
    });

    it(`8-bit grey palette and 8-bit colour palette, ${order}: exact`, () => {
      const g = decodeBmp(encodeBmp(grey, { bitsPerPixel: 8, topDown }), 'x.bmp');
      expect(g.palette!.length).toBe(256 * 3);
      expect([...greyFromRgb(g.rgb).data]).toEqual([...grey.data]);
      const few = patternRgb(6, 4, (x, y, c) => [[200, 40, 10], [0, 0, 0], [255, 255, 255], [12, 200, 99]][(x + y) % 4]![c]!);
      expect([...decodeBmp(encodeBmp(few, { bitsPerPixel: 8, topDown }), 'x.bmp').rgb.data]).toEqual([...few.data]);
    });

    it(`4-bit and 1-bit palettes, ${order}: exact (odd widths exercise the packing)`, () => {
      const grey4: GreyImage = { width: 5, height: 3, data: Uint8Array.from({ length: 15 }, (_, i) => (i % 16) * 17) };
      const d4 = decodeBmp(encodeBmp(grey4, { bitsPerPixel: 4, topDown }), 'x.bmp');
      expect(d4.bitsPerPixel).toBe(4);
      expect([...d4.rgb.data]).toEqual(greyToRgb(grey4));
      const bits: GreyImage = { width: 11, height: 3, data: Uint8Array.from({ length: 33 }, (_, i) => ((i * 7) % 3 === 0 ? 255 : 0)) };
      const d1 = decodeBmp(encodeBmp(bits, { bitsPerPixel: 1, topDown }), 'x.bmp');
      expect(d1.bitsPerPixel).toBe(1);
      expect([...d1.rgb.data]).toEqual(greyToRgb(bits));
    });
  }

  it('stores bottom-up and top-down rows in opposite order', () => {
    const up = encodeBmp(rgb, { bitsPerPixel: 24 });
    const down = encodeBmp(rgb, { bitsPerPixel: 24, topDown: true });
    const stride = 24; // 7 px * 3 bytes = 21, padded to 24
    const offset = readBmpHeader(up, 'x.bmp').pixelOffset;
    expect([...up.subarray(offset, offset + stride)]).toEqual([...down.subarray(offset + 4 * stride, offset + 5 * stride)]);
    expect([...up.subarray(offset, offset + stride)]).not.toEqual([...down.subarray(offset, offset + stride)]);
  });

  it('encodeBmpGrey writes the REFUGE mask format: 8 bits, 256 grey palette entries, values kept', () => {
    const mask: GreyImage = { width: 3, height: 2, data: Uint8Array.from([0, 128, 255, 255, 128, 0]) };
    const file = encodeBmpGrey(mask);
    const header = readBmpHeader(file, 'mask.bmp');
    expect(header).toMatchObject({ bitsPerPixel: 8, compression: 'rgb', dibHeaderSize: 40, pixelOffset: 14 + 40 + 1024 });
    expect(file.length).toBe(14 + 40 + 1024 + 4 * 2);
    expect([...header.palette!.subarray(128 * 3, 129 * 3)]).toEqual([128, 128, 128]);
    expect([...greyFromRgb(decodeBmp(file, 'mask.bmp').rgb).data]).toEqual([0, 128, 255, 255, 128, 0]);
  });

  it('refuses values that a grey palette of that depth cannot hold', () => {
    expect(() => encodeBmp({ width: 1, height: 1, data: Uint8Array.from([128]) }, { bitsPerPixel: 1 })).toThrow(RangeError);
  });

  it('writeBmpGrey writes the file atomically (no temp file left behind)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmp-'));
    try {
      const mask: GreyImage = { width: 2, height: 2, data: Uint8Array.from([0, 128, 255, 0]) };
      writeBmpGrey(path.join(dir, 'm.bmp'), mask);
      expect(fs.readdirSync(dir)).toEqual(['m.bmp']);
      expect([...greyFromRgb(decodeBmp(new Uint8Array(fs.readFileSync(path.join(dir, 'm.bmp'))), 'm.bmp').rgb).data]).toEqual([0, 128, 255, 0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decodeBmp: broken files', () => {
  const problem = (file: Uint8Array): string => {
    try {
      decodeBmp(file, 'bad.bmp');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).file).toBe('bad.bmp');
      return (error as InputError).problem;
    }
    throw new Error('expected an InputError');
  };

  it('truncated pixel data', () => {
    const whole = handBuilt2x3(false);
    expect(problem(whole.subarray(0, whole.length - 6))).toBe('truncated BMP: pixel data needs 80 bytes, file has 76'); // the last row's padding may be missing
  });

  it('truncated header', () => {
    expect(problem(handBuilt2x3(false).subarray(0, 30))).toMatch(/^truncated BMP/);
  });

  it('unknown header size, bit depth and compression', () => {
    const unknownHeader = handBuilt2x3(false).slice();
    unknownHeader[14] = 41;
    expect(problem(unknownHeader)).toBe('unsupported BMP: unknown header size 41');
    const twoBits = handBuilt2x3(false).slice();
    twoBits[28] = 2;
    expect(problem(twoBits)).toBe('unsupported BMP: 2 bits per pixel');
    const jpeg = handBuilt2x3(false).slice();
    jpeg[30] = 4;
    expect(problem(jpeg)).toMatch(/^unsupported BMP: embedded JPEG/);
  });

  it('zero width', () => {
    const zero = handBuilt2x3(false).slice();
    zero.fill(0, 18, 22);
    expect(problem(zero)).toBe('corrupt BMP header: width 0, height 3');
  });

  it('a huge header with no data behind it is truncated, not an allocation', () => {
    const huge = handBuilt2x3(false).slice();
    new DataView(huge.buffer).setInt32(18, 10_000, true);
    new DataView(huge.buffer).setInt32(22, 10_000, true);
    expect(problem(huge)).toMatch(/^(truncated BMP|too large)/);
  });
});

// Keep the type import honest: every decodable depth is covered above.
const _covered: BmpBitsPerPixel[] = [1, 4, 8, 16, 24, 32];
void _covered;
