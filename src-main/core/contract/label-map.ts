// Label maps (0 background, 1 disc rim, 2 cup) <-> masks, their run-length
// form for the API, and their vertical cup-to-disc ratio. The one home of the
// label constants. Pure and free of Node: the renderer uses it too (the
// editor's label rule, its live vCDR).
import { cupToDiscRatio, type BoundingBox } from '../masks/measure';
import type { LabelMapDto } from './contract';

export const LABEL_BACKGROUND = 0;
export const LABEL_RIM = 1;
export const LABEL_CUP = 2;

/** Whether a label belongs to the disc (rim or cup: the disc includes the cup). */
export function isDisc(label: number): boolean {
  return label !== LABEL_BACKGROUND;
}

/** Whether a label is cup. */
export function isCup(label: number): boolean {
  return label === LABEL_CUP;
}

/** Run-length encodes a label array (raster order). */
export function encodeLabelRuns(labels: Uint8Array, width: number, height: number): LabelMapDto {
  if (labels.length !== width * height) throw new Error(`label map has ${labels.length} values, expected ${width}x${height}`);
  const runs: number[] = [];
  let i = 0;
  while (i < labels.length) {
    const v = labels[i]!;
    let j = i + 1;
    while (j < labels.length && labels[j] === v) j++;
    runs.push(v, j - i);
    i = j;
  }
  return { width, height, runs };
}

/** Expands runs back to a label array (validated upstream by LabelMapSchema). */
export function decodeLabelRuns(map: LabelMapDto): Uint8Array {
  const out = new Uint8Array(map.width * map.height);
  let at = 0;
  for (let k = 0; k < map.runs.length; k += 2) {
    const v = map.runs[k]!;
    const n = map.runs[k + 1]!;
    if (at + n > out.length) throw new Error('label map runs exceed the image');
    if (v !== 0) out.fill(v, at, at + n);
    at += n;
  }
  if (at !== out.length) throw new Error(`label map runs cover ${at} of ${out.length} pixels`);
  return out;
}

/** Label array from disc and cup masks (0/1 each; the cup is clipped to the disc). */
export function labelsFromMasks(od: Uint8Array, oc: Uint8Array): Uint8Array {
  const out = new Uint8Array(od.length);
  for (let i = 0; i < od.length; i++) out[i] = od[i] ? (oc[i] ? LABEL_CUP : LABEL_RIM) : LABEL_BACKGROUND;
  return out;
}

/** Disc (rim or cup) and cup masks from a label array. */
export function masksFromLabels(labels: Uint8Array): { od: Uint8Array; oc: Uint8Array } {
  const od = new Uint8Array(labels.length);
  const oc = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    od[i] = isDisc(v) ? 1 : 0;
    oc[i] = isCup(v) ? 1 : 0;
  }
  return { od, oc };
}

export interface VerticalDiameters {
  readonly disc: number;
  readonly cup: number;
}

/**
 * Vertical diameters of disc and cup of a label array by the REFUGE rule (a
 * structure's largest number of pixels in one image column; the disc includes
 * the cup), as masks/measure.ts verticalDiameter; `region` limits the scan to
 * a box known to hold every label (the editor's live vCDR).
 */
export function labelVerticalDiameters(labels: Uint8Array, width: number, height: number, region: BoundingBox | null = null): VerticalDiameters {
  const box = region ?? { x0: 0, y0: 0, x1: width, y1: height };
  const span = box.x1 - box.x0;
  if (span <= 0 || box.y1 <= box.y0) return { disc: 0, cup: 0 };
  const disc = new Int32Array(span);
  const cup = new Int32Array(span);
  for (let y = box.y0; y < box.y1; y++) {
    const row = y * width + box.x0;
    for (let k = 0; k < span; k++) {
      const v = labels[row + k]!;
      if (isDisc(v)) {
        disc[k]!++;
        if (isCup(v)) cup[k]!++;
      }
    }
  }
  let bestDisc = 0;
  let bestCup = 0;
  for (let k = 0; k < span; k++) {
    if (disc[k]! > bestDisc) bestDisc = disc[k]!;
    if (cup[k]! > bestCup) bestCup = cup[k]!;
  }
  return { disc: bestDisc, cup: bestCup };
}

/** The vCDR of a label array (null without a disc). */
export function labelVerticalCupToDiscRatio(labels: Uint8Array, width: number, height: number, region: BoundingBox | null = null): number | null {
  const d = labelVerticalDiameters(labels, width, height, region);
  return cupToDiscRatio(d.cup, d.disc);
}
