// Cup-size augmentation: a radial warp inside the disc that makes the cup
// larger or smaller while the disc's outline stays where it is. Drishti-GS1's
// cups are large (70 % of its eyes are glaucomatous, vCDR mostly 0.6-0.85), and
// a network trained on them reports a cup of about that size on any eye: the
// bundled model's vCDR is 0.13 too high on the normal test eyes and every REFUGE
// sample, normal or not, gets 0.7 or more. Showing it the same discs with cups
// of every size takes the size away as a cue, so only the cup's own edge is left.
// Image and masks move by the same map, so the labels stay exact.
import type { Rng } from '../random';
import type { TrainingExample } from './example';

/** The warped cup never reaches closer to the disc's edge than this (in units of the disc's radius). */
const MAX_CUP_RADIUS = 0.92;

/** Directions in which the disc's and the cup's outlines are traced (2 degrees apart: under a pixel apart at the edge of a 256-pixel crop's disc). */
const BINS = 180;
/** Step along each ray, in pixels. */
const STEP = 0.25;
/** Shrinking the cup stretches the rim: at most this many times, beyond which its vessels and texture smear into streaks. */
const MAX_RIM_STRETCH = 3;

/** The disc and cup outlines as radii about the disc's centroid, per direction. */
interface DiscFrame {
  readonly cx: number;
  readonly cy: number;
  /** The disc's edge per direction, in pixels. */
  readonly disc: Float64Array;
  /** The cup's edge per direction, in units of the disc's edge there. */
  readonly cup: Float64Array;
}

/** The outermost point of the mask along each ray from (cx, cy), in pixels (0: none). */
function outline(mask: Uint8Array, size: number, cx: number, cy: number): Float64Array {
  const r = new Float64Array(BINS);
  for (let b = 0; b < BINS; b++) {
    const angle = ((b + 0.5) / BINS - 0.5) * 2 * Math.PI;
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    for (let t = 0; ; t += STEP) {
      const x = Math.round(cx + ux * t);
      const y = Math.round(cy + uy * t);
      if (x < 0 || y < 0 || x >= size || y >= size) break;
      if (mask[y * size + x]) r[b] = t + STEP / 2;
    }
  }
  return r;
}

function discFrame(od: Uint8Array, oc: Uint8Array, size: number): DiscFrame | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < od.length; i++) {
    if (!od[i]) continue;
    n++;
    sx += i % size;
    sy += Math.floor(i / size);
  }
  if (n < 64) return null;
  const cx = sx / n;
  const cy = sy / n;
  const disc = outline(od, size, cx, cy);
  const cupEdge = outline(oc, size, cx, cy);
  if (disc.some((r) => r < 2) || cupEdge.every((r) => r === 0)) return null;
  const cup = cupEdge.map((c, b) => Math.min(0.98, c / disc[b]!));
  return { cx, cy, disc, cup };
}

/** A per-direction value at an angle, interpolated between the directions' centres. */
function at(values: Float64Array, dx: number, dy: number): number {
  const a = (Math.atan2(dy, dx) / (2 * Math.PI) + 0.5) * BINS - 0.5;
  const b0 = Math.floor(a);
  const f = a - b0;
  return values[(b0 + BINS) % BINS]! * (1 - f) + values[(b0 + 1) % BINS]! * f;
}

/**
 * The source radius of an output radius (both in disc-radius units) when the cup
 * of radius `cup` becomes `k` times larger: cup and rim are each stretched
 * linearly, the disc's edge (1) and everything outside it stay fixed.
 */
export function sourceRadius(rho: number, cup: number, k: number): number {
  const target = cup * k;
  if (rho >= 1) return rho;
  if (rho <= target) return rho / k;
  return cup + ((rho - target) * (1 - cup)) / (1 - target);
}

/**
 * With probability `share`, a copy of the example whose cup spans a radius drawn
 * uniformly from `range` (in units of the disc's radius; roughly the vertical
 * cup-to-disc ratio). Examples without both masks, or with too small a disc or
 * cup to measure, are returned as they are.
 */
export function resizeCup(example: TrainingExample, range: readonly [number, number], share: number, rng: Rng): TrainingExample {
  const apply = rng.next() < share;
  const target = Math.min(MAX_CUP_RADIUS, range[0] + (range[1] - range[0]) * rng.next());
  if (!apply || !example.od || !example.oc) return example;
  const size = example.size;
  const frame = discFrame(example.od, example.oc, size);
  if (!frame) return example;
  // One factor for every direction, so the cup keeps its shape: the median direction's cup reaches the target.
  const median = [...frame.cup].sort((a, b) => a - b)[BINS >> 1]!;
  if (median <= 0) return example;
  const k = Math.max(target, 1 - MAX_RIM_STRETCH * (1 - median)) / median;
  const image = new Uint8Array(example.image.length);
  const od = new Uint8Array(example.od.length);
  const oc = new Uint8Array(example.oc.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = y * size + x;
      const dx = x - frame.cx;
      const dy = y - frame.cy;
      const edge = at(frame.disc, dx, dy);
      const cup = at(frame.cup, dx, dy);
      const rho = Math.hypot(dx, dy) / edge;
      // Per direction too: no cup pushed against the edge, no rim smeared (a cup that reaches the edge in one direction, a notch, stays near it).
      const kHere = cup > 0 ? Math.min(MAX_CUP_RADIUS / cup, Math.max(k, (1 - MAX_RIM_STRETCH * (1 - cup)) / cup)) : 1;
      const f = rho > 0 ? sourceRadius(rho, cup, kHere) / rho : 1;
      const sx = frame.cx + dx * f;
      const sy = frame.cy + dy * f;
      bilinear(example.image, size, sx, sy, image, o * 3);
      const ix = Math.min(size - 1, Math.max(0, Math.round(sx)));
      const iy = Math.min(size - 1, Math.max(0, Math.round(sy)));
      od[o] = example.od[iy * size + ix]!;
      oc[o] = example.oc[iy * size + ix]!;
    }
  }
  return { ...example, image, od, oc };
}

function bilinear(src: Uint8Array, size: number, sx: number, sy: number, out: Uint8Array, at: number): void {
  const x = Math.min(size - 1, Math.max(0, sx));
  const y = Math.min(size - 1, Math.max(0, sy));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(size - 1, x0 + 1);
  const y1 = Math.min(size - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  for (let c = 0; c < 3; c++) {
    const top = src[(y0 * size + x0) * 3 + c]! * (1 - fx) + src[(y0 * size + x1) * 3 + c]! * fx;
    const bottom = src[(y1 * size + x0) * 3 + c]! * (1 - fx) + src[(y1 * size + x1) * 3 + c]! * fx;
    out[at + c] = Math.round(top * (1 - fy) + bottom * fy);
  }
}
