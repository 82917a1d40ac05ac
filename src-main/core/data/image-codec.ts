// The image I/O contract of the core. The core never imports a native image
// library: the app and the CLI pass in an ImageCodec (src-main/platform/sharp-codec.ts),
// tests may pass a fake. The pure pieces every codec shares live here too: the
// letterbox rule, format sniffing by magic bytes, size limits, grey extraction.
import { InputError } from '../errors';
import type { GreyImage, RgbImage, Size } from '../types';

export interface DecodedImage extends RgbImage {
  /** What the file held before conversion to 8-bit RGB. bitDepth is bits per channel (8, 16; 5 for 16-bit BMP). */
  readonly source: { readonly format: string; readonly channels: number; readonly bitDepth: number };
  /** Conversions worth telling the user about (grey replicated, 16-bit scaled, alpha dropped...). */
  readonly warnings: readonly string[];
}

export interface LetterboxedImage {
  /** size x size RGB: the image padded to a centred square with black, then resized. */
  readonly image: RgbImage;
  /** Size of the file's image before padding and resizing. */
  readonly original: Size;
  readonly source: DecodedImage['source'];
  readonly warnings: readonly string[];
}

export interface ImageCodec {
  /** Any supported image as 8-bit RGB at original size. Grey -> replicated, 16-bit -> scaled to 8-bit, alpha dropped (warnings say so). */
  readRgb(file: string): Promise<DecodedImage>;
  /**
   * Fast path for inference: pad to square (black, centred, by `squarePadding`) and resize to
   * size x size bilinear, plus the original size. Agrees with readRgb + a pure letterbox to
   * within a few grey levels (the resize may anti-alias and place the padding edge to the nearest output pixel).
   */
  readLetterboxed(file: string, size: number): Promise<LetterboxedImage>;
  /** 8-bit single channel as stored (masks, soft maps): NO colour management, no gamma, values preserved exactly. */
  readGrey(file: string): Promise<GreyImage>;
  /** Writes an 8-bit PNG (RGB or grey, told apart by data length) atomically (temp + rename). */
  writePng(file: string, image: RgbImage | GreyImage): Promise<void>;
  /** Writes a JPEG atomically; quality 1-100, default 95. */
  writeJpeg(file: string, image: RgbImage, quality?: number): Promise<void>;
  /** Image size without decoding pixels. Checks the format, not the size limits (see checkImageSize). */
  probe(file: string): Promise<Size & { format: string }>;
}

// ---- the letterbox rule -------------------------------------------------------------

/**
 * How a width x height image is padded to a square before resizing (the model's input):
 * side = max(width, height); padX = floor((side - width) / 2) black columns on the left
 * (the rest, side - width - padX, on the right); likewise padY rows on top. So an odd
 * surplus puts the extra column on the right / the extra row at the bottom.
 * src-main/core/geometry (mapping coordinates back to original pixels) uses this same rule.
 */
export function squarePadding(size: Size): { side: number; padX: number; padY: number } {
  const side = Math.max(size.width, size.height);
  return { side, padX: Math.floor((side - size.width) / 2), padY: Math.floor((side - size.height) / 2) };
}

// ---- limits ---------------------------------------------------------------------------

/** Smaller images cannot show a disc and cup usefully. */
export const MIN_IMAGE_SIDE = 64;
/** Larger images are almost certainly not single fundus photographs, and would exhaust memory. */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** Throws InputError if the size is outside the limits above. */
export function checkImageSize(file: string, size: Size): void {
  const { width, height } = size;
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new InputError(file, `too small: ${width}x${height} px (each side must be at least ${MIN_IMAGE_SIDE} px)`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    throw new InputError(file, `too large: ${width}x${height} px is ${mp} megapixels (the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels)`);
  }
}

// ---- format sniffing ----------------------------------------------------------------

export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'tiff' | 'webp' | 'gif';

export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  bmp: 'BMP',
  tiff: 'TIFF',
  webp: 'WebP',
  gif: 'GIF',
};

/** File extensions (lower case, with dot) that the readers treat as images. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff'];

/** Bytes a sniffer wants to see (DICOM's marker sits at offset 128). */
export const SNIFF_BYTES = 132;

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/** The image format, decided by the magic bytes at the start of the file (never by its extension). */
export function sniffImageFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, ascii('BM')) && head.length >= 18) return 'bmp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  return null;
}

/** Formats we recognise but cannot read: the message says what to do instead. */
function unsupportedImage(head: Uint8Array): string | null {
  if (startsWith(head, ascii('DICM'), 128)) return 'DICOM (export the image as PNG or JPEG)';
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(head, [0xff, 0x4f, 0xff, 0x51])) return 'JPEG 2000';
  if (startsWith(head, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...head.subarray(8, 12));
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1|avif)$/.test(brand)) return `HEIF/AVIF (${brand})`;
  }
  if (startsWith(head, ascii('8BPS'))) return 'Photoshop PSD';
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'Windows icon (ICO)';
  if (head.length > 2 && head[0] === 0x50 && head[1]! >= 0x31 && head[1]! <= 0x36 && [0x09, 0x0a, 0x0d, 0x20].includes(head[2]!)) return 'Netpbm (PPM/PGM)';
  return null;
}

function looksLike(head: Uint8Array): string | null {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'a ZIP';
  if (startsWith(head, ascii('%PDF'))) return 'a PDF';
  if (startsWith(head, [0x1f, 0x8b])) return 'a gzip archive';
  if (startsWith(head, ascii('Rar!'))) return 'a RAR archive';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf])) return 'a 7-Zip archive';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'an executable';
  if (startsWith(head, ascii('MZ'))) return 'a Windows executable';
  if (startsWith(head, ascii('SQLite format 3'))) return 'an SQLite database';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) return 'an old Microsoft Office file';
  const text = head.subarray(0, 64);
  if (text.length > 0 && text.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80)) {
    const start = String.fromCharCode(...text.subarray(0, 16)).trimStart().toLowerCase();
    if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page';
    if (start.startsWith('<')) return 'XML or HTML';
    if (start.startsWith('{') || start.startsWith('[')) return 'JSON';
    return 'text';
  }
  return null;
}

/**
 * The problem to report for a file that sniffImageFormat rejected, e.g.
 * "not an image (starts with bytes 50 4B 03 04: looks like a ZIP)" or "unsupported format: DICOM (...)".
 */
export function describeNonImage(head: Uint8Array): string {
  const unsupported = unsupportedImage(head);
  if (unsupported) return `unsupported format: ${unsupported}`;
  const hex = [...head.subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const kind = looksLike(head);
  return `not an image (starts with bytes ${hex}${kind ? `: looks like ${kind}` : ''})`;
}

// ---- pixel helpers --------------------------------------------------------------------

/** Whether every pixel has r = g = b. */
export function isGreyRgb(image: RgbImage): boolean {
  const d = image.data;
  for (let i = 0; i < d.length; i += 3) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/**
 * A single channel from RGB without any colour maths: the common value where r = g = b (masks
 * stored as grey RGB or with a grey palette keep their exact values), else the rounded mean of
 * the three channels (a colour or JPEG-damaged mask; decodeMaskAuto judges the result).
 */
export function greyFromRgb(image: RgbImage): GreyImage {
  const { width, height } = image;
  const d = image.data;
  const out = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    const r = d[p]!;
    const g = d[p + 1]!;
    const b = d[p + 2]!;
    out[i] = r === g && r === b ? r : Math.round((r + g + b) / 3);
  }
  return { width, height, data: out };
}
