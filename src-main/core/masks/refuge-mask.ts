// Reading and writing disc/cup masks in the conventions found in the wild.
//
// REFUGE (the reference): 8-bit grey, 0 = cup, 128 = disc rim, 255 = background;
// OD = pixel < 255 (the disc includes the cup), OC = pixel == 0.
import { InputError } from '../errors';
import type { BinaryMask, GreyImage } from '../types';
import { assertLayout, assertSameSize } from './mask';

export const REFUGE_CUP = 0;
export const REFUGE_RIM = 128;
export const REFUGE_BACKGROUND = 255;

/**
 * How a mask file was read:
 * - 'refuge': exactly the values 0/128/255;
 * - 'labels': class indices 0 = background, 1 = disc rim, 2 = cup (the order of
 *   the REFUGE layers from outside in, as segmentation frameworks write them);
 * - 'refuge-jpeg': a REFUGE mask damaged by JPEG compression, snapped back to 0/128/255.
 */
export type MaskConvention = 'refuge' | 'labels' | 'refuge-jpeg';

export interface DecodedMask {
  /** Optic disc, including the cup. */
  readonly od: BinaryMask;
  /** Optic cup. */
  readonly oc: BinaryMask;
  readonly convention: MaskConvention;
  /** Things the user should know that did not stop the reading (one line each). */
  readonly warnings: string[];
}

/**
 * JPEG damage test: at least JPEG_MIN_NEAR_FRACTION of the pixels within
 * JPEG_MAX_DISTANCE of 0/128/255, and at least JPEG_MIN_DISTINCT distinct values.
 * Measured on the eight REFUGE-convention ROI masks of shared/data/roi-multidomain
 * re-encoded as JPEG (sharp, quality 30/50/75/95): at most 0.053 % of the pixels
 * lay farther than 48 from a level (at quality 30; none at 75 and up) and every
 * one had 31..255 distinct values. A Drishti-GS1 soft map has only 5 values, and
 * a fundus photograph has about 73 % of its pixels farther than 48.
 */
const JPEG_MAX_DISTANCE = 48;
const JPEG_MIN_NEAR_FRACTION = 0.995;
const JPEG_MIN_DISTINCT = 9;

/**
 * Encodes disc and cup as a REFUGE mask: 0 = cup, 128 = disc rim, 255 = background.
 * A cup pixel outside the disc is still written as cup (0), exactly what the
 * official evaluation would then read as disc too (< 255).
 */
export function encodeRefugeMask(od: BinaryMask, oc: BinaryMask): GreyImage {
  assertLayout(od, 'encodeRefugeMask (disc)');
  assertLayout(oc, 'encodeRefugeMask (cup)');
  assertSameSize(od, oc, 'encodeRefugeMask');
  const out = new Uint8Array(od.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = oc.data[i] !== 0 ? REFUGE_CUP : od.data[i] !== 0 ? REFUGE_RIM : REFUGE_BACKGROUND;
  }
  return { width: od.width, height: od.height, data: out };
}

/**
 * Reads a disc/cup mask whatever its convention, detected from the set of pixel values:
 * - only values in {0, 1, 2}: 'labels' (0 = background, 1 = disc rim, 2 = cup);
 *   an all-zero mask is read this way too (empty), with a warning;
 * - only values in {0, 128, 255}: 'refuge'. A mask with only 0 and 255 is read
 *   as REFUGE (a cup filling the disc) when 255 is the majority, with a warning;
 *   when 0 is the majority it is a binary mask with a black background and is refused;
 * - many values clustered around 0/128/255 (JPEG ringing at the edges): each pixel
 *   is snapped to the nearest of the three, with a warning giving the count;
 *   refused when the snapped "cup" (0) outnumbers the background (255), which is
 *   what a compressed black-background binary mask or soft map looks like;
 * - anything else (a soft map, a photograph, another convention): InputError.
 * `file` names the mask in errors and warnings.
 */
export function decodeMaskAuto(grey: GreyImage, file: string): DecodedMask {
  if (grey.data.length !== grey.width * grey.height) {
    throw new InputError(file, `mask data has ${grey.data.length} bytes, expected ${grey.width}x${grey.height} (one grey channel)`);
  }
  const n = grey.data.length;
  if (n === 0) throw new InputError(file, 'mask is empty (0 pixels)');
  const histogram = new Float64Array(256);
  for (let i = 0; i < n; i++) histogram[grey.data[i]!]!++;
  const values: number[] = [];
  for (let v = 0; v < 256; v++) if (histogram[v]! > 0) values.push(v);
  const only = (allowed: readonly number[]): boolean => values.every((v) => allowed.includes(v));
  const warnings: string[] = [];

  if (only([0, 1, 2])) {
    if (values.length === 1 && values[0] === 0) {
      warnings.push(`${file}: mask is entirely 0; read as an empty 0/1/2 label mask (under the REFUGE convention it would be all cup)`);
      const result = split(grey, () => false, () => false);
      return { ...result, convention: 'labels', warnings };
    }
    const result = split(grey, (v) => v >= 1, (v) => v === 2);
    return finish(result, 'labels', warnings, file);
  }

  if (only([REFUGE_CUP, REFUGE_RIM, REFUGE_BACKGROUND])) {
    if (values.length === 2 && values[0] === REFUGE_CUP && values[1] === REFUGE_BACKGROUND) {
      const black = histogram[REFUGE_CUP]!;
      const white = histogram[REFUGE_BACKGROUND]!;
      if (black > white) {
        throw new InputError(
          file,
          'mask has only the values 0 and 255, mostly 0: a binary mask with a black background, not a REFUGE disc/cup mask (0 = cup, 128 = disc rim, 255 = background)',
        );
      }
      warnings.push(`${file}: mask has no disc rim (no 128 pixels); read as REFUGE with the cup (0) filling the disc`);
    }
    return finish(refugeSplit(grey), 'refuge', warnings, file);
  }

  let near = 0;
  for (let v = 0; v < 256; v++) if (distanceToLevel(v) <= JPEG_MAX_DISTANCE) near += histogram[v]!;
  if (values.length >= JPEG_MIN_DISTINCT && near >= JPEG_MIN_NEAR_FRACTION * n) {
    const snapped = new Uint8Array(n);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const v = grey.data[i]!;
      const s = snapToLevel(v);
      snapped[i] = s;
      if (s !== v) changed++;
    }
    let cup = 0;
    let background = 0;
    for (let i = 0; i < n; i++) {
      if (snapped[i] === REFUGE_CUP) cup++;
      else if (snapped[i] === REFUGE_BACKGROUND) background++;
    }
    // A JPEG-compressed soft map or black-background binary mask also clusters at
    // 0/255, but then "cup" (0) would outnumber the background: refuse it.
    if (cup > background) {
      throw new InputError(
        file,
        `mask has ${values.length} distinct values clustered around 0/128/255 but mostly near 0: not a REFUGE disc/cup mask (0 = cup, 128 = disc rim, 255 = background), perhaps a compressed binary or soft map`,
      );
    }
    warnings.push(
      `${file}: mask looks JPEG-compressed; snapped ${changed} of ${n} pixels (${((100 * changed) / n).toFixed(2)} %) to the nearest of 0/128/255 (save masks as PNG or BMP)`,
    );
    return finish(refugeSplit({ width: grey.width, height: grey.height, data: snapped }), 'refuge-jpeg', warnings, file);
  }

  const min = values[0]!;
  const max = values[values.length - 1]!;
  if (only([0, 64, 128, 191, 255])) {
    throw new InputError(
      file,
      `mask values ${values.join('/')} look like a Drishti-GS1 soft map (0/64/128/191/255 = 0..4 experts), not a disc/cup mask; read it with consensusMask`,
    );
  }
  const listed = values.length <= 6 ? ` (${values.join(', ')})` : '';
  throw new InputError(
    file,
    `mask values outside the REFUGE convention 0/128/255: found ${values.length} distinct values between ${min} and ${max}${listed}`,
  );
}

interface Split {
  readonly od: BinaryMask;
  readonly oc: BinaryMask;
}

function split(grey: GreyImage, isDisc: (v: number) => boolean, isCup: (v: number) => boolean): Split {
  const od = new Uint8Array(grey.data.length);
  const oc = new Uint8Array(grey.data.length);
  // Decide per value once, then index: masks reach 4000x4000.
  const discOf = new Uint8Array(256);
  const cupOf = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    discOf[v] = isDisc(v) ? 1 : 0;
    cupOf[v] = isCup(v) ? 1 : 0;
  }
  for (let i = 0; i < grey.data.length; i++) {
    const v = grey.data[i]!;
    od[i] = discOf[v]!;
    oc[i] = cupOf[v]!;
  }
  return {
    od: { width: grey.width, height: grey.height, data: od },
    oc: { width: grey.width, height: grey.height, data: oc },
  };
}

function refugeSplit(grey: GreyImage): Split {
  return split(grey, (v) => v < REFUGE_BACKGROUND, (v) => v === REFUGE_CUP);
}

function finish(result: Split, convention: MaskConvention, warnings: string[], file: string): DecodedMask {
  let disc = 0;
  for (let i = 0; i < result.od.data.length; i++) disc += result.od.data[i]!;
  if (disc === 0) warnings.push(`${file}: mask contains no optic disc`);
  if (disc === result.od.data.length) warnings.push(`${file}: mask has no background; the disc covers the whole image`);
  return { od: result.od, oc: result.oc, convention, warnings };
}

function distanceToLevel(v: number): number {
  return Math.min(Math.abs(v - REFUGE_CUP), Math.abs(v - REFUGE_RIM), Math.abs(v - REFUGE_BACKGROUND));
}

/** Nearest of 0/128/255; 64 (equidistant from 0 and 128) goes to 128. */
function snapToLevel(v: number): number {
  if (v < 64) return REFUGE_CUP;
  if (v < 192) return REFUGE_RIM;
  return REFUGE_BACKGROUND;
}
