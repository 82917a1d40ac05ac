// Measurements of masks and maps: area, bounding box, centre of mass and the
// REFUGE vertical diameter / vertical cup-to-disc ratio.
import type { BinaryMask, FloatMap, Point } from '../types';
import { assertLayout, assertSameSize } from './mask';

/** Axis-aligned box in pixels: x0, y0 inclusive; x1, y1 exclusive. */
export interface BoundingBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Number of pixels inside the mask. */
export function area(mask: BinaryMask): number {
  assertLayout(mask, 'area');
  let n = 0;
  const d = mask.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  return n;
}

/** Tight box around the mask (x1, y1 exclusive), or null for an empty mask. */
export function boundingBox(mask: BinaryMask): BoundingBox | null {
  assertLayout(mask, 'boundingBox');
  const { width, data } = mask;
  // Rows are found by skipping zeros four bytes at a time (masks are mostly
  // empty: a disc covers ~4 % of a REFUGE photograph); columns only in those rows.
  const first = firstNonZero(data);
  if (first < 0) return null;
  const last = lastNonZero(data);
  const y0 = Math.floor(first / width);
  const y1 = Math.floor(last / width) + 1;
  let x0 = first - y0 * width;
  let x1 = last - (y1 - 1) * width + 1;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = 0; x < x0; x++) {
      if (data[row + x] !== 0) {
        x0 = x;
        break;
      }
    }
    for (let x = width - 1; x >= x1; x--) {
      if (data[row + x] !== 0) {
        x1 = x + 1;
        break;
      }
    }
  }
  return { x0, y0, x1, y1 };
}

/** Index of the first non-zero byte, or -1. */
function firstNonZero(data: Uint8Array): number {
  const n = data.length;
  let i = 0;
  const words = wordView(data);
  if (words) {
    let w = 0;
    while (w < words.length && words[w] === 0) w++;
    i = w * 4;
  }
  while (i < n && data[i] === 0) i++;
  return i < n ? i : -1;
}

/** Index of the last non-zero byte, or -1. */
function lastNonZero(data: Uint8Array): number {
  let i = data.length - 1;
  const words = wordView(data);
  if (words) {
    // Bytes past the last whole word first, then whole words from the end.
    const tail = words.length * 4;
    while (i >= tail && data[i] === 0) i--;
    if (i < tail) {
      let w = words.length - 1;
      while (w >= 0 && words[w] === 0) w--;
      i = w * 4 + 3;
    }
  }
  while (i >= 0 && data[i] === 0) i--;
  return i;
}

/** A Uint32 view of the bytes when aligned, else null. */
function wordView(data: Uint8Array): Uint32Array | null {
  if (data.byteOffset % 4 !== 0 || data.length < 64) return null;
  return new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
}

/**
 * Weighted centroid of a map in pixel coordinates (pixel centres at integers),
 * how the paper reads the fovea from its heat map. Negative values are clamped
 * to 0 by default, because a regression head can dip below zero far from the
 * fovea and those pixels would otherwise push the centre away. Null when the
 * total weight is 0 (or not finite).
 */
export function centreOfMass(map: FloatMap, clampNegative = true): Point | null {
  assertLayout(map, 'centreOfMass');
  const { width, height, data } = map;
  let total = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let rowTotal = 0;
    let rowX = 0;
    for (let x = 0; x < width; x++) {
      let v = data[row + x]!;
      if (clampNegative && v < 0) v = 0;
      rowTotal += v;
      rowX += v * x;
    }
    total += rowTotal;
    sx += rowX;
    sy += rowTotal * y;
  }
  if (total === 0 || !Number.isFinite(total) || !Number.isFinite(sx) || !Number.isFinite(sy)) return null;
  return { x: sx / total, y: sy / total };
}

/**
 * Vertical diameter by the REFUGE rule: the largest number of mask pixels in any
 * one image column (numpy: max(sum(mask, axis=0))). Not the bounding-box height:
 * for a tilted or notched shape the two differ.
 */
export function verticalDiameter(mask: BinaryMask): number {
  assertLayout(mask, 'verticalDiameter');
  const { width, height, data } = mask;
  if (width === 0) return 0;
  const columns = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) if (data[row + x] !== 0) columns[x]!++;
  }
  let best = 0;
  for (let x = 0; x < width; x++) if (columns[x]! > best) best = columns[x]!;
  return best;
}

/**
 * Vertical cup-to-disc ratio = verticalDiameter(cup) / verticalDiameter(disc);
 * null when the disc is empty (no ratio exists). The official evaluation
 * divides by (disc + 1e-7) instead and gets 0; see metrics/vcdr.ts for that form.
 */
export function verticalCupToDiscRatio(disc: BinaryMask, cup: BinaryMask): number | null {
  assertSameSize(disc, cup, 'verticalCupToDiscRatio');
  const d = verticalDiameter(disc);
  return d === 0 ? null : cupToDiscRatio(verticalDiameter(cup), d);
}

/** The vCDR of two vertical diameters: cup / disc, or null without a disc (no ratio exists). The one ratio rule. */
export function cupToDiscRatio(cupDiameter: number, discDiameter: number): number | null {
  return discDiameter === 0 ? null : cupDiameter / discDiameter;
}

/** The cup cannot extend past the disc: oc AND od, as a new mask. */
export function constrainCupInsideDisc(od: BinaryMask, oc: BinaryMask): BinaryMask {
  assertLayout(od, 'constrainCupInsideDisc (disc)');
  assertLayout(oc, 'constrainCupInsideDisc (cup)');
  assertSameSize(od, oc, 'constrainCupInsideDisc');
  const out = new Uint8Array(od.data.length);
  for (let i = 0; i < out.length; i++) out[i] = od.data[i] !== 0 && oc.data[i] !== 0 ? 1 : 0;
  return { width: od.width, height: od.height, data: out };
}
