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
  const { width, height, data } = mask;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x] !== 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return y1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
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
  if (d === 0) return null;
  return verticalDiameter(cup) / d;
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
