// Disconnected islands of an annotation: a disc is one blob and so is a cup,
// so any other piece of disc or cup (a stray click in mid-retina, a cup
// fragment beside the cup) is almost always a slip. It would be saved, make
// the case "corrected", and reach an export or a fine-tune unseen; the editor
// shows the islands found here and lets the reader remove them or keep them.
import { LABEL_BACKGROUND as BACKGROUND, LABEL_CUP as CUP, LABEL_RIM as RIM } from '../../../src-main/core/contract/label-map';
import { LabelChangeBuilder, type LabelRun } from './change-set';
import type { PixelRect } from './geometry';
import type { Structure } from './labels';

export interface Island {
  /** 'disc': a piece of disc apart from the main disc; 'cup': a piece of cup apart from the main cup. */
  readonly structure: Structure;
  /** Its pixels (raster indices), ascending. */
  readonly pixels: Int32Array;
  /** Its box (x1, y1 exclusive). */
  readonly bounds: PixelRect;
}

/**
 * Every 8-connected component of `member` pixels inside `region` except the
 * largest one (ties: the first in raster order).
 */
function smallerComponents(labels: Uint8Array, width: number, region: PixelRect, member: (v: number) => boolean, structure: Structure): Island[] {
  const { x0, y0, x1, y1 } = region;
  const w = x1 - x0;
  const h = y1 - y0;
  if (w <= 0 || h <= 0) return [];
  // Component id per pixel of the region (0: not visited).
  const seen = new Int32Array(w * h);
  const stack: number[] = [];
  const components: { pixels: number[]; bounds: { x0: number; y0: number; x1: number; y1: number } }[] = [];
  for (let ry = 0; ry < h; ry++) {
    for (let rx = 0; rx < w; rx++) {
      const r = ry * w + rx;
      if (seen[r] !== 0 || !member(labels[(ry + y0) * width + rx + x0]!)) continue;
      const pixels: number[] = [];
      const bounds = { x0: rx + x0, y0: ry + y0, x1: rx + x0 + 1, y1: ry + y0 + 1 };
      seen[r] = components.length + 1;
      stack.push(r);
      while (stack.length > 0) {
        const q = stack.pop()!;
        const qx = q % w;
        const qy = (q - qx) / w;
        pixels.push((qy + y0) * width + qx + x0);
        bounds.x0 = Math.min(bounds.x0, qx + x0);
        bounds.x1 = Math.max(bounds.x1, qx + x0 + 1);
        bounds.y0 = Math.min(bounds.y0, qy + y0);
        bounds.y1 = Math.max(bounds.y1, qy + y0 + 1);
        for (let dy = -1; dy <= 1; dy++) {
          const ny = qy + dy;
          if (ny < 0 || ny >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = qx + dx;
            if ((dx === 0 && dy === 0) || nx < 0 || nx >= w) continue;
            const n = ny * w + nx;
            if (seen[n] !== 0 || !member(labels[(ny + y0) * width + nx + x0]!)) continue;
            seen[n] = components.length + 1;
            stack.push(n);
          }
        }
      }
      components.push({ pixels, bounds });
    }
  }
  if (components.length < 2) return [];
  let largest = 0;
  for (let k = 1; k < components.length; k++) if (components[k]!.pixels.length > components[largest]!.pixels.length) largest = k;
  return components
    .filter((_, k) => k !== largest)
    .map((c) => ({ structure, pixels: Int32Array.from(c.pixels).sort(), bounds: c.bounds }));
}

/**
 * The disc's and the cup's islands: pieces of disc apart from the largest
 * disc, and pieces of cup apart from the largest cup (a cup piece inside a
 * disc island is removed with that island, so it is not listed again).
 * `region` bounds every labelled pixel (AnnotationDocument.labelBounds()).
 */
export function findIslands(labels: Uint8Array, width: number, region: PixelRect | null): Island[] {
  if (region === null) return [];
  const disc = smallerComponents(labels, width, region, (v) => v !== BACKGROUND, 'disc');
  const inDiscIsland = new Set<number>();
  for (const island of disc) for (const i of island.pixels) inDiscIsland.add(i);
  const cup = smallerComponents(labels, width, region, (v) => v === CUP, 'cup').filter((island) => !inDiscIsland.has(island.pixels[0]!));
  return [...disc, ...cup];
}

/** The runs that remove the islands: a disc island becomes background, a cup island becomes disc rim. */
export function islandRemovalRuns(labels: Uint8Array, islands: readonly Island[]): LabelRun[] {
  const builder = new LabelChangeBuilder(labels);
  for (const island of islands) {
    const value = island.structure === 'disc' ? BACKGROUND : RIM;
    for (const i of island.pixels) builder.set(i, value);
  }
  return builder.runs();
}

/** A key that stays the same while the same islands are there (to remember "keep"). */
export function islandsKey(islands: readonly Island[]): string {
  return islands.map((island) => `${island.structure}:${island.pixels[0]}:${island.pixels.length}`).join(',');
}

/** "1 small island outside the disc", "2 pieces of cup apart from the cup", or both joined. */
export function describeIslands(islands: readonly Island[]): string {
  const disc = islands.filter((i) => i.structure === 'disc').length;
  const cup = islands.length - disc;
  const parts: string[] = [];
  if (disc > 0) parts.push(`${disc} small island${disc === 1 ? '' : 's'} outside the disc`);
  if (cup > 0) parts.push(`${cup} piece${cup === 1 ? '' : 's'} of cup apart from the cup`);
  return parts.join(' and ');
}
