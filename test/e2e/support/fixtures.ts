// Folders the e2e suite imports: synthetic fundus photographs written at test
// time, a few real photographs copied from ../shared/data into the temp folder
// (never into the repo), and bad files for the per-file problem messages.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateFundus } from '../../../src-main/core/data/synth';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { sharedPath } from '../../helpers/shared-data';

/** Real photographs used by the suite (REFUGE at 2124x2056, Drishti-GS1 at about 2045x1750). */
export const REAL_IMAGES = [sharedPath('refuge-samples', 'Training400', 'Glaucoma', 'g0001.jpg'), sharedPath('refuge-samples', 'Training400', 'Non-Glaucoma', 'n0281.jpg'), sharedPath('drishti-gs1', 'Training', 'Images', 'drishtiGS_002.jpg')];

/** A synthetic photograph and where its structures truly are (image pixels). */
export interface SyntheticTruth {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly discCenter: { x: number; y: number };
  /** Top and bottom rows of the true disc. */
  readonly discTop: number;
  readonly discBottom: number;
  readonly fovea: { x: number; y: number };
}

export async function writeSyntheticImages(dir: string, count: number, size = { width: 640, height: 620 }): Promise<SyntheticTruth[]> {
  fs.mkdirSync(dir, { recursive: true });
  const codec = createSharpCodec();
  const written: SyntheticTruth[] = [];
  for (let k = 0; k < count; k++) {
    const fundus = generateFundus(1000 + k, { ...size, glaucoma: k % 2 === 0 ? 1 : 0 });
    const name = `synthetic_${String(k + 1).padStart(2, '0')}.png`;
    await codec.writePng(path.join(dir, name), fundus.image);
    const first = fundus.od.data.indexOf(1);
    const last = fundus.od.data.lastIndexOf(1);
    written.push({ name, ...size, discCenter: fundus.discCenter, discTop: Math.floor(first / size.width), discBottom: Math.floor(last / size.width), fovea: fundus.fovea });
  }
  return written;
}

export function copyRealImages(dir: string, files: readonly string[] = REAL_IMAGES): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((file) => {
    fs.copyFileSync(file, path.join(dir, path.basename(file)));
    return path.basename(file);
  });
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A valid PNG header announcing width x height (no real pixel data): a "huge" image that must be refused, not decoded. */
export function hugePngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(16))), pngChunk('IEND', new Uint8Array(0))]);
}

/** The bad files of the issue: corrupt, grey, huge and non-image. Returns their names. */
export async function writeBadFiles(dir: string): Promise<{ corrupt: string; grey: string; huge: string; nonImage: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const codec = createSharpCodec();
  const good = path.join(dir, '.tmp-good.jpg');
  const fundus = generateFundus(7, { width: 320, height: 300 });
  await codec.writeJpeg(good, fundus.image, 90);
  const bytes = fs.readFileSync(good);
  fs.rmSync(good);
  fs.writeFileSync(path.join(dir, 'corrupt.jpg'), bytes.subarray(0, Math.floor(bytes.length / 3)));
  const grey = new Uint8Array(320 * 300).fill(90);
  await codec.writePng(path.join(dir, 'grey.png'), { width: 320, height: 300, data: grey });
  fs.writeFileSync(path.join(dir, 'huge.png'), hugePngHeader(60_000, 60_000));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'patient list, not an image\n');
  return { corrupt: 'corrupt.jpg', grey: 'grey.png', huge: 'huge.png', nonImage: 'notes.txt' };
}
