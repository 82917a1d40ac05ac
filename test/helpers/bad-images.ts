// Damaged and unusual image files for the fault tests, generated on the fly.
import fs from 'node:fs';
import sharp from 'sharp';

/** A fundus-like JPEG (a bright disc on a red-orange field, with texture) of width x height. */
export async function fundusLikeJpeg(file: string, width = 640, height = 480): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let seed = 12345;
  const cx = width * 0.6;
  const cy = height * 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const d = Math.hypot(x - cx, y - cy) / (height * 0.12);
      seed = (seed * 1103515245 + 12345) >>> 0;
      const texture = ((x * 7 + y * 13) % 17) * 2 + ((seed >>> 16) % 23);
      data[i] = Math.min(255, 150 + texture + (d < 1 ? 90 : 0));
      data[i + 1] = Math.min(255, 60 + texture + (d < 1 ? 140 : 0));
      data[i + 2] = Math.min(255, 20 + (texture >> 1) + (d < 1 ? 80 : 0));
    }
  }
  const bytes = await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  fs.writeFileSync(file, bytes);
  return bytes;
}

/** The first recipe: three bytes flipped at 30, 50 and 70 % of the file. */
export function flipBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (const f of [0.3, 0.5, 0.7]) out[Math.floor(out.length * f)]! ^= 0xff;
  return out;
}

/** The second recipe: the tail (from `from` of the file on) overwritten with noise, the length kept. */
export function noisyTail(bytes: Buffer, from = 0.6): Buffer {
  const out = Buffer.from(bytes);
  for (let i = Math.floor(out.length * from); i < out.length; i++) out[i] = (i * 7919 + 13) & 0xff;
  return out;
}

/**
 * A JPEG stored width x height with EXIF orientation 6 (shown rotated 90 degrees clockwise):
 * left half red, right half blue as stored, so shown top half red, bottom half blue.
 */
export async function rotatedJpeg(file: string, width = 80, height = 40): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) data[i] = 255;
      else data[i + 2] = 255;
    }
  }
  fs.writeFileSync(file, await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
}
