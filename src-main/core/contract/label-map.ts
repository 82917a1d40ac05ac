// Label maps (0 background, 1 disc rim, 2 cup) <-> masks, and their run-length
// form for the API. Pure and free of Node: the renderer uses it too.
import type { LabelMapDto } from './contract';

export const LABEL_BACKGROUND = 0;
export const LABEL_RIM = 1;
export const LABEL_CUP = 2;

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
    od[i] = v === LABEL_BACKGROUND ? 0 : 1;
    oc[i] = v === LABEL_CUP ? 1 : 0;
  }
  return { od, oc };
}
