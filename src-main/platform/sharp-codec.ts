// The ImageCodec of the app and the CLI, on sharp (libvips). BMP, which libvips
// cannot read, goes through the core's pure-TS decoder. The format is decided by
// the file's first bytes, never by its extension, and every failure becomes a
// one-line InputError naming the file.
import fs from 'node:fs';
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { InputError } from '../core/errors';
import { writeFileAtomic } from '../core/fs/atomic';
import { BMP_HEADER_BYTES, decodeBmp, readBmpHeader } from '../core/data/bmp';
import {
  FORMAT_NAMES,
  SNIFF_BYTES,
  checkImageSize,
  describeNonImage,
  greyFromRgb,
  isGreyRgb,
  sniffImageFormat,
  squarePadding,
  type DecodedImage,
  type ImageCodec,
  type ImageFormat,
  type LetterboxedImage,
} from '../core/data/image-codec';
import type { GreyImage, RgbImage, Size } from '../core/types';

type Source = DecodedImage['source'];

/** Reads the first bytes after checking that the path is a non-empty file. */
async function readHead(file: string): Promise<{ format: ImageFormat; head: Uint8Array; bytes: number }> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new InputError(file, 'not found');
  }
  if (stat.isDirectory()) throw new InputError(file, 'is a folder, not an image file');
  if (!stat.isFile()) throw new InputError(file, 'not a regular file');
  if (stat.size === 0) throw new InputError(file, 'empty file (0 bytes)');
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = new Uint8Array(Math.min(SNIFF_BYTES, stat.size));
    await handle.read(head, 0, head.length, 0);
    const format = sniffImageFormat(head);
    if (!format) throw new InputError(file, describeNonImage(head));
    return { format, head, bytes: stat.size };
  } finally {
    await handle.close();
  }
}

/** libvips messages, reduced to their first useful line ("VipsJpeg: premature end of JPEG image" -> "premature end of JPEG image"). */
function vipsMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^Input (file|buffer) (has corrupt header|is missing)?:?\s*/i, '').replace(/^\s*[A-Za-z]*(load|Jpeg|Png|Tiff|Webp|Gif|spng)[A-Za-z_]*:\s*/i, '').trim())
    .filter((l) => l.length > 0);
  return lines[0] ?? '';
}

function decodeError(file: string, format: ImageFormat, error: unknown, fileBytes: number): InputError {
  if (error instanceof InputError) return error;
  const message = vipsMessage(error);
  const name = FORMAT_NAMES[format];
  if (message === '') return new InputError(file, `corrupt or truncated ${name}: unreadable header (file is ${fileBytes} bytes)`);
  if (/premature end|truncat|unexpected end|end of (stream|file|data|image)|not enough (data|image data)|short read|read error/i.test(message)) {
    return new InputError(file, `truncated ${name}: ${message} (file is ${fileBytes} bytes)`);
  }
  return new InputError(file, `corrupt ${name}: ${message}`);
}

function bytesOf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function rawInfo(image: RgbImage | GreyImage): { width: number; height: number; channels: 1 | 3 } {
  const { width, height } = image;
  if (image.data.length === width * height * 3) return { width, height, channels: 3 };
  if (image.data.length === width * height) return { width, height, channels: 1 };
  throw new RangeError(`image data length ${image.data.length} fits neither ${width}x${height} RGB nor grey`);
}

interface Inspected {
  readonly size: Size;
  readonly source: Source;
  readonly warnings: string[];
}

/** What the pipeline will do to the pixels, said in warnings. */
function inspectSharp(meta: Metadata, format: ImageFormat): Inspected {
  const channels = meta.channels ?? 3;
  const bitDepth = meta.depth === 'ushort' || meta.depth === 'short' ? 16 : meta.depth === 'float' || meta.depth === 'double' ? 32 : 8;
  const warnings: string[] = [];
  const colourChannels = meta.hasAlpha ? channels - 1 : channels;
  if (colourChannels === 1) warnings.push('greyscale image: its grey was copied to red, green and blue');
  if (meta.space === 'cmyk') warnings.push('CMYK image: converted to RGB');
  if (bitDepth !== 8) warnings.push(`${bitDepth}-bit image: scaled to 8 bits per channel`);
  if (meta.hasAlpha) warnings.push('alpha channel (transparency) dropped');
  if ((meta.pages ?? 1) > 1) warnings.push(`${meta.pages} pages: only the first is used`);
  if (meta.orientation !== undefined && meta.orientation !== 1) {
    warnings.push(`EXIF orientation ${meta.orientation} ignored: pixels are used as stored, so annotations keep their coordinates`);
  }
  return { size: { width: meta.width ?? 0, height: meta.height ?? 0 }, source: { format: FORMAT_NAMES[format], channels, bitDepth }, warnings };
}

function inspectBmp(bmp: ReturnType<typeof decodeBmp>): Inspected {
  const grey = isGreyRgb(bmp.rgb);
  const warnings: string[] = [];
  if (grey) warnings.push('greyscale image: its grey was copied to red, green and blue');
  if (bmp.hasAlpha) warnings.push('alpha channel (transparency) dropped');
  const channels = (grey ? 1 : 3) + (bmp.hasAlpha ? 1 : 0);
  const bitDepth = bmp.bitsPerPixel === 16 ? 5 : 8;
  return { size: { width: bmp.width, height: bmp.height }, source: { format: 'BMP', channels, bitDepth }, warnings };
}

async function sharpMetadata(file: string, format: ImageFormat, fileBytes: number): Promise<Metadata> {
  try {
    const meta = await sharp(file, { failOn: 'truncated', limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new InputError(file, `corrupt ${FORMAT_NAMES[format]}: no image size in the header`);
    return meta;
  } catch (error) {
    throw decodeError(file, format, error, fileBytes);
  }
}

async function decodeBmpFile(file: string): Promise<ReturnType<typeof decodeBmp>> {
  const bytes = new Uint8Array(await fs.promises.readFile(file));
  checkImageSize(file, readBmpHeader(bytes, file));
  return decodeBmp(bytes, file);
}

/** Builds the sharp ImageCodec. */
export function createSharpCodec(): ImageCodec {
  const open = (file: string): Sharp => sharp(file, { failOn: 'truncated', limitInputPixels: false });

  async function readRgb(file: string): Promise<DecodedImage> {
    const { format, bytes } = await readHead(file);
    if (format === 'bmp') {
      const bmp = await decodeBmpFile(file);
      const { source, warnings } = inspectBmp(bmp);
      return { ...bmp.rgb, source, warnings };
    }
    const meta = await sharpMetadata(file, format, bytes);
    const { size, source, warnings } = inspectSharp(meta, format);
    checkImageSize(file, size);
    try {
      const { data, info } = await open(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), source, warnings };
    } catch (error) {
      throw decodeError(file, format, error, bytes);
    }
  }

  async function readLetterboxed(file: string, size: number): Promise<LetterboxedImage> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`letterbox size must be a positive integer, got ${size}`);
    const { format, bytes } = await readHead(file);
    let pipeline: Sharp;
    let inspected: Inspected;
    if (format === 'bmp') {
      const bmp = await decodeBmpFile(file);
      inspected = inspectBmp(bmp);
      pipeline = sharp(bytesOf(bmp.rgb.data), { raw: { width: bmp.width, height: bmp.height, channels: 3 } });
    } else {
      const meta = await sharpMetadata(file, format, bytes);
      inspected = inspectSharp(meta, format);
      checkImageSize(file, inspected.size);
      pipeline = open(file);
    }
    // Resize the unpadded image by the letterbox scale, then add the padding at output
    // resolution: this lets libvips shrink JPEGs on load (decode at 1/2, 1/4, 1/8), several
    // times faster than decoding at full size. The padding edge lands on the nearest output
    // pixel, a sub-pixel difference from padding first (see the agreement test).
    const { width, height } = inspected.size;
    const { side, padX, padY } = squarePadding(inspected.size);
    const scale = size / side;
    const resizedWidth = Math.min(size, Math.max(1, Math.round(width * scale)));
    const resizedHeight = Math.min(size, Math.max(1, Math.round(height * scale)));
    const left = Math.min(size - resizedWidth, Math.round(padX * scale));
    const top = Math.min(size - resizedHeight, Math.round(padY * scale));
    try {
      const { data, info } = await pipeline
        .removeAlpha()
        .resize({ width: resizedWidth, height: resizedHeight, fit: 'fill', kernel: 'linear' })
        .extend({ left, top, right: size - resizedWidth - left, bottom: size - resizedHeight - top, background: { r: 0, g: 0, b: 0 } })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== size || info.height !== size) {
        throw new Error(`letterbox produced ${info.width}x${info.height}x${info.channels}`);
      }
      return {
        image: { width: size, height: size, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
        original: { width, height },
        source: inspected.source,
        warnings: inspected.warnings,
      };
    } catch (error) {
      throw decodeError(file, format, error, bytes);
    }
  }

  async function readGrey(file: string): Promise<GreyImage> {
    const { format, bytes } = await readHead(file);
    if (format === 'bmp') return greyFromRgb((await decodeBmpFile(file)).rgb);
    const meta = await sharpMetadata(file, format, bytes);
    const { size } = inspectSharp(meta, format);
    checkImageSize(file, size);
    const colourChannels = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    try {
      // ignoreIcc: an embedded profile must not move mask values. A grey file stays in its
      // own colour space ('b-w' is identity for 8-bit grey, and scales 16-bit to 8-bit);
      // an RGB file is taken as stored and reduced by greyFromRgb without colour maths.
      const base = sharp(file, { failOn: 'truncated', limitInputPixels: false, ignoreIcc: true }).removeAlpha();
      if (colourChannels === 1) {
        const { data, info } = await base.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 1) throw new Error(`decoder returned ${info.channels} channels`);
        return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
      const { data, info } = await base.raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
      return greyFromRgb({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    } catch (error) {
      throw decodeError(file, format, error, bytes);
    }
  }

  async function writePng(file: string, image: RgbImage | GreyImage): Promise<void> {
    const raw = rawInfo(image);
    let pipeline = sharp(bytesOf(image.data), { raw });
    if (raw.channels === 1) pipeline = pipeline.toColourspace('b-w');
    writeFileAtomic(file, await pipeline.png({ compressionLevel: 6 }).toBuffer());
  }

  async function writeJpeg(file: string, image: RgbImage, quality = 95): Promise<void> {
    const raw = rawInfo(image);
    if (raw.channels !== 3) throw new RangeError('writeJpeg needs an RGB image');
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`JPEG quality must be an integer 1-100, got ${quality}`);
    writeFileAtomic(file, await sharp(bytesOf(image.data), { raw }).jpeg({ quality }).toBuffer());
  }

  async function probe(file: string): Promise<Size & { format: string }> {
    const { format, bytes } = await readHead(file);
    if (format === 'bmp') {
      const handle = await fs.promises.open(file, 'r');
      try {
        const head = new Uint8Array(Math.min(bytes, BMP_HEADER_BYTES));
        await handle.read(head, 0, head.length, 0);
        const header = readBmpHeader(head, file, bytes);
        return { width: header.width, height: header.height, format: 'BMP' };
      } finally {
        await handle.close();
      }
    }
    const meta = await sharpMetadata(file, format, bytes);
    return { width: meta.width!, height: meta.height!, format: FORMAT_NAMES[format] };
  }

  return { readRgb, readLetterboxed, readGrey, writePng, writeJpeg, probe };
}
