import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src-main/core/errors';
import { encodeBmpGrey } from '../../src-main/core/data/bmp';
import { encodeBmp } from '../helpers/bmp-writer';
import { squarePadding } from '../../src-main/core/data/image-codec';
import type { GreyImage, RgbImage } from '../../src-main/core/types';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { hasSharedData, sharedPath } from '../helpers/shared-data';

const codec = createSharpCodec();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => path.join(dir, name);

function rgbPattern(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = (i * 7) % 256;
    data[i * 3 + 1] = (i * 13 + 50) % 256;
    data[i * 3 + 2] = (i * 29 + 100) % 256;
  }
  return { width, height, data };
}

/** The InputError's problem for a failing call. */
async function problemOf(promise: Promise<unknown>, file: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(file);
    return (error as InputError).problem;
  }
  throw new Error('expected an InputError');
}

/** A PNG whose header claims width x height, with one byte of image data: enough for a header read. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]);
}

describe('sharp codec: reading and writing', () => {
  it('writePng + readRgb is exact for RGB; probe reports size and format', async () => {
    const image = rgbPattern(70, 66);
    await codec.writePng(at('rgb.png'), image);
    const back = await codec.readRgb(at('rgb.png'));
    expect(back).toMatchObject({ width: 70, height: 66, source: { format: 'PNG', channels: 3, bitDepth: 8 }, warnings: [] });
    expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
    expect(await codec.probe(at('rgb.png'))).toEqual({ width: 70, height: 66, format: 'PNG' });
  });

  it('a grey PNG reads as replicated RGB with a warning, and readGrey keeps every value 0..255', async () => {
    const grey: GreyImage = { width: 256, height: 64, data: Uint8Array.from({ length: 256 * 64 }, (_, i) => i % 256) };
    await codec.writePng(at('grey.png'), grey);
    expect((await sharp(at('grey.png')).metadata()).channels).toBe(1);
    const rgb = await codec.readRgb(at('grey.png'));
    expect(rgb.warnings).toEqual(['greyscale image: its grey was copied to red, green and blue']);
    expect(rgb.source.channels).toBe(1);
    for (let i = 0; i < grey.data.length; i++) {
      if (rgb.data[i * 3] !== grey.data[i] || rgb.data[i * 3 + 2] !== grey.data[i]) throw new Error(`pixel ${i} differs`);
    }
    expect(Buffer.from((await codec.readGrey(at('grey.png'))).data).equals(Buffer.from(grey.data))).toBe(true);
  });

  it('16-bit RGB and grey PNGs read with a warning, scaled to 8 bits (within one level)', async () => {
    const w = 64;
    const h = 64;
    const rgb16 = Uint16Array.from({ length: w * h * 3 }, (_, i) => (i * 331) % 65536);
    await sharp(rgb16, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toFile(at('rgb16.png'));
    expect((await sharp(at('rgb16.png')).metadata()).depth).toBe('ushort');
    const rgb = await codec.readRgb(at('rgb16.png'));
    expect(rgb.warnings).toEqual(['16-bit image: scaled to 8 bits per channel']);
    expect(rgb.source.bitDepth).toBe(16);
    expect(Math.max(...rgb16.map((v, i) => Math.abs(v / 257 - rgb.data[i]!)))).toBeLessThanOrEqual(1);

    const grey16 = Uint16Array.from({ length: w * h }, (_, i) => (i * 16) % 65536);
    await sharp(grey16, { raw: { width: w, height: h, channels: 1 } }).toColourspace('grey16').png().toFile(at('grey16.png'));
    const g = await codec.readRgb(at('grey16.png'));
    expect(g.warnings).toEqual(['greyscale image: its grey was copied to red, green and blue', '16-bit image: scaled to 8 bits per channel']);
    const gg = await codec.readGrey(at('grey16.png'));
    expect(gg.data.length).toBe(w * h);
    expect(Math.max(...grey16.map((v, i) => Math.abs(v / 257 - gg.data[i]!)))).toBeLessThanOrEqual(1);
  });

  it('drops alpha with a warning', async () => {
    await sharp(Buffer.alloc(64 * 64 * 4, 200), { raw: { width: 64, height: 64, channels: 4 } }).png().toFile(at('rgba.png'));
    const rgb = await codec.readRgb(at('rgba.png'));
    expect(rgb.warnings).toEqual(['alpha channel (transparency) dropped']);
    expect(rgb.data.length).toBe(64 * 64 * 3);
  });

  it('dispatches by magic bytes, not by extension (a BMP named .png and a PNG named .bmp)', async () => {
    const image = rgbPattern(65, 64);
    fs.writeFileSync(at('really-bmp.png'), encodeBmp(image));
    await codec.writePng(at('really-png.bmp'), image);
    for (const name of ['really-bmp.png', 'really-png.bmp']) {
      expect(Buffer.from((await codec.readRgb(at(name))).data).equals(Buffer.from(image.data))).toBe(true);
    }
    expect((await codec.probe(at('really-bmp.png'))).format).toBe('BMP');
    expect((await codec.readRgb(at('really-bmp.png'))).source.format).toBe('BMP');
  });

  it('readGrey returns a REFUGE 8-bit palette BMP mask and an RGB PNG mask exactly (0/128/255)', async () => {
    const mask: GreyImage = { width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 }, (_, i) => [255, 128, 0][i % 3]!) };
    fs.writeFileSync(at('mask.bmp'), encodeBmpGrey(mask));
    expect([...(await codec.readGrey(at('mask.bmp'))).data]).toEqual([...mask.data]);
    const asRgb = { width: 64, height: 64, data: Uint8Array.from([...mask.data].flatMap((v) => [v, v, v])) };
    await codec.writePng(at('mask-rgb.png'), asRgb);
    expect([...(await codec.readGrey(at('mask-rgb.png'))).data]).toEqual([...mask.data]);
  });

  it('writeJpeg writes a JPEG readRgb reads back closely; writes leave no temp files', async () => {
    const smooth: RgbImage = { width: 96, height: 80, data: Uint8Array.from({ length: 96 * 80 * 3 }, (_, i) => 60 + ((i / 3) % 96)) };
    fs.mkdirSync(at('jpeg'));
    await codec.writeJpeg(at('jpeg/a.jpg'), smooth, 95);
    expect(fs.readdirSync(at('jpeg'))).toEqual(['a.jpg']);
    const back = await codec.readRgb(at('jpeg/a.jpg'));
    expect(back.source.format).toBe('JPEG');
    let sum = 0;
    for (let i = 0; i < smooth.data.length; i++) sum += Math.abs(smooth.data[i]! - back.data[i]!);
    expect(sum / smooth.data.length).toBeLessThan(2);
  });
});

describe('sharp codec: readLetterboxed geometry', () => {
  it('pads with floor on the left/top (odd surplus goes right/bottom) when no resize happens', async () => {
    const white: RgbImage = { width: 201, height: 100, data: new Uint8Array(201 * 100 * 3).fill(255) };
    await codec.writePng(at('wide.png'), white);
    const { image, original } = await codec.readLetterboxed(at('wide.png'), 201);
    expect(original).toEqual({ width: 201, height: 100 });
    expect(squarePadding(original)).toEqual({ side: 201, padX: 0, padY: 50 });
    const column = Array.from({ length: 201 }, (_, y) => image.data[(y * 201 + 100) * 3]);
    expect(column.slice(0, 50).every((v) => v === 0)).toBe(true);
    expect(column.slice(50, 150).every((v) => v === 255)).toBe(true);
    expect(column.slice(150).every((v) => v === 0)).toBe(true); // 51 rows at the bottom
  });

  it('places a tall image centred after resizing (columns of black on both sides)', async () => {
    const white: RgbImage = { width: 100, height: 200, data: new Uint8Array(100 * 200 * 3).fill(255) };
    await codec.writePng(at('tall.png'), white);
    const { image } = await codec.readLetterboxed(at('tall.png'), 64);
    const row = Array.from({ length: 64 }, (_, x) => image.data[(32 * 64 + x) * 3]);
    expect(row.slice(0, 16).every((v) => v === 0)).toBe(true);
    expect(row.slice(16, 48).every((v) => v === 255)).toBe(true);
    expect(row.slice(48).every((v) => v === 0)).toBe(true);
  });

  it('letterboxes BMP input through the same path', async () => {
    fs.writeFileSync(at('lb.bmp'), encodeBmp({ width: 100, height: 200, data: new Uint8Array(100 * 200 * 3).fill(255) }));
    const { image, source } = await codec.readLetterboxed(at('lb.bmp'), 64);
    expect(source.format).toBe('BMP');
    expect(image.data[(32 * 64 + 10) * 3]).toBe(0);
    expect(image.data[(32 * 64 + 32) * 3]).toBe(255);
  });
});

describe('sharp codec: bad files give one-line InputErrors', () => {
  it('missing, folder, empty', async () => {
    expect(await problemOf(codec.readRgb(at('nope.jpg')), at('nope.jpg'))).toBe('not found');
    fs.mkdirSync(at('folder.jpg'));
    expect(await problemOf(codec.readRgb(at('folder.jpg')), at('folder.jpg'))).toBe('is a folder, not an image file');
    fs.writeFileSync(at('empty.jpg'), '');
    expect(await problemOf(codec.readRgb(at('empty.jpg')), at('empty.jpg'))).toBe('empty file (0 bytes)');
  });

  it('not an image: ZIP, text, DICOM', async () => {
    fs.writeFileSync(at('zip.jpg'), Buffer.from('PK\x03\x04rest of a zip file', 'latin1'));
    expect(await problemOf(codec.readRgb(at('zip.jpg')), at('zip.jpg'))).toBe('not an image (starts with bytes 50 4B 03 04: looks like a ZIP)');
    fs.writeFileSync(at('notes.png'), 'image,label\ng0001.jpg,1\n');
    expect(await problemOf(codec.probe(at('notes.png')), at('notes.png'))).toBe('not an image (starts with bytes 69 6D 61 67: looks like text)');
    fs.writeFileSync(at('scan.dcm'), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(64)]));
    expect(await problemOf(codec.readGrey(at('scan.dcm')), at('scan.dcm'))).toBe('unsupported format: DICOM (export the image as PNG or JPEG)');
  });

  it('too small and too large (checked from the header, before decoding)', async () => {
    await codec.writePng(at('small.png'), rgbPattern(63, 100));
    expect(await problemOf(codec.readRgb(at('small.png')), at('small.png'))).toBe('too small: 63x100 px (each side must be at least 64 px)');
    fs.writeFileSync(at('huge.png'), pngHeaderOnly(12_000, 9_000));
    expect(await codec.probe(at('huge.png'))).toEqual({ width: 12_000, height: 9_000, format: 'PNG' });
    const huge = await problemOf(codec.readRgb(at('huge.png')), at('huge.png'));
    expect(huge).toBe('too large: 12000x9000 px is 108.0 megapixels (the limit is 100 megapixels)');
    expect(await problemOf(codec.readLetterboxed(at('huge.png'), 256), at('huge.png'))).toBe(huge);
    const bmpHeader = encodeBmp(rgbPattern(64, 64)).slice(0, 60);
    new DataView(bmpHeader.buffer).setInt32(18, 20_000, true);
    new DataView(bmpHeader.buffer).setInt32(22, 20_000, true);
    fs.writeFileSync(at('huge.bmp'), bmpHeader);
    expect(await problemOf(codec.readRgb(at('huge.bmp')), at('huge.bmp'))).toMatch(/^too large: 20000x20000 px is 400\.0 megapixels/);
  });

  it('a truncated JPEG says so, whether the cut is in the pixel data or in the header', async () => {
    const smooth: RgbImage = { width: 128, height: 128, data: Uint8Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 31) % 256) };
    await codec.writeJpeg(at('whole.jpg'), smooth);
    const whole = fs.readFileSync(at('whole.jpg'));
    fs.writeFileSync(at('half.jpg'), whole.subarray(0, whole.length >> 1));
    expect(await problemOf(codec.readRgb(at('half.jpg')), at('half.jpg'))).toMatch(/^truncated JPEG: premature end of JPEG image \(file is \d+ bytes\)$/);
    fs.writeFileSync(at('head.jpg'), whole.subarray(0, 40));
    expect(await problemOf(codec.readRgb(at('head.jpg')), at('head.jpg'))).toMatch(/^truncated JPEG: /);
    expect(await problemOf(codec.readLetterboxed(at('half.jpg'), 64), at('half.jpg'))).toMatch(/^truncated JPEG: /);
  });

  it('a truncated PNG says so', async () => {
    await codec.writePng(at('whole.png'), rgbPattern(128, 128));
    const whole = fs.readFileSync(at('whole.png'));
    fs.writeFileSync(at('half.png'), whole.subarray(0, whole.length >> 1));
    expect(await problemOf(codec.readRgb(at('half.png')), at('half.png'))).toMatch(/^truncated PNG: /);
    fs.writeFileSync(at('head.png'), whole.subarray(0, 20));
    expect(await problemOf(codec.probe(at('head.png')), at('head.png'))).toBe('corrupt or truncated PNG: unreadable header (file is 20 bytes)');
  });

  it('messages are one line', async () => {
    fs.writeFileSync(at('cut.jpg'), fs.readFileSync(at('whole.jpg')).subarray(0, 300));
    const problem = await problemOf(codec.readRgb(at('cut.jpg')), at('cut.jpg'));
    expect(problem).not.toContain('\n');
  });
});

/** Reference letterbox: pad to the square by squarePadding, then bilinear with half-pixel centres (as tf.image.resizeBilinear). */
function pureLetterbox(image: RgbImage, size: number): Uint8Array {
  const { side, padX, padY } = squarePadding(image);
  const scale = side / size;
  const out = new Uint8Array(size * size * 3);
  const at3 = (x: number, y: number, c: number): number => {
    const ix = x - padX;
    const iy = y - padY;
    return ix < 0 || iy < 0 || ix >= image.width || iy >= image.height ? 0 : image.data[(iy * image.width + ix) * 3 + c]!;
  };
  for (let oy = 0; oy < size; oy++) {
    const sy = Math.max(0, (oy + 0.5) * scale - 0.5);
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let ox = 0; ox < size; ox++) {
      const sx = Math.max(0, (ox + 0.5) * scale - 0.5);
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const v = (1 - fy) * ((1 - fx) * at3(x0, y0, c) + fx * at3(x0 + 1, y0, c)) + fy * ((1 - fx) * at3(x0, y0 + 1, c) + fx * at3(x0 + 1, y0 + 1, c));
        out[(oy * size + ox) * 3 + c] = Math.round(v);
      }
    }
  }
  return out;
}

describe.runIf(hasSharedData('refuge-samples'))('sharp codec on a real REFUGE training image (2124x2056)', () => {
  const file = sharedPath('refuge-samples', 'Training400', 'Glaucoma', 'g0001.jpg');

  it('readLetterboxed agrees with readRgb + a pure letterbox within a few grey levels', async () => {
    const full = await codec.readRgb(file);
    expect(full).toMatchObject({ width: 2124, height: 2056, warnings: [] });
    const fast = await codec.readLetterboxed(file, 256);
    expect(fast.original).toEqual({ width: 2124, height: 2056 });
    const reference = pureLetterbox(full, 256);
    const diffs = reference.map((v, i) => Math.abs(v - fast.image.data[i]!)).sort();
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    expect(mean).toBeLessThan(1.5); // measured 0.87
    expect(diffs[Math.floor(diffs.length * 0.99)]).toBeLessThanOrEqual(8); // measured 6: vessel edges, where anti-aliasing differs
    // The padding (34 rows top and bottom at 2124 px = 4.1 rows at 256) is black in both.
    for (let x = 0; x < 256; x += 17) expect(fast.image.data[(1 * 256 + x) * 3]).toBe(0);
  });
});
