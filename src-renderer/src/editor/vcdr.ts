// The live vertical cup-to-disc ratio while the expert edits, by the REFUGE
// rule: a structure's vertical diameter is the largest number of its pixels in
// any one image column (not the bounding-box height). The disc includes the cup.
import type { PixelRect } from './geometry';
import { CUP } from './labels';

export interface VerticalDiameters {
  readonly disc: number;
  readonly cup: number;
}

/** Vertical diameters of disc and cup of a label map; `region` limits the scan to a box known to hold every label. */
export function verticalDiameters(labels: Uint8Array, width: number, height: number, region: PixelRect | null = null): VerticalDiameters {
  const box = region ?? { x0: 0, y0: 0, x1: width, y1: height };
  const span = box.x1 - box.x0;
  if (span <= 0 || box.y1 <= box.y0) return { disc: 0, cup: 0 };
  const disc = new Int32Array(span);
  const cup = new Int32Array(span);
  for (let y = box.y0; y < box.y1; y++) {
    const row = y * width + box.x0;
    for (let k = 0; k < span; k++) {
      const v = labels[row + k]!;
      if (v !== 0) {
        disc[k]!++;
        if (v === CUP) cup[k]!++;
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

/** cup / disc vertical diameter, or null without a disc (no ratio exists). */
export function verticalCupToDiscRatio(labels: Uint8Array, width: number, height: number, region: PixelRect | null = null): number | null {
  const d = verticalDiameters(labels, width, height, region);
  return d.disc === 0 ? null : d.cup / d.disc;
}
