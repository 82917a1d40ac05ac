// Ellipses for the UI's ellipse tool: rasterise one, fit one to outline points,
// or take the ellipse with a mask's moments. Discs and cups are close to
// ellipses, so an ellipse is the quickest shape to correct by hand.
import type { BinaryMask, Point } from '../types';
import { assertDimensions, assertLayout } from './mask';

/**
 * An ellipse in pixel coordinates (pixel centres at integers).
 * rx is the semi-axis along direction `angle` (radians, from +x towards +y, i.e.
 * clockwise on screen), ry the one perpendicular to it. Fits return rx >= ry and
 * angle in (-pi/2, pi/2].
 */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly angle: number;
}

/** Pixels whose centre lies inside (or on) the ellipse. */
export function ellipseToMask(cx: number, cy: number, rx: number, ry: number, angle: number, width: number, height: number): BinaryMask {
  assertDimensions(width, height);
  const data = new Uint8Array(width * height);
  if (!(rx > 0) || !(ry > 0)) return { width, height, data };
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const halfW = Math.sqrt(rx * rx * cos * cos + ry * ry * sin * sin);
  const halfH = Math.sqrt(rx * rx * sin * sin + ry * ry * cos * cos);
  const x0 = Math.max(0, Math.ceil(cx - halfW));
  const x1 = Math.min(width - 1, Math.floor(cx + halfW));
  const y0 = Math.max(0, Math.ceil(cy - halfH));
  const y1 = Math.min(height - 1, Math.floor(cy + halfH));
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const u = (dx * cos + dy * sin) / rx;
      const v = (-dx * sin + dy * cos) / ry;
      if (u * u + v * v <= 1) data[y * width + x] = 1;
    }
  }
  return { width, height, data };
}

/**
 * Least-squares ellipse through scattered points: Fitzgibbon, Pilu & Fisher's
 * direct ellipse-specific fit in the numerically stable form of Halir & Flusser
 * (1998). Works on unordered points and on partial arcs. Points are centred and
 * scaled before fitting. Null with fewer than 5 points or when they do not
 * determine an ellipse (e.g. all on a line).
 */
export function fitEllipse(points: readonly Point[]): Ellipse | null {
  const n = points.length;
  if (n < 5) return null;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x;
    my += p.y;
  }
  mx /= n;
  my /= n;
  let spread = 0;
  for (const p of points) spread += (p.x - mx) ** 2 + (p.y - my) ** 2;
  const scale = Math.sqrt(spread / n);
  if (!(scale > 0) || !Number.isFinite(scale)) return null;

  // Scatter matrices of the quadratic part D1 = [x^2, xy, y^2] and the linear part D2 = [x, y, 1].
  const S1 = zeros3();
  const S2 = zeros3();
  const S3 = zeros3();
  for (const p of points) {
    const x = (p.x - mx) / scale;
    const y = (p.y - my) / scale;
    const d1 = [x * x, x * y, y * y];
    const d2 = [x, y, 1];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        S1[i]![j]! += d1[i]! * d1[j]!;
        S2[i]![j]! += d1[i]! * d2[j]!;
        S3[i]![j]! += d2[i]! * d2[j]!;
      }
    }
  }
  const S3inv = invert3(S3);
  if (S3inv === null) return null;
  // T = -S3^-1 S2^T maps the quadratic coefficients to the linear ones.
  const T = scale3(multiply3(S3inv, transpose3(S2)), -1);
  const M = add3(S1, multiply3(S2, T));
  // Premultiply by C1^-1 = [[0, 0, 1/2], [0, -1, 0], [1/2, 0, 0]].
  const reduced = [
    [M[2]![0]! / 2, M[2]![1]! / 2, M[2]![2]! / 2],
    [-M[1]![0]!, -M[1]![1]!, -M[1]![2]!],
    [M[0]![0]! / 2, M[0]![1]! / 2, M[0]![2]! / 2],
  ];
  let best: number[] | null = null;
  let bestCondition = 0;
  for (const lambda of realEigenvalues3(reduced)) {
    const v = nullVector3(reduced, lambda);
    if (v === null) continue;
    // Ellipse constraint 4ac - b^2 > 0 (scale-free by dividing by |v|^2).
    const condition = (4 * v[0]! * v[2]! - v[1]! * v[1]!) / (v[0]! ** 2 + v[1]! ** 2 + v[2]! ** 2);
    if (condition > bestCondition) {
      bestCondition = condition;
      best = v;
    }
  }
  if (best === null) return null;
  const linear = multiply3(T, best.map((c) => [c])).map((row) => row[0]!);
  const conic = [best[0]!, best[1]!, best[2]!, linear[0]!, linear[1]!, linear[2]!];
  const unit = conicToEllipse(conic);
  if (unit === null) return null;
  return { cx: mx + unit.cx * scale, cy: my + unit.cy * scale, rx: unit.rx * scale, ry: unit.ry * scale, angle: unit.angle };
}

/**
 * The ellipse with the same area moments as the mask (centroid and second
 * moments of the pixels as unit squares): a fit that never fails on a
 * non-empty mask and needs no outline. A filled ellipse gives itself back to
 * within rasterisation error. Null for an empty mask.
 */
export function ellipseFromMask(mask: BinaryMask): Ellipse | null {
  assertLayout(mask, 'ellipseFromMask');
  const { width, height, data } = mask;
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] !== 0) {
        n++;
        sx += x;
        sy += y;
      }
    }
  }
  if (n === 0) return null;
  const cx = sx / n;
  const cy = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] !== 0) {
        const dx = x - cx;
        const dy = y - cy;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
      }
    }
  }
  // + 1/12: the variance of a unit square around each pixel centre.
  const vxx = sxx / n + 1 / 12;
  const vyy = syy / n + 1 / 12;
  const vxy = sxy / n;
  // A uniform ellipse with semi-axes a, b has variances a^2/4, b^2/4 along its axes.
  const mean = (vxx + vyy) / 2;
  const diff = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy);
  const major = mean + diff;
  const minor = Math.max(mean - diff, 0);
  const angle = diff === 0 ? 0 : normaliseAngle(0.5 * Math.atan2(2 * vxy, vxx - vyy));
  return { cx, cy, rx: 2 * Math.sqrt(major), ry: 2 * Math.sqrt(minor), angle };
}

/**
 * Geometric parameters of the conic a x^2 + b xy + c y^2 + d x + e y + f = 0,
 * or null unless it is a real, non-degenerate ellipse.
 */
export function conicToEllipse(conic: readonly number[]): Ellipse | null {
  let [a, b, c, d, e, f] = conic as [number, number, number, number, number, number];
  const det = 4 * a * c - b * b;
  if (!(det > 0)) return null;
  const cx = (b * e - 2 * c * d) / det;
  const cy = (b * d - 2 * a * e) / det;
  let f0 = f + (d * cx + e * cy) / 2;
  if (f0 > 0) {
    // Same conic with the sign flipped, so that the quadratic form is positive definite.
    a = -a;
    b = -b;
    c = -c;
    f0 = -f0;
  }
  if (!(f0 < 0) || !(a > 0)) return null;
  const mean = (a + c) / 2;
  const diff = Math.sqrt(((a - c) / 2) ** 2 + (b / 2) ** 2);
  const large = mean + diff;
  const small = mean - diff;
  if (!(small > 0)) return null;
  const rx = Math.sqrt(-f0 / small);
  const ry = Math.sqrt(-f0 / large);
  // The eigenvector of the larger eigenvalue is at 0.5 * atan2(b, a - c): the minor axis.
  const angle = diff === 0 ? 0 : normaliseAngle(0.5 * Math.atan2(b, a - c) + Math.PI / 2);
  if (![cx, cy, rx, ry, angle].every(Number.isFinite)) return null;
  return { cx, cy, rx, ry, angle };
}

/** Maps an axis direction to (-pi/2, pi/2]. */
function normaliseAngle(angle: number): number {
  let a = angle;
  while (a > Math.PI / 2) a -= Math.PI;
  while (a <= -Math.PI / 2) a += Math.PI;
  return a;
}

// --- 3x3 linear algebra (row-major number[][]), just enough for the fit. ---

type Matrix = number[][];

function zeros3(): Matrix {
  return [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
}

function transpose3(m: Matrix): Matrix {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => m[j]![i]!));
}

function multiply3(a: Matrix, b: Matrix): Matrix {
  const cols = b[0]!.length;
  return a.map((row) => Array.from({ length: cols }, (_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

function add3(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((v, j) => v + b[i]![j]!));
}

function scale3(m: Matrix, s: number): Matrix {
  return m.map((row) => row.map((v) => v * s));
}

function det3(m: Matrix): number {
  const [a, b, c] = m as [number[], number[], number[]];
  return (
    a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!)
  );
}

function cross(u: readonly number[], v: readonly number[]): number[] {
  return [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
}

function invert3(m: Matrix): Matrix | null {
  const det = det3(m);
  const norm = Math.max(...m.flat().map(Math.abs));
  if (!(Math.abs(det) > 1e-14 * norm ** 3)) return null;
  // Inverse = adjugate / det; the adjugate's rows are cross products of columns.
  const c = transpose3(m);
  const adjugate = [cross(c[1]!, c[2]!), cross(c[2]!, c[0]!), cross(c[0]!, c[1]!)];
  return scale3(adjugate, 1 / det);
}

/** Real eigenvalues of a 3x3 matrix: real roots of its characteristic cubic, Newton-polished. */
function realEigenvalues3(m: Matrix): number[] {
  const trace = m[0]![0]! + m[1]![1]! + m[2]![2]!;
  const minors =
    m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]! + m[0]![0]! * m[2]![2]! - m[0]![2]! * m[2]![0]! + m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!;
  const det = det3(m);
  // lambda^3 - trace lambda^2 + minors lambda - det = 0
  const poly = (l: number): number => ((l - trace) * l + minors) * l - det;
  const slope = (l: number): number => (3 * l - 2 * trace) * l + minors;
  const roots = solveCubic(-trace, minors, -det);
  return roots.map((root) => {
    let l = root;
    for (let i = 0; i < 3; i++) {
      const s = slope(l);
      if (s === 0) break;
      const next = l - poly(l) / s;
      if (!Number.isFinite(next)) break;
      l = next;
    }
    return l;
  });
}

/** Real roots of x^3 + p2 x^2 + p1 x + p0. */
function solveCubic(p2: number, p1: number, p0: number): number[] {
  const shift = p2 / 3;
  // Depressed cubic t^3 + p t + q with x = t - shift.
  const p = p1 - p2 * shift;
  const q = 2 * shift ** 3 - p1 * shift + p0;
  if (p === 0) return [Math.cbrt(-q) - shift];
  const disc = (q / 2) ** 2 + (p / 3) ** 3;
  if (disc > 0) {
    const s = Math.sqrt(disc);
    return [Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s) - shift];
  }
  // Three real roots (trigonometric form).
  const r = Math.sqrt(-p / 3);
  const phi = Math.acos(Math.min(1, Math.max(-1, (3 * q) / (2 * p * r))));
  return [0, 1, 2].map((k) => 2 * r * Math.cos((phi - 2 * Math.PI * k) / 3) - shift);
}

/** A vector v with (m - lambda I) v = 0: the largest cross product of two rows. */
function nullVector3(m: Matrix, lambda: number): number[] | null {
  const rows = m.map((row, i) => row.map((v, j) => (i === j ? v - lambda : v)));
  let best: number[] | null = null;
  let bestNorm = 0;
  for (const [i, j] of [
    [0, 1],
    [0, 2],
    [1, 2],
  ] as const) {
    const v = cross(rows[i]!, rows[j]!);
    const norm = Math.hypot(v[0]!, v[1]!, v[2]!);
    if (norm > bestNorm) {
      bestNorm = norm;
      best = v;
    }
  }
  return best === null ? null : best.map((c) => c / bestNorm);
}
