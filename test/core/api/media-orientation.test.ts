// One orientation rule in the review screen: an EXIF-rotated JPEG reaches the
// browser already turned, with the size the stored case and its masks have.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveMedia } from '../../../src-main/core/api/media';
import { jpegExifOrientation } from '../../../src-main/core/data/exif-orientation';
import type { Store } from '../../../src-main/core/store/store';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { fundusLikeJpeg, rotatedJpeg } from '../../helpers/bad-images';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-orient-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const codec = createSharpCodec();

function storeWith(file: string): Store {
  return { cases: { get: (id: string) => (id === 'c1' ? { id, file } : undefined) } } as unknown as Store;
}

describe('media: EXIF orientation', () => {
  it('reads the orientation tag from JPEG bytes', async () => {
    await rotatedJpeg(path.join(dir, 'r.jpg'), 160, 80);
    await fundusLikeJpeg(path.join(dir, 'plain.jpg'), 96, 80);
    expect(jpegExifOrientation(fs.readFileSync(path.join(dir, 'r.jpg')))).toBe(6);
    expect(jpegExifOrientation(fs.readFileSync(path.join(dir, 'plain.jpg')))).toBe(1);
    expect(jpegExifOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
  });

  it('a rotated JPEG is served turned, at the size the codec (and so the case and masks) has', async () => {
    const file = path.join(dir, 'r.jpg');
    const response = await resolveMedia({ store: storeWith(file), codec }, '/media/case/c1/image', new URLSearchParams());
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('image/png');
    const meta = await sharp(Buffer.from(response.body)).metadata();
    expect([meta.width, meta.height]).toEqual([80, 160]);
    expect(await codec.probe(file)).toMatchObject({ width: 80, height: 160 });
  });

  it('an unrotated JPEG is still served as stored', async () => {
    const file = path.join(dir, 'plain.jpg');
    const response = await resolveMedia({ store: storeWith(file), codec }, '/media/case/c1/image', new URLSearchParams());
    expect(response.contentType).toBe('image/jpeg');
    expect(Buffer.from(response.body).equals(fs.readFileSync(file))).toBe(true);
  });
});
