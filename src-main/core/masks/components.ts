// Connected components of binary masks. Images reach 4000x4000, so everything
// here is iterative (an explicit queue in a typed array), never recursive.
import type { BinaryMask } from '../types';
import { assertLayout, emptyMask } from './mask';

export type Connectivity = 4 | 8;

/**
 * Component labels of a mask.
 * labels: Int32Array, row-major like the mask; 0 = background, 1..count = component,
 * numbered in raster order of each component's first pixel.
 * sizes[k] = pixel count of component k (sizes[0] is unused and 0).
 * firstPixel[k] = raster index of component k's first pixel (topmost, then leftmost).
 */
export interface ComponentLabels {
  readonly width: number;
  readonly height: number;
  readonly labels: Int32Array;
  readonly count: number;
  readonly sizes: readonly number[];
  readonly firstPixel: readonly number[];
}

/** Labels the foreground (value != 0) components by breadth-first flood fill. */
export function labelComponents(mask: BinaryMask, connectivity: Connectivity = 8): ComponentLabels {
  assertLayout(mask, 'labelComponents');
  const { width, height, data } = mask;
  const labels = new Int32Array(width * height);
  const sizes: number[] = [0];
  const firstPixel: number[] = [-1];
  // Each pixel enters the queue at most once, so width*height slots suffice;
  // allocated lazily because most calls see small masks or few components.
  let queue: Int32Array | null = null;
  let count = 0;
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || labels[start] !== 0) continue;
    queue ??= new Int32Array(width * height);
    count++;
    labels[start] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width;
      const y = (p - x) / width;
      const xMin = x > 0 ? -1 : 0;
      const xMax = x < width - 1 ? 1 : 0;
      const yMin = y > 0 ? -1 : 0;
      const yMax = y < height - 1 ? 1 : 0;
      for (let dy = yMin; dy <= yMax; dy++) {
        for (let dx = xMin; dx <= xMax; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const q = p + dy * width + dx;
          if (data[q] !== 0 && labels[q] === 0) {
            labels[q] = count;
            queue[tail++] = q;
          }
        }
      }
    }
    sizes.push(tail);
    firstPixel.push(start);
  }
  return { width, height, labels, count, sizes, firstPixel };
}

/**
 * The largest connected component as a new mask (the paper's post-processing).
 * Empty in, empty out. Ties go to the component found first in raster order.
 */
export function largestComponent(mask: BinaryMask, connectivity: Connectivity = 8): BinaryMask {
  const components = labelComponents(mask, connectivity);
  const out = emptyMask(mask.width, mask.height);
  if (components.count === 0) return out;
  let best = 1;
  for (let k = 2; k <= components.count; k++) if (components.sizes[k]! > components.sizes[best]!) best = k;
  const { labels } = components;
  for (let i = 0; i < labels.length; i++) if (labels[i] === best) out.data[i] = 1;
  return out;
}

/**
 * Fills holes: background regions that do not touch the image border become 1.
 * Background is taken as 4-connected (the complement of 8-connected foreground,
 * as scipy.ndimage.binary_fill_holes does by default), so a hole closed only by
 * diagonal steps still counts as a hole.
 */
export function fillHoles(mask: BinaryMask): BinaryMask {
  assertLayout(mask, 'fillHoles');
  const { width, height, data } = mask;
  const n = width * height;
  if (n === 0) return emptyMask(width, height);
  // 1 = background reached from the border.
  const outside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const seed = (p: number): void => {
    if (data[p] === 0 && outside[p] === 0) {
      outside[p] = 1;
      queue[tail++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  let head = 0;
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    if (x > 0) seed(p - 1);
    if (x < width - 1) seed(p + 1);
    if (p >= width) seed(p - width);
    if (p < n - width) seed(p + width);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i] !== 0 || outside[i] === 0 ? 1 : 0;
  return { width, height, data: out };
}
