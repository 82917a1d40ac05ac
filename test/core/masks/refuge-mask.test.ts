import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { verticalCupToDiscRatio } from '../../../src-main/core/masks/measure';
import { decodeMaskAuto, encodeRefugeMask } from '../../../src-main/core/masks/refuge-mask';
import type { GreyImage } from '../../../src-main/core/types';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';
import { maskFromRows, rowsFromMask } from './ascii-mask';

function grey(width: number, height: number, values: number[]): GreyImage {
  return { width, height, data: Uint8Array.from(values) };
}

const od = maskFromRows([
  '.....', //
  '.###.',
  '.###.',
  '.....',
]);
const oc = maskFromRows([
  '.....', //
  '..#..',
  '.....',
  '.....',
]);

describe('encodeRefugeMask', () => {
  it('writes 0 = cup, 128 = rim, 255 = background', () => {
    const enc = encodeRefugeMask(od, oc);
    expect(Array.from(enc.data.subarray(5, 10))).toEqual([255, 128, 0, 128, 255]);
    expect(enc.data[0]).toBe(255);
  });
});

describe('decodeMaskAuto', () => {
  it('reads the REFUGE convention and round-trips encodeRefugeMask', () => {
    const decoded = decodeMaskAuto(encodeRefugeMask(od, oc), 'a.bmp');
    expect(decoded.convention).toBe('refuge');
    expect(decoded.warnings).toEqual([]);
    expect(rowsFromMask(decoded.od)).toEqual(rowsFromMask(od));
    expect(rowsFromMask(decoded.oc)).toEqual(rowsFromMask(oc));
  });

  it('reads 0/1/2 labels (0 = background, 1 = rim, 2 = cup)', () => {
    const decoded = decodeMaskAuto(grey(4, 1, [0, 1, 2, 1]), 'labels.png');
    expect(decoded.convention).toBe('labels');
    expect(Array.from(decoded.od.data)).toEqual([0, 1, 1, 1]);
    expect(Array.from(decoded.oc.data)).toEqual([0, 0, 1, 0]);
  });

  it('reads an all-zero mask as empty labels, with a warning', () => {
    const decoded = decodeMaskAuto(grey(2, 1, [0, 0]), 'zero.png');
    expect(decoded.convention).toBe('labels');
    expect(Array.from(decoded.od.data)).toEqual([0, 0]);
    expect(decoded.warnings).toHaveLength(1);
    expect(decoded.warnings[0]).toMatch(/zero.png: mask is entirely 0/);
  });

  it('warns about a REFUGE mask without a disc', () => {
    const decoded = decodeMaskAuto(grey(2, 1, [255, 255]), 'bg.bmp');
    expect(decoded.convention).toBe('refuge');
    expect(decoded.warnings).toEqual(['bg.bmp: mask contains no optic disc']);
  });

  it('snaps a JPEG-damaged REFUGE mask and says how many pixels moved', () => {
    // 100 pixels: background 255 with noise, a rim around 128, a cup around 0.
    const values: number[] = [];
    for (let i = 0; i < 100; i++) {
      const base = i < 60 ? 255 : i < 85 ? 128 : 0;
      const noise = i % 10 === 0 ? 0 : ((i * 7) % 21) - 10; // 9 of 10 pixels off by up to 10
      values.push(Math.min(255, Math.max(0, base + noise)));
    }
    const changed = values.filter((v, i) => v !== (i < 60 ? 255 : i < 85 ? 128 : 0)).length;
    const decoded = decodeMaskAuto(grey(10, 10, values), 'g0001.jpg');
    expect(decoded.convention).toBe('refuge-jpeg');
    expect(decoded.warnings).toHaveLength(1);
    expect(decoded.warnings[0]).toContain(`snapped ${changed} of 100 pixels`);
    expect(Array.from(decoded.od.data).reduce((a, b) => a + b, 0)).toBe(40);
    expect(Array.from(decoded.oc.data).reduce((a, b) => a + b, 0)).toBe(15);
  });

  it('refuses a compressed black-background binary mask even though its values cluster at 0/255', () => {
    // 80 % near 0, 20 % near 255, each off by 0..9: JPEG-like, but "cup" would be most of the image.
    const values = Array.from({ length: 100 }, (_, i) => (i < 80 ? i % 10 : 255 - (i % 10)));
    expect(() => decodeMaskAuto(grey(10, 10, values), 'bin.jpg')).toThrow(/mostly near 0/);
  });

  it('refuses a Drishti-GS1 soft map and points to consensusMask', () => {
    expect(() => decodeMaskAuto(grey(5, 1, [0, 64, 128, 191, 255]), 'soft.png')).toThrow(/soft map.*consensusMask/);
  });

  it('refuses a black-background binary mask (0/255, mostly 0)', () => {
    const err = catchError(() => decodeMaskAuto(grey(3, 1, [0, 0, 255]), 'bin.png'));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe('bin.png');
    expect((err as InputError).problem).toMatch(/binary mask with a black background/);
  });

  it('reads 0/255 mostly 255 as REFUGE with a cup and no rim, with a warning', () => {
    const decoded = decodeMaskAuto(grey(3, 1, [0, 255, 255]), 'norim.bmp');
    expect(decoded.convention).toBe('refuge');
    expect(Array.from(decoded.od.data)).toEqual([1, 0, 0]);
    expect(Array.from(decoded.oc.data)).toEqual([1, 0, 0]);
    expect(decoded.warnings[0]).toMatch(/no disc rim/);
  });

  it('refuses values that follow no known convention, naming the file and the values', () => {
    const values = Array.from({ length: 37 }, (_, i) => 3 + Math.round((i * 247) / 36));
    const err = catchError(() => decodeMaskAuto(grey(37, 1, values), 'photo.png'));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      'photo.png: mask values outside the REFUGE convention 0/128/255: found 37 distinct values between 3 and 250',
    );
    expect(() => decodeMaskAuto(grey(3, 1, [0, 100, 255]), 'odd.png')).toThrow(/found 3 distinct values between 0 and 255 \(0, 100, 255\)/);
  });

  it('rejects a buffer whose length does not match the size', () => {
    expect(() => decodeMaskAuto(grey(3, 2, [0, 0, 0]), 'short.png')).toThrow(InputError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const ROI = 'roi-multidomain';

describe.runIf(hasSharedData(ROI))('decodeMaskAuto on the real ROI masks (REFUGE convention, PNG)', () => {
  const files = findMasks(sharedPath(ROI));

  it('finds the eight masks', () => {
    expect(files).toHaveLength(8);
  });

  it.each(files.map((f) => [path.relative(sharedPath(ROI), f), f] as const))('%s: disc contains the cup, vCDR in (0.2, 0.95)', async (_, file) => {
    const image = await readGrey(file);
    const decoded = decodeMaskAuto(image, file);
    expect(decoded.convention).toBe('refuge');
    expect(decoded.warnings).toEqual([]);
    let disc = 0;
    let cupOutside = 0;
    for (let i = 0; i < decoded.od.data.length; i++) {
      disc += decoded.od.data[i]!;
      if (decoded.oc.data[i] && !decoded.od.data[i]) cupOutside++;
    }
    expect(disc).toBeGreaterThan(0);
    expect(cupOutside).toBe(0);
    const vcdr = verticalCupToDiscRatio(decoded.od, decoded.oc)!;
    expect(vcdr).toBeGreaterThan(0.2);
    expect(vcdr).toBeLessThan(0.95);
  });

  it('snaps the same mask after JPEG compression back to nearly the original', async () => {
    const original = await readGrey(files[0]!);
    const jpeg = await sharp(Buffer.from(original.data), { raw: { width: original.width, height: original.height, channels: 1 } })
      .jpeg({ quality: 75 })
      .toBuffer();
    const damaged = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    const decoded = decodeMaskAuto({ width: damaged.info.width, height: damaged.info.height, data: new Uint8Array(damaged.data) }, 'x.jpg');
    expect(decoded.convention).toBe('refuge-jpeg');
    const clean = decodeMaskAuto(original, 'x.png');
    let differ = 0;
    for (let i = 0; i < clean.od.data.length; i++) if (clean.od.data[i] !== decoded.od.data[i] || clean.oc.data[i] !== decoded.oc.data[i]) differ++;
    // Only edge pixels can move; well under 1 % of the image.
    expect(differ / clean.od.data.length).toBeLessThan(0.01);
  });
});

function findMasks(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.split(path.sep).includes('mask') && f.endsWith('.png'))
    .map((f) => path.join(root, f))
    .sort();
}

async function readGrey(file: string): Promise<GreyImage> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
