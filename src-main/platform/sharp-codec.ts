// The ImageCodec of the app and the CLI, on sharp (libvips). BMP, which libvips
// cannot read, goes through the core's pure-TS decoder. The format is decided by
// the file's first bytes, never by its extension, and every failure becomes a
// one-line InputError naming the file.
import fs from 'node:fs';
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { errorMessage, InputError } from '../core/errors';
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

/** 'permission denied (EACCES)' for a Node file-system error. */
function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', EIO: 'input/output error', ELOOP: 'too many symbolic links', EISDIR: 'is a folder' };
  if (code) return `${words[code] ?? errorMessage(error)} (${code})`;
  return errorMessage(error);
}

/** Reads the first bytes after checking that the path is a non-empty file. */
async function readHead(file: string): Promise<{ format: ImageFormat; head: Uint8Array; bytes: number }> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    throw new InputError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read: ${fsReason(error)}`);
  }
  if (stat.isDirectory()) throw new InputError(file, 'is a folder, not an image file');
  if (!stat.isFile()) throw new InputError(file, 'not a regular file');
  if (stat.size === 0) throw new InputError(file, 'empty file (0 bytes)');
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    throw new InputError(file, `cannot be opened: ${fsReason(error)}`);
  }
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

/**
 * libvips decodes a JPEG with damaged entropy data to the end and only warns ("Corrupt JPEG data:
 * premature end of data segment"): the rest of the picture comes out grey, and a model would give
 * it a confident answer. Such a warning makes the file a per-file problem. "Extraneous bytes
 * before marker 0xd9" is junk after the last scan line, common from some cameras, and harmless.
 */
const DAMAGE_WARNING = /corrupt|premature end|truncat|bad huffman|crc error|invalid|damaged|unexpected end/i;
const HARMLESS_WARNING = /extraneous bytes before marker 0xd9|read gave \d+ warnings?/i;

/** The damage libvips warned about while decoding, if any ("Corrupt JPEG data: premature end of data segment"). */
export function damageFromWarnings(warnings: readonly string[]): string | null {
  for (const raw of warnings) {
    const line = raw.replace(/^\s*[A-Za-z]*(load|Jpeg|Png|Tiff|Webp|Gif|spng)[A-Za-z_]*:\s*/i, '').trim();
    if (line && DAMAGE_WARNING.test(line) && !HARMLESS_WARNING.test(line)) return line;
  }
  return null;
}

/** Runs a decode and turns a damage warning from libvips into an InputError naming the file. */
async function decodeChecked<T>(file: string, format: ImageFormat, fileBytes: number, pipeline: Sharp, run: (p: Sharp) => Promise<T>): Promise<T> {
  const warnings: string[] = [];
  pipeline.on('warning', (message: string) => warnings.push(String(message)));
  let result: T;
  try {
    result = await run(pipeline);
  } catch (error) {
    throw decodeError(file, format, error, fileBytes);
  }
  const damage = damageFromWarnings(warnings);
  if (damage) throw new InputError(file, `damaged ${FORMAT_NAMES[format]}: ${damage}; part of the picture cannot be decoded (file is ${fileBytes} bytes), not screened`);
  return result;
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
  // One rule everywhere (decode, masks, media, exports): the EXIF orientation is applied, as
  // cameras and viewers do, so the pixels match what a browser shows of the same file.
  if (meta.orientation !== undefined && meta.orientation !== 1) warnings.push(`EXIF orientation ${meta.orientation} applied (rotated or flipped as viewers show it)`);
  return { size: orientedSize(meta), source: { format: FORMAT_NAMES[format], channels, bitDepth }, warnings };
}

/** The size after the EXIF orientation is applied (orientations 5-8 swap width and height). */
function orientedSize(meta: Metadata): Size {
  if (meta.autoOrient?.width && meta.autoOrient.height) return { width: meta.autoOrient.width, height: meta.autoOrient.height };
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: (swap ? meta.height : meta.width) ?? 0, height: (swap ? meta.width : meta.height) ?? 0 };
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
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.promises.readFile(file));
  } catch (error) {
    throw new InputError(file, `cannot be read: ${fsReason(error)}`);
  }
  checkImageSize(file, readBmpHeader(bytes, file));
  return decodeBmp(bytes, file);
}

/** Builds the sharp ImageCodec. */
export function createSharpCodec(): ImageCodec {
  const open = (file: string): Sharp => sharp(file, { failOn: 'truncated', limitInputPixels: false, autoOrient: true });

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
    return decodeChecked(file, format, bytes, open(file), async (p) => {
      const { data, info } = await p.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), source, warnings };
    });
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
      // Shrink-on-load decodes a damaged JPEG without a warning: a full-size decode (about 25 ms
      // for a 2124x2056 photograph) is what notices the damage.
      if (format === 'jpeg') await decodeChecked(file, format, bytes, open(file), (p) => p.raw().toBuffer());
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
    return decodeChecked(file, format, bytes, pipeline, async (p) => {
      const { data, info } = await p
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
    });
  }

  async function readGrey(file: string): Promise<GreyImage> {
    const { format, bytes } = await readHead(file);
    if (format === 'bmp') return greyFromRgb((await decodeBmpFile(file)).rgb);
    const meta = await sharpMetadata(file, format, bytes);
    const { size } = inspectSharp(meta, format);
    checkImageSize(file, size);
    const colourChannels = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    // ignoreIcc: an embedded profile must not move mask values. A grey file stays in its
    // own colour space ('b-w' is identity for 8-bit grey, and scales 16-bit to 8-bit);
    // an RGB file is taken as stored and reduced by greyFromRgb without colour maths.
    const base = sharp(file, { failOn: 'truncated', limitInputPixels: false, ignoreIcc: true, autoOrient: true });
    return decodeChecked(file, format, bytes, base, async (p) => {
      if (colourChannels === 1) {
        const { data, info } = await p.removeAlpha().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 1) throw new Error(`decoder returned ${info.channels} channels`);
        return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
      const { data, info } = await p.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
      return greyFromRgb({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    });
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
    return { ...orientedSize(meta), format: FORMAT_NAMES[format] };
  }

  return { readRgb, readLetterboxed, readGrey, writePng, writeJpeg, probe };
}
