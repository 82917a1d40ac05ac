// The fovea's location from the network's heat map.
import { centreOfMass } from '../masks';
import type { FloatMap, Point } from '../types';

export type FoveaLocation = 'centre-of-mass' | 'peak-centre-of-mass';

/**
 * 'centre-of-mass': the paper's rule, the centre of mass of the whole map.
 * 'peak-centre-of-mass': the centre of mass within 3 sigma of the map's peak.
 * Why the second is our default: a sigmoid head never outputs exact zeros, and
 * at 256 px the faint background (tens of thousands of pixels at ~0.005) weighs
 * as much as the Gaussian blob itself (about 2 pi sigma^2 = 314 px), dragging
 * the paper's estimate toward the image centre. Near the peak the same rule
 * keeps its sub-pixel precision without that bias.
 */
export function foveaFromHeatmap(map: FloatMap, method: FoveaLocation, sigma: number): Point | null {
  if (method === 'centre-of-mass') return centreOfMass(map);
  let best = -Infinity;
  let bx = 0;
  let by = 0;
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      const v = map.data[y * map.width + x]!;
      if (v > best) {
        best = v;
        bx = x;
        by = y;
      }
    }
  }
  if (!(best > 0)) return null;
  const r = Math.max(1, Math.ceil(3 * sigma));
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = Math.max(0, by - r); y <= Math.min(map.height - 1, by + r); y++) {
    for (let x = Math.max(0, bx - r); x <= Math.min(map.width - 1, bx + r); x++) {
      if ((x - bx) ** 2 + (y - by) ** 2 > r * r) continue;
      const v = Math.max(0, map.data[y * map.width + x]!);
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : null;
}
