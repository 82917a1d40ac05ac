// Rasterising the editing shapes onto the label grid. A pixel belongs to a
// shape when its centre (x + 0.5, y + 0.5) lies inside it, the same rule for
// brush, polygon and ellipse, so a shape drawn twice covers the same pixels.
import type { ImagePoint } from './geometry';

export type PixelVisitor = (index: number) => void;

/**
 * Every pixel whose centre lies within `radius` of the segment a-b (a brush
 * stroke between two pointer positions: a capsule, so fast strokes leave no
 * gaps between dabs). a == b gives a round dab.
 */
export function forEachPixelInCapsule(a: ImagePoint, b: ImagePoint, radius: number, width: number, height: number, visit: PixelVisitor): void {
  if (!(radius > 0)) return;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + radius));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + radius));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSq = dx * dx + dy * dy;
  const r2 = radius * radius;
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const cx = x + 0.5;
      let t = lengthSq > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSq : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (a.x + t * dx);
      const ey = cy - (a.y + t * dy);
      if (ex * ex + ey * ey <= r2) visit(y * width + x);
    }
  }
}

/** Every pixel whose centre lies inside the closed polygon (even-odd rule, scanline). */
export function forEachPixelInPolygon(points: readonly ImagePoint[], width: number, height: number, visit: PixelVisitor): void {
  if (points.length < 3) return;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const y0 = Math.max(0, Math.floor(minY - 0.5));
  const y1 = Math.min(height - 1, Math.ceil(maxY - 0.5));
  const crossings: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const q = points[(i + 1) % points.length]!;
      // Half-open in y so a vertex on the scanline is counted once.
      if ((p.y <= cy && q.y > cy) || (q.y <= cy && p.y > cy)) crossings.push(p.x + ((cy - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    crossings.sort((u, v) => u - v);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Pixel x is inside when xa <= x + 0.5 < xb.
      const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const to = Math.min(width - 1, Math.ceil(crossings[k + 1]! - 0.5) - 1);
      for (let x = from; x <= to; x++) visit(y * width + x);
    }
  }
}

/** An ellipse in image coordinates; rx along `angle` (radians, +x towards +y), ry across it. */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly angle: number;
}

/** Every pixel whose centre lies inside (or on) the ellipse. */
export function forEachPixelInEllipse(e: Ellipse, width: number, height: number, visit: PixelVisitor): void {
  if (!(e.rx > 0 && e.ry > 0)) return;
  const cos = Math.cos(e.angle);
  const sin = Math.sin(e.angle);
  const halfW = Math.sqrt(e.rx * e.rx * cos * cos + e.ry * e.ry * sin * sin);
  const halfH = Math.sqrt(e.rx * e.rx * sin * sin + e.ry * e.ry * cos * cos);
  const x0 = Math.max(0, Math.floor(e.cx - halfW));
  const x1 = Math.min(width - 1, Math.ceil(e.cx + halfW));
  const y0 = Math.max(0, Math.floor(e.cy - halfH));
  const y1 = Math.min(height - 1, Math.ceil(e.cy + halfH));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - e.cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - e.cx;
      const u = (dx * cos + dy * sin) / e.rx;
      const v = (-dx * sin + dy * cos) / e.ry;
      if (u * u + v * v <= 1) visit(y * width + x);
    }
  }
}

/**
 * Least-squares ellipse through outline points the user clicked: the conic
 * a x^2 + b xy + c y^2 + d x + e y + f = 0 with a + c = 1 (which excludes no
 * ellipse), solved as a 5-unknown linear least-squares problem on centred,
 * scaled points. Null with fewer than 5 points or when the best conic is not
 * an ellipse (points on a line, a hyperbola-shaped arc).
 */
export function fitEllipse(points: readonly ImagePoint[]): Ellipse | null {
  const n = points.length;
  if (n < 5) return null;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x / n;
    my += p.y / n;
  }
  let spread = 0;
  for (const p of points) spread += ((p.x - mx) ** 2 + (p.y - my) ** 2) / n;
  const scale = Math.sqrt(spread);
  if (!(scale > 0)) return null;
  // Unknowns [a, b, d, e, f] with c = 1 - a: a (x^2 - y^2) + b xy + d x + e y + f = -y^2.
  const ata = Array.from({ length: 5 }, () => new Float64Array(5));
  const atb = new Float64Array(5);
  for (const p of points) {
    const x = (p.x - mx) / scale;
    const y = (p.y - my) / scale;
    const row = [x * x - y * y, x * y, x, y, 1];
    const rhs = -y * y;
    for (let i = 0; i < 5; i++) {
      atb[i]! += row[i]! * rhs;
      for (let j = 0; j < 5; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  }
  const solution = solveLinear(ata, atb);
  if (solution === null) return null;
  const a = solution[0]!;
  const unit = conicToEllipse(a, solution[1]!, 1 - a, solution[2]!, solution[3]!, solution[4]!);
  if (unit === null) return null;
  return { cx: mx + unit.cx * scale, cy: my + unit.cy * scale, rx: unit.rx * scale, ry: unit.ry * scale, angle: unit.angle };
}

/** Centre, semi-axes and angle of the conic a x^2 + b xy + c y^2 + d x + e y + f = 0 if it is a real ellipse. */
export function conicToEllipse(a: number, b: number, c: number, d: number, e: number, f: number): Ellipse | null {
  const det = 4 * a * c - b * b;
  if (!(det > 0)) return null;
  const cx = (b * e - 2 * c * d) / det;
  const cy = (b * d - 2 * a * e) / det;
  // Value at the centre: the conic reads [x y] Q [x y]^T = -f0 around it.
  const f0 = f + (d * cx + e * cy) / 2;
  // Make Q positive definite so the smaller eigenvalue is the long axis.
  if (f0 > 0) return conicToEllipse(-a, -b, -c, -d, -e, -f);
  // Eigenvalues of Q = [[a, b/2], [b/2, c]].
  const mean = (a + c) / 2;
  const diff = Math.sqrt(((a - c) / 2) ** 2 + (b / 2) ** 2);
  const l1 = mean - diff;
  const l2 = mean + diff;
  if (!(l1 * f0 < 0 && l2 * f0 < 0)) return null;
  const rx = Math.sqrt(-f0 / l1);
  const ry = Math.sqrt(-f0 / l2);
  // Eigenvector of l1 (the long axis, since |l1| <= |l2| when both share a sign).
  const angle = Math.abs(b) < 1e-12 ? (a <= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, b / 2);
  return { cx, cy, rx, ry, angle: normaliseAngle(angle) };
}

function normaliseAngle(angle: number): number {
  let t = angle;
  while (t <= -Math.PI / 2) t += Math.PI;
  while (t > Math.PI / 2) t -= Math.PI;
  return t;
}

/** Gaussian elimination with partial pivoting; null for a singular system. */
function solveLinear(m: Float64Array[], v: Float64Array): Float64Array | null {
  const n = v.length;
  const a = m.map((row) => Float64Array.from(row));
  const b = Float64Array.from(v);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-12) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let r = col + 1; r < n; r++) {
      const k = a[r]![col]! / a[col]![col]!;
      for (let c = col; c < n; c++) a[r]![c]! -= k * a[col]![c]!;
      b[r]! -= k * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * x[c]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}
