// Shape priors for the disc and the cup: both are roughly convex, roughly
// elliptical regions, while a network on another camera's photograph can leave
// notches, bites taken by vessels, a ragged cup edge, a hole in the disc or a
// crescent for a cup. A prior fills a mask's holes, or replaces it by its filled
// convex hull or by the ellipse with the same second moments. Whether one helps
// is measured (docs/robustness.md), not assumed: the bundled model records the
// hull (preprocessing.shapePrior).
import type { BinaryMask } from '../types';
import { fillHoles, largestComponent } from './components';
import { assertLayout, emptyMask } from './mask';
import { constrainCupInsideDisc } from './measure';

export const SHAPE_PRIORS = ['none', 'filled', 'hull', 'ellipse'] as const;
export type ShapePrior = (typeof SHAPE_PRIORS)[number];
export const isShapePrior = (value: string): value is ShapePrior => (SHAPE_PRIORS as readonly string[]).includes(value);

/** Each prior in words, as a package README and `set-shape-prior` state it. */
export const SHAPE_PRIOR_WORDS: Readonly<Record<ShapePrior, string>> = {
  none: 'none (disc and cup as thresholded)',
  filled: 'disc and cup with their holes filled',
  hull: 'disc and cup replaced by their filled convex hulls',
  ellipse: "disc and cup replaced by the ellipses of their convex hulls' moments",
};

/** Pixel centres on a hull edge count as inside despite floating-point error. */
const EDGE_EPSILON = 1e-6;

/**
 * The mask's convex hull, filled: every pixel whose centre lies inside or on the
 * polygon through the outermost pixel centres. Contains the mask; empty in, empty out.
 */
export function convexHullFill(mask: BinaryMask): BinaryMask {
  assertLayout(mask, 'convexHullFill');
  const { width, height, data } = mask;
  const out = emptyMask(width, height);
  // Only the leftmost and rightmost pixel of each row can be hull vertices.
  const points: [number, number][] = [];
  for (let y = 0; y < height; y++) {
    let left = -1;
    let right = -1;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (data[i] === 0) continue;
      if (left < 0) left = x;
      right = x;
    }
    if (left < 0) continue;
    points.push([left, y]);
    if (right !== left) points.push([right, y]);
  }
  if (points.length === 0) return out;
  const hull = monotoneChainHull(points);
  const yMin = Math.min(...hull.map((p) => p[1]));
  const yMax = Math.max(...hull.map((p) => p[1]));
  for (let y = yMin; y <= yMax; y++) {
    // A convex polygon meets a horizontal line in one interval: the extremes of its edges' crossings.
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < hull.length; k++) {
      const [x0, y0] = hull[k]!;
      const [x1, y1] = hull[(k + 1) % hull.length]!;
      if (y < Math.min(y0, y1) || y > Math.max(y0, y1)) continue;
      if (y0 === y1) {
        lo = Math.min(lo, x0, x1);
        hi = Math.max(hi, x0, x1);
      } else {
        const x = x0 + ((y - y0) * (x1 - x0)) / (y1 - y0);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    const from = Math.max(0, Math.ceil(lo - EDGE_EPSILON));
    const to = Math.min(width - 1, Math.floor(hi + EDGE_EPSILON));
    out.data.fill(1, y * width + from, y * width + to + 1);
  }
  return out;
}

/** Andrew's monotone chain: the hull's vertices counter-clockwise (in y-down pixels), collinear points dropped. */
function monotoneChainHull(points: [number, number][]): [number, number][] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (ordered: [number, number][]): [number, number][] => {
    const chain: [number, number][] = [];
    for (const p of ordered) {
      while (chain.length >= 2 && cross(chain[chain.length - 2]!, chain[chain.length - 1]!, p) <= 0) chain.pop();
      chain.push(p);
    }
    chain.pop();
    return chain;
  };
  const hull = [...half(sorted), ...half([...sorted].reverse())];
  return hull.length > 0 ? hull : [sorted[0]!];
}

/**
 * The filled ellipse with the mask's centroid and second moments: a uniform
 * ellipse with semi-axes a, b has variance a²/4 and b²/4 along them, so the fit
 * of an elliptical mask is that ellipse again. Each pixel counts as a unit
 * square (variance 1/12 per axis), so a one-pixel mask stays one pixel.
 * Empty in, empty out.
 */
export function ellipseFill(mask: BinaryMask): BinaryMask {
  assertLayout(mask, 'ellipseFill');
  const { width, height, data } = mask;
  const out = emptyMask(width, height);
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (data[i] === 0) continue;
      n++;
      sx += x;
      sy += y;
    }
  }
  if (n === 0) return out;
  const cx = sx / n;
  const cy = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (data[i] === 0) continue;
      const dx = x - cx;
      const dy = y - cy;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  const vxx = sxx / n + 1 / 12;
  const vyy = syy / n + 1 / 12;
  const vxy = sxy / n;
  // Inside: d' Σ⁻¹ d <= 4, with Σ⁻¹ = [vyy -vxy; -vxy vxx] / det.
  const det = vxx * vyy - vxy * vxy;
  const ix = vyy / det;
  const iy = vxx / det;
  const ixy = -vxy / det;
  // The ellipse's bounding box: half-extents 2·sqrt(vxx) and 2·sqrt(vyy).
  const hx = 2 * Math.sqrt(vxx);
  const hy = 2 * Math.sqrt(vyy);
  const y0 = Math.max(0, Math.floor(cy - hy));
  const y1 = Math.min(height - 1, Math.ceil(cy + hy));
  const x0 = Math.max(0, Math.floor(cx - hx));
  const x1 = Math.min(width - 1, Math.ceil(cx + hx));
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      if (ix * dx * dx + 2 * ixy * dx * dy + iy * dy * dy <= 4 + EDGE_EPSILON) out.data[y * width + x] = 1;
    }
  }
  return out;
}

/**
 * One mask under a prior ('none': the mask itself). The ellipse is fitted to
 * the hull, not to the mask: a notch moves a mask's centroid and shrinks its
 * moments, so the moment ellipse of a notched disc misses more of the disc than
 * the notch did.
 */
export function applyShapePrior(mask: BinaryMask, prior: ShapePrior): BinaryMask {
  switch (prior) {
    case 'none':
      return mask;
    case 'filled':
      return fillHoles(mask);
    case 'hull':
      return convexHullFill(mask);
    case 'ellipse':
      return ellipseFill(convexHullFill(mask));
  }
}

/**
 * Disc and cup under a prior: each is reduced to its largest component first
 * (a hull or ellipse of scattered pieces would bridge them), the cup to its part
 * inside the disc, and the shaped cup is cut to the shaped disc again (a cup's
 * ellipse can cross the disc's edge).
 */
export function shapeDiscAndCup(od: BinaryMask, oc: BinaryMask, prior: ShapePrior): { od: BinaryMask; oc: BinaryMask } {
  if (prior === 'none') return { od, oc };
  const disc = applyShapePrior(largestComponent(od), prior);
  const cup = applyShapePrior(largestComponent(constrainCupInsideDisc(disc, oc)), prior);
  return { od: disc, oc: constrainCupInsideDisc(disc, cup) };
}
