// A BMP writer for every variant the decoder reads (1/4/8/16/24/32 bits,
// palettes, bit fields, top-down): fixtures for the decoder's tests. The
// product writes only 8-bit grey masks (src-main/core/data/bmp.ts encodeBmpGrey).
import { bmpRowStride, type BmpBitsPerPixel } from '../../src-main/core/data/bmp';
import type { GreyImage, RgbImage } from '../../src-main/core/types';

function maskChannel(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

export interface BmpEncodeOptions {
  /** Default: 8 for a grey image (grey palette), 24 for RGB. */
  readonly bitsPerPixel?: BmpBitsPerPixel;
  /** Store the first row first (negative height). Default false, as most writers do. */
  readonly topDown?: boolean;
  /**
   * 16/32-bit only: write BI_BITFIELDS with these masks instead of BI_RGB
   * (BI_RGB is 5-5-5 for 16-bit and BGRX for 32-bit). Channel values are scaled to the mask width.
   */
  readonly bitfields?: { readonly r: number; readonly g: number; readonly b: number; readonly a?: number };
}

/** RgbImage and GreyImage have the same shape; the data length tells them apart. */
function isRgb(image: RgbImage | GreyImage): boolean {
  return image.data.length === image.width * image.height * 3;
}

/**
 * Encodes an image as BMP with a 40-byte INFO header (BITMAPV4 when an alpha mask is given).
 * Grey images at 1/4/8 bits get a grey palette (values must be representable: 0/255 at 1 bit,
 * multiples of 17 at 4 bits); RGB images at 1/4/8 bits get a palette of their distinct colours
 * (an error if there are more than fit).
 */
export function encodeBmp(image: RgbImage | GreyImage, options: BmpEncodeOptions = {}): Uint8Array {
  const { width, height } = image;
  const rgbInput = isRgb(image);
  if (!rgbInput && image.data.length !== width * height) throw new RangeError(`image data length ${image.data.length} does not match ${width}x${height}`);
  const bpp: BmpBitsPerPixel = options.bitsPerPixel ?? (rgbInput ? 24 : 8);
  const topDown = options.topDown ?? false;
  const pixelCount = width * height;
  const channel = (i: number, c: 0 | 1 | 2): number => (rgbInput ? image.data[i * 3 + c]! : image.data[i]!);

  let palette: Uint8Array | null = null;
  let indexOf: ((i: number) => number) | null = null;
  if (bpp <= 8) {
    const capacity = 1 << bpp;
    if (!rgbInput) {
      const levels = capacity - 1;
      palette = new Uint8Array(capacity * 3);
      for (let k = 0; k < capacity; k++) palette.fill(Math.round((k * 255) / levels), k * 3, k * 3 + 3);
      indexOf = (i) => {
        const v = image.data[i]!;
        const k = Math.round((v * levels) / 255);
        if (Math.round((k * 255) / levels) !== v) throw new RangeError(`grey value ${v} cannot be stored exactly at ${bpp} bits per pixel`);
        return k;
      };
    } else {
      const colours = new Map<number, number>();
      const index = new Int32Array(pixelCount);
      for (let i = 0; i < pixelCount; i++) {
        const key = (channel(i, 0) << 16) | (channel(i, 1) << 8) | channel(i, 2);
        let k = colours.get(key);
        if (k === undefined) {
          k = colours.size;
          if (k >= capacity) throw new RangeError(`more than ${capacity} colours cannot be stored at ${bpp} bits per pixel`);
          colours.set(key, k);
        }
        index[i] = k;
      }
      palette = new Uint8Array(Math.max(colours.size, 1) * 3);
      for (const [key, k] of colours) {
        palette[k * 3] = key >> 16;
        palette[k * 3 + 1] = (key >> 8) & 255;
        palette[k * 3 + 2] = key & 255;
      }
      indexOf = (i) => index[i]!;
    }
  }

  const masks =
    bpp === 16 || bpp === 32
      ? (options.bitfields ?? (bpp === 16 ? { r: 0x7c00, g: 0x03e0, b: 0x001f } : { r: 0x00ff0000, g: 0x0000ff00, b: 0x000000ff }))
      : null;
  const useBitfields = masks !== null && options.bitfields !== undefined;
  const alphaMask = useBitfields ? (options.bitfields!.a ?? 0) : 0;
  const dibHeaderSize = alphaMask !== 0 ? 108 : 40;
  const maskBytes = useBitfields && dibHeaderSize === 40 ? 12 : 0;
  const paletteBytes = palette ? (palette.length / 3) * 4 : 0;
  const pixelOffset = 14 + dibHeaderSize + maskBytes + paletteBytes;
  const stride = bmpRowStride(width, bpp);
  const fileSize = pixelOffset + stride * height;
  const out = new Uint8Array(fileSize);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, fileSize, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, dibHeaderSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bpp, true);
  view.setUint32(30, useBitfields ? 3 : 0, true);
  view.setUint32(34, stride * height, true);
  view.setInt32(38, 2835, true); // 72 dpi
  view.setInt32(42, 2835, true);
  view.setUint32(46, palette ? palette.length / 3 : 0, true);
  if (useBitfields) {
    const at = 54; // right after a 40-byte header, or inside a V4 header: the same offset
    view.setUint32(at, masks!.r, true);
    view.setUint32(at + 4, masks!.g, true);
    view.setUint32(at + 8, masks!.b, true);
    if (dibHeaderSize >= 56) view.setUint32(at + 12, alphaMask, true);
    if (dibHeaderSize === 108) view.setUint32(70, 0x73524742, true); // 'sRGB' colour space
  }
  if (palette) {
    const at = 14 + dibHeaderSize + maskBytes;
    for (let k = 0; k < palette.length / 3; k++) {
      out[at + k * 4] = palette[k * 3 + 2]!;
      out[at + k * 4 + 1] = palette[k * 3 + 1]!;
      out[at + k * 4 + 2] = palette[k * 3]!;
    }
  }

  const pack = (value: number, mask: number): number => {
    if (mask === 0) return 0;
    const { shift, max } = maskChannel(mask);
    return (Math.round((value * max) / 255) << shift) >>> 0;
  };
  for (let y = 0; y < height; y++) {
    const rowStart = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      switch (bpp) {
        case 1:
        case 4:
        case 8: {
          const perByte = 8 / bpp;
          const shift = 8 - bpp * ((x % perByte) + 1);
          out[rowStart + Math.floor(x / perByte)] |= indexOf!(i) << shift;
          break;
        }
        case 24: {
          const p = rowStart + x * 3;
          out[p] = channel(i, 2);
          out[p + 1] = channel(i, 1);
          out[p + 2] = channel(i, 0);
          break;
        }
        case 16:
        case 32: {
          const raw = (pack(channel(i, 0), masks!.r) | pack(channel(i, 1), masks!.g) | pack(channel(i, 2), masks!.b) | pack(255, alphaMask)) >>> 0;
          if (bpp === 16) view.setUint16(rowStart + x * 2, raw, true);
          else view.setUint32(rowStart + x * 4, raw, true);
          break;
        }
      }
    }
  }
  return out;
}

