// The codec under damaged files, unreadable files and EXIF orientation: no silent
// wrong answers (a damaged JPEG is a problem naming the file, never a half-grey
// picture), and one orientation rule for every reader.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src-main/core/errors';
import { createSharpCodec, damageFromWarnings } from '../../src-main/platform/sharp-codec';
import { flipBytes, fundusLikeJpeg, noisyTail, rotatedJpeg } from '../helpers/bad-images';
import { hasSharedData, sharedPath } from '../helpers/shared-data';

const codec = createSharpCodec();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-faults-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
const at = (name: string): string => path.join(dir, name);

async function problemOf(promise: Promise<unknown>, file: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(file);
    return (error as InputError).problem;
  }
  throw new Error(`expected an InputError for ${file}`);
}

describe('sharp codec: damaged JPEGs are problems, not grey pictures', () => {
  it.runIf(hasSharedData('refuge-samples'))('three flipped bytes of a fundus photograph: every reader names the file as damaged', async () => {
    const good = fs.readFileSync(sharedPath('refuge-samples', 'Training400', 'Glaucoma', 'g0005.jpg'));
    fs.writeFileSync(at('good.jpg'), good);
    expect((await codec.readLetterboxed(at('good.jpg'), 64)).warnings).toEqual([]);
    fs.writeFileSync(at('flipped.jpg'), flipBytes(good));
    for (const read of [() => codec.readRgb(at('flipped.jpg')), () => codec.readLetterboxed(at('flipped.jpg'), 64), () => codec.readGrey(at('flipped.jpg'))]) {
      expect(await problemOf(read(), at('flipped.jpg'))).toMatch(/^damaged JPEG: Corrupt JPEG data/);
    }
  });

  it('a tail overwritten with noise is damaged too', async () => {
    const good = await fundusLikeJpeg(at('good2.jpg'));
    fs.writeFileSync(at('tail.jpg'), noisyTail(good));
    expect(await problemOf(codec.readLetterboxed(at('tail.jpg'), 128), at('tail.jpg'))).toMatch(/^damaged JPEG: .*not screened/);
  });

  it('harmless warnings are not damage', () => {
    expect(damageFromWarnings(['read gave 1 warnings', 'VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xd9'])).toBeNull();
    expect(damageFromWarnings(['read gave 1 warnings', 'VipsJpeg: Corrupt JPEG data: premature end of data segment\n'])).toBe('Corrupt JPEG data: premature end of data segment');
  });
});

describe('sharp codec: a file that cannot be opened is one per-file problem', () => {
  it('EACCES on open becomes an InputError naming the file', async () => {
    await fundusLikeJpeg(at('locked.jpg'), 64, 48);
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${at('locked.jpg')}'`), { code: 'EACCES' });
    vi.spyOn(fs.promises, 'open').mockRejectedValue(denied);
    expect(await problemOf(codec.readLetterboxed(at('locked.jpg'), 32), at('locked.jpg'))).toBe('cannot be opened: permission denied (EACCES)');
    expect(await problemOf(codec.probe(at('locked.jpg')), at('locked.jpg'))).toBe('cannot be opened: permission denied (EACCES)');
  });

  it('EACCES on stat too', async () => {
    const denied = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    vi.spyOn(fs.promises, 'stat').mockRejectedValue(denied);
    expect(await problemOf(codec.readRgb(at('x.jpg')), at('x.jpg'))).toBe('cannot be read: permission denied (EACCES)');
  });
});

describe('sharp codec: the EXIF orientation is applied everywhere', () => {
  it('orientation 6: probe, readRgb, readGrey and readLetterboxed all see the picture as viewers show it', async () => {
    await rotatedJpeg(at('rot6.jpg'), 160, 80);
    expect(await codec.probe(at('rot6.jpg'))).toEqual({ width: 80, height: 160, format: 'JPEG' });
    const rgb = await codec.readRgb(at('rot6.jpg'));
    expect([rgb.width, rgb.height]).toEqual([80, 160]);
    expect(rgb.warnings.join(' ')).toMatch(/orientation 6 applied/);
    const px = (x: number, y: number): number[] => Array.from(rgb.data.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    expect(px(40, 20)[0]).toBeGreaterThan(200); // top: red
    expect(px(40, 140)[2]).toBeGreaterThan(200); // bottom: blue
    const grey = await codec.readGrey(at('rot6.jpg'));
    expect([grey.width, grey.height]).toEqual([80, 160]);
    const boxed = await codec.readLetterboxed(at('rot6.jpg'), 80);
    expect(boxed.original).toEqual({ width: 80, height: 160 });
    const bpx = (x: number, y: number): number[] => Array.from(boxed.image.data.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    expect(bpx(40, 10)[0]).toBeGreaterThan(200);
    expect(bpx(40, 70)[2]).toBeGreaterThan(200);
    expect(bpx(5, 40)).toEqual([0, 0, 0]); // letterbox padding left and right
  });
});
