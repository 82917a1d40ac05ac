// Synthetic colour fundus photographs with exact ground truth, for tests,
// benchmarks and smoke-training when no real data is at hand. Seeded and
// deterministic (pure TS, no Math.random): the same seed gives the same image
// on every machine.
//
// What is drawn, back to front (all sizes relative to the disc diameter DD,
// itself ~0.27 of the field-of-view radius, as in a 45-degree photograph):
//   - black frame with a circular field of view (soft 1.5 px edge);
//   - orange-red retina: per-eye tone, vignetting, an off-centre illumination
//     gradient and two octaves of smooth value noise (choroidal texture);
//   - macula: a darker, browner blob ~0.6 DD wide with a darker foveal pit,
//     2.5 DD temporal to the disc and slightly below it;
//   - a faint bright halo around the disc (nerve fibre layer);
//   - optic disc: a yellow-pink ellipse, slightly taller than wide, with a
//     paler, yellow-white cup inside; the edges are centred on the mask
//     boundaries, so the masks are exactly what the eye sees as disc and cup;
//   - vessels: arteries (lighter, with a central reflex) and veins (darker,
//     wider) leaving the disc in four arcades, the temporal ones arching around
//     the macula, branching and thinning as they go;
//   - sensor noise.
// Left and right eyes mirror the layout (disc nasal: right of the fovea for a
// right eye). Glaucoma is tied to the cup: vCDR ~ N(0.4, 0.08) for normals and
// N(0.7, 0.08) for glaucoma, clipped to [0.15, 0.88].
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { writeDirAtomic } from '../fs/atomic';
import { encodeRefugeMask } from '../masks/refuge-mask';
import { verticalCupToDiscRatio } from '../masks/measure';
import { createRng, deriveSeed, type Rng } from '../random';
import type { BinaryMask, Point, RgbImage } from '../types';
import { encodeBmpGrey } from './bmp';
import type { ImageCodec } from './image-codec';
import type { Split } from './sample';
import { writeXlsx, type CellValue } from './xlsx';

export interface SyntheticFundusOptions {
  /** Default 256 x 248 (REFUGE training images are 2124 x 2056). */
  readonly width?: number;
  readonly height?: number;
  /** Force the label; otherwise drawn with probability positiveRate. */
  readonly glaucoma?: 0 | 1;
  /** Default 0.1, REFUGE's 40 of 400. */
  readonly positiveRate?: number;
}

export interface SyntheticFundus {
  readonly image: RgbImage;
  /** Optic disc (includes the cup), 1 inside. */
  readonly od: BinaryMask;
  readonly oc: BinaryMask;
  readonly fovea: Point;
  readonly discCenter: Point;
  readonly glaucoma: 0 | 1;
  /** Vertical cup-to-disc ratio measured on the masks by the REFUGE rule (column counts). */
  readonly vcdr: number;
  /** Which eye the layout shows: 'right' has the disc right of the fovea. */
  readonly eye: 'left' | 'right';
}

export const SYNTH_DEFAULT_WIDTH = 256;
export const SYNTH_DEFAULT_HEIGHT = 248;
const MIN_SIDE = 32;

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
};

/** Smooth random field in [-1, 1]: random values on a coarse grid, cubic-Hermite interpolated. */
class ValueNoise {
  private readonly values: Float32Array;
  private readonly cols: number;
  constructor(
    rng: Rng,
    private readonly cell: number,
    width: number,
    height: number,
  ) {
    this.cols = Math.ceil(width / cell) + 2;
    const rows = Math.ceil(height / cell) + 2;
    this.values = new Float32Array(this.cols * rows);
    for (let i = 0; i < this.values.length; i++) this.values[i] = rng.next() * 2 - 1;
  }
  at(x: number, y: number): number {
    const gx = x / this.cell;
    const gy = y / this.cell;
    const ix = Math.floor(gx);
    const iy = Math.floor(gy);
    let fx = gx - ix;
    let fy = gy - iy;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const v = this.values;
    const o = iy * this.cols + ix;
    const top = v[o]! + (v[o + 1]! - v[o]!) * fx;
    const bottom = v[o + this.cols]! + (v[o + this.cols + 1]! - v[o + this.cols]!) * fx;
    return top + (bottom - top) * fy;
  }

  /** Adds amplitude * noise(x, y) to every pixel of a width x height field: the same values as at(), a row at a time. */
  addTo(field: Float32Array, width: number, height: number, amplitude: number): void {
    const xi = new Int32Array(width);
    const xf = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const gx = x / this.cell;
      xi[x] = Math.floor(gx);
      const f = gx - xi[x]!;
      xf[x] = f * f * (3 - 2 * f);
    }
    const row = new Float32Array(this.cols);
    const v = this.values;
    for (let y = 0; y < height; y++) {
      const gy = y / this.cell;
      const iy = Math.floor(gy);
      let fy = gy - iy;
      fy = fy * fy * (3 - 2 * fy);
      const o = iy * this.cols;
      for (let c = 0; c < this.cols; c++) row[c] = v[o + c]! + (v[o + this.cols + c]! - v[o + c]!) * fy;
      const out = y * width;
      for (let x = 0; x < width; x++) {
        const i = xi[x]!;
        field[out + x] += amplitude * (row[i]! + (row[i + 1]! - row[i]!) * xf[x]!);
      }
    }
  }
}

interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  /** Rotation in radians. */
  readonly angle: number;
}

/** Every ellipse built here, so they all share one object shape (one map for the engine's inline caches). */
function ellipse(cx: number, cy: number, rx: number, ry: number, angle: number): Ellipse {
  return { cx, cy, rx, ry, angle };
}

/** Signed distance (approximate, exact along rays from the centre) to the ellipse boundary: negative inside. */
function ellipseDistance(e: Ellipse, cos: number, sin: number, x: number, y: number): number {
  const dx = x - e.cx;
  const dy = y - e.cy;
  const u = dx * cos + dy * sin;
  const v = -dx * sin + dy * cos;
  const q = (u / e.rx) ** 2 + (v / e.ry) ** 2;
  const r = Math.sqrt(u * u + v * v);
  if (q === 0) return -Math.min(e.rx, e.ry);
  return r * (1 - 1 / Math.sqrt(q));
}

/** Whether ellipse `inner` (same rotation as `outer`) lies inside `outer` with a relative margin. */
function ellipseInside(inner: Ellipse, outer: Ellipse, margin: number): boolean {
  const cos = Math.cos(outer.angle);
  const sin = Math.sin(outer.angle);
  const ou = (inner.cx - outer.cx) * cos + (inner.cy - outer.cy) * sin;
  const ov = -(inner.cx - outer.cx) * sin + (inner.cy - outer.cy) * cos;
  for (let k = 0; k < 72; k++) {
    const t = (k / 72) * 2 * Math.PI;
    const u = ou + inner.rx * Math.cos(t);
    const v = ov + inner.ry * Math.sin(t);
    if ((u / (outer.rx * (1 - margin))) ** 2 + (v / (outer.ry * (1 - margin))) ** 2 > 1) return false;
  }
  return true;
}

interface VesselLayers {
  /** Per-pixel coverage of veins and arteries (0..1) and the arterial light reflex. */
  readonly vein: Float32Array;
  readonly artery: Float32Array;
  readonly reflex: Float32Array;
}

/** Stamps one vessel segment (a capsule of the given width) into a coverage layer, keeping the maximum. */
function stampSegment(
  layer: Float32Array,
  reflex: Float32Array | null,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  w: number,
  strength: number,
  softness: number,
): void {
  const half = w / 2;
  const pad = half + softness + 1;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1) - pad));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + pad));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1) - pad));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + pad));
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1e-9;
  // Thin vessels are drawn as wide as a pixel but fainter, so they fade rather than break up.
  const drawnHalf = Math.max(half, 0.5);
  const fade = strength * Math.min(1, half / 0.5);
  const reach2 = (drawnHalf + softness / 2 + 0.25) ** 2;
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const t = clamp(((x - x0) * dx + (y - y0) * dy) / len2, 0, 1);
      const px = x0 + t * dx - x;
      const py = y0 + t * dy - y;
      const d2 = px * px + py * py;
      if (d2 > reach2) continue;
      const d = Math.sqrt(d2);
      // Vessel cross-section: darkest at the centre line, an edge `softness` px wide (optics blur).
      const edge = clamp((drawnHalf + softness / 2 - d) / softness, 0, 1);
      const profile = 0.75 + 0.25 * Math.sqrt(Math.max(0, 1 - (d / (drawnHalf + softness / 2)) ** 2));
      const a = edge * profile * fade;
      const i = y * width + x;
      if (a > layer[i]!) layer[i] = a;
      if (reflex && w >= 2.5) {
        const r = Math.exp(-((d / (0.16 * w)) ** 2)) * 0.35 * fade;
        if (r > reflex[i]!) reflex[i] = r;
      }
    }
  }
}

interface VesselWalk {
  x: number;
  y: number;
  heading: number;
  width: number;
  kind: 'vein' | 'artery';
  /** +1 / -1: which way the arcade bends (towards the macula's side). */
  bend: number;
  depth: number;
  /** Length left before the vessel ends, in pixels. */
  budget: number;
  /** Whether this vessel arches around the macula (temporal arcades). */
  temporal: boolean;
}

function drawVessels(
  rng: Rng,
  width: number,
  height: number,
  dd: number,
  disc: Ellipse,
  fovea: Point,
  fov: { cx: number; cy: number; r: number },
  side: number,
): VesselLayers {
  const layers: VesselLayers = { vein: new Float32Array(width * height), artery: new Float32Array(width * height), reflex: new Float32Array(width * height) };
  const step = Math.max(0.75, dd * 0.1);
  const softness = Math.max(1, dd * 0.012);
  const queue: VesselWalk[] = [];
  // side = +1 when the fovea is right of the disc (left eye). Temporal = towards the fovea.
  const arcades: { angle: number; temporal: boolean; bend: number }[] = [
    { angle: -Math.PI / 2 + side * 0.35, temporal: true, bend: side }, // superotemporal: up, bending towards the fovea side
    { angle: Math.PI / 2 - side * 0.35, temporal: true, bend: -side }, // inferotemporal
    { angle: -Math.PI / 2 - side * 0.75, temporal: false, bend: -side }, // superonasal
    { angle: Math.PI / 2 + side * 0.75, temporal: false, bend: side }, // inferonasal
  ];
  for (const arcade of arcades) {
    for (const kind of ['vein', 'artery'] as const) {
      const jitter = rng.normal(0, 0.12) + (kind === 'artery' ? 0.12 * arcade.bend : 0);
      const widthScale = kind === 'vein' ? rng.uniform(0.085, 0.1) : rng.uniform(0.065, 0.078);
      queue.push({
        x: disc.cx + rng.normal(0, dd * 0.04) + (kind === 'artery' ? side * dd * 0.05 : -side * dd * 0.03),
        y: disc.cy + rng.normal(0, dd * 0.04),
        heading: arcade.angle + jitter,
        width: dd * widthScale * (arcade.temporal ? 1 : 0.8),
        kind,
        bend: arcade.bend,
        depth: 0,
        budget: dd * (arcade.temporal ? rng.uniform(5.5, 7) : rng.uniform(3.5, 5)),
        temporal: arcade.temporal,
      });
    }
  }
  // A few small vessels from the disc rim towards the macula and the nasal side.
  for (let k = 0; k < 4; k++) {
    const towards = k < 2 ? side : -side;
    const angle = (towards > 0 ? 0 : Math.PI) + rng.normal(0, 0.35);
    queue.push({
      x: disc.cx + Math.cos(angle) * disc.rx * 0.6,
      y: disc.cy + Math.sin(angle) * disc.ry * 0.6,
      heading: angle,
      width: dd * rng.uniform(0.025, 0.04),
      kind: rng.bool() ? 'vein' : 'artery',
      bend: rng.bool() ? 1 : -1,
      depth: 2,
      budget: dd * rng.uniform(1.2, 2.2),
      temporal: false,
    });
  }

  let segments = 0;
  while (queue.length > 0 && segments < 20_000) {
    const v = queue.pop()!;
    let travelled = 0;
    let nextBranch = dd * rng.uniform(0.5, 1.1);
    const layer = v.kind === 'vein' ? layers.vein : layers.artery;
    const reflex = v.kind === 'artery' ? layers.reflex : null;
    const strength = v.kind === 'vein' ? 1 : 0.85;
    let curl = 0; // the vessel's own bending, radians per disc diameter, an Ornstein-Uhlenbeck walk
    const perDd = step / dd;
    while (v.budget > 0 && v.width > 0.35 && segments < 20_000) {
      // Steering, in radians per disc diameter: a smooth random curl; temporal arcades arch
      // around the macula; every vessel is pushed out of the macula and stops at the
      // foveal avascular zone.
      curl += rng.normal(0, 0.5) * Math.sqrt(perDd) - curl * perDd;
      let steer = curl;
      const fdx = fovea.x - v.x;
      const fdy = fovea.y - v.y;
      const fd = Math.hypot(fdx, fdy);
      if (fd < dd * 0.45) break;
      if (v.temporal && Math.hypot(v.x - disc.cx, v.y - disc.cy) > dd * 0.5) steer += v.bend * 0.5;
      if (fd < dd * 1.6) {
        let diff = Math.atan2(-fdy, -fdx) - v.heading;
        diff = Math.atan2(Math.sin(diff), Math.cos(diff));
        steer += Math.sign(diff) * Math.min(Math.abs(diff), 1) * (1.6 - fd / dd) * 2.2;
      }
      v.heading += steer * perDd;
      const nx = v.x + Math.cos(v.heading) * step;
      const ny = v.y + Math.sin(v.heading) * step;
      if (Math.hypot(nx - fov.cx, ny - fov.cy) > fov.r + v.width) break;
      stampSegment(layer, reflex, width, height, v.x, v.y, nx, ny, v.width, strength, softness);
      segments++;
      v.x = nx;
      v.y = ny;
      travelled += step;
      v.budget -= step;
      v.width *= Math.exp(-step / (dd * 9));
      if (travelled >= nextBranch && v.depth < 4) {
        nextBranch = travelled + dd * rng.uniform(0.5, 1.1);
        const sideSign = rng.bool() ? 1 : -1;
        const childWidth = v.width * rng.uniform(0.45, 0.7);
        queue.push({
          x: v.x,
          y: v.y,
          heading: v.heading + sideSign * rng.uniform(0.6, 1.2),
          width: childWidth,
          kind: v.kind,
          bend: sideSign,
          depth: v.depth + 1,
          budget: Math.min(v.budget, dd * rng.uniform(1.0, 2.8) * (1 - v.depth * 0.15)),
          temporal: false,
        });
        v.width *= 0.88;
      }
    }
  }
  return layers;
}

interface Scene {
  readonly width: number;
  readonly height: number;
  readonly fov: { readonly cx: number; readonly cy: number; readonly r: number };
  readonly light: Point;
  readonly fovea: Point;
  readonly disc: Ellipse;
  readonly cup: Ellipse;
  readonly discBox: { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number };
  readonly dd: number;
  readonly base: readonly [number, number, number];
  readonly discColour: readonly [number, number, number];
  readonly cupColour: readonly [number, number, number];
  readonly coarse: ValueNoise;
  readonly fine: ValueNoise;
  readonly grain: ValueNoise;
  readonly discNoise: ValueNoise;
  readonly vessels: VesselLayers;
  readonly noiseSd: number;
  readonly noiseSeed: number;
}

const VEIN_TINT = [0.62, 0.4, 0.5] as const; // multiplies the background under a vein
const ARTERY_TINT = [0.8, 0.58, 0.62] as const;

/**
 * The per-pixel pass, kept in its own function with plain locals so the engine
 * optimises it (about 10 ns a pixel). Sensor noise comes from an inline xorshift
 * rather than the Rng object, for the same reason.
 */
function renderScene(sc: Scene): Uint8Array {
  const { width, height, fov, light, fovea, disc, cup, discBox, dd, base, discColour, cupColour, coarse, fine, grain, discNoise, vessels } = sc;
  // Uint8ClampedArray rounds and clamps on assignment.
  const data = new Uint8ClampedArray(width * height * 3);
  const fovR = fov.r;
  const fovR2 = (fovR + 2) ** 2;
  const invFovR = 1 / fovR;
  const maculaK = 1 / (2 * (0.62 * dd) ** 2);
  const pitK = 1 / (2 * (0.13 * dd) ** 2);
  const haloK = 1 / (2 * (0.75 * dd) ** 2);
  const maculaReach2 = (0.62 * dd * 3.5) ** 2;
  const haloReach2 = (0.75 * dd * 3.5) ** 2;
  const discEdge2 = 2 * Math.max(0.8, dd * 0.015);
  const cupEdge2 = 2 * Math.max(0.8, dd * 0.06);
  const dc = Math.cos(disc.angle);
  const ds = Math.sin(disc.angle);
  const noiseAmp = sc.noiseSd * 1.732; // uniform-sum noise with this standard deviation
  let seed = sc.noiseSeed | 0;
  const texture = new Float32Array(width * height).fill(1);
  coarse.addTo(texture, width, height, 0.085);
  fine.addTo(texture, width, height, 0.035);
  grain.addTo(texture, width, height, 0.018);
  const vein = vessels.vein;
  const artery = vessels.artery;
  const reflex = vessels.reflex;
  for (let y = 0; y < height; y++) {
    const dy = y - fov.cy;
    for (let x = 0; x < width; x++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const dx = x - fov.cx;
      const r2 = dx * dx + dy * dy;
      const o = (y * width + x) * 3;
      if (r2 > fovR2) {
        // Camera frame: black with a trace of sensor noise.
        const n = (seed & 7) < 2 ? 1 : 0;
        data[o] = n;
        data[o + 1] = n;
        data[o + 2] = n;
        continue;
      }
      const rad = Math.sqrt(r2);
      const inside = clamp((fovR + 0.75 - rad) / 1.5, 0, 1);
      const rr = rad * invFovR;
      const lx = (x - light.x) * invFovR;
      const ly = (y - light.y) * invFovR;
      const l2 = Math.min(1.3, lx * lx + ly * ly);
      const rim = rr > 0.8 ? smoothstep(0.8, 1.0, rr) : 0;
      const illum = (1 - 0.5 * l2 * (0.85 + 0.15 * l2)) * (1 - 0.25 * rim);
      const mx = x - fovea.x;
      const my = y - fovea.y;
      const md2 = mx * mx + my * my;
      const macula = md2 < maculaReach2 ? Math.exp(-md2 * maculaK) * 0.34 + Math.exp(-md2 * pitK) * 0.2 : 0;
      const hx = x - disc.cx;
      const hy = y - disc.cy;
      const h2 = hx * hx + hy * hy;
      const shade = illum * texture[y * width + x]! * (h2 < haloReach2 ? 1 + 0.05 * Math.exp(-h2 * haloK) : 1);
      let r = base[0] * shade * (1 - macula * 0.75);
      let g = base[1] * shade * (1 - macula);
      let b = base[2] * shade * (1 - macula * 0.85);

      // Optic disc and cup, with soft edges centred on the mask boundaries.
      if (x >= discBox.x0 && x <= discBox.x1 && y >= discBox.y0 && y <= discBox.y1) {
        const aDisc = clamp(0.5 - ellipseDistance(disc, dc, ds, x, y) / discEdge2, 0, 1);
        if (aDisc > 0) {
          const aCup = clamp(0.5 - ellipseDistance(cup, dc, ds, x, y) / cupEdge2, 0, 1);
          const k = (1 + 0.05 * discNoise.at(x, y)) * (0.65 + 0.35 * illum);
          const cr = (discColour[0] + (cupColour[0] - discColour[0]) * aCup) * k;
          const cg = (discColour[1] + (cupColour[1] - discColour[1]) * aCup) * k;
          const cb = (discColour[2] + (cupColour[2] - discColour[2]) * aCup) * k;
          r += (cr - r) * aDisc;
          g += (cg - g) * aDisc;
          b += (cb - b) * aDisc;
        }
      }

      const i = y * width + x;
      const av = vein[i]!;
      const aa = artery[i]!;
      if (av > 0 || aa > 0) {
        r *= (1 - av * (1 - VEIN_TINT[0])) * (1 - aa * (1 - ARTERY_TINT[0]));
        g *= (1 - av * (1 - VEIN_TINT[1])) * (1 - aa * (1 - ARTERY_TINT[1]));
        b *= (1 - av * (1 - VEIN_TINT[2])) * (1 - aa * (1 - ARTERY_TINT[2]));
        const rf = reflex[i]!;
        if (rf > 0) {
          r += (255 - r) * rf * 0.5;
          g += (200 - g) * rf * 0.35;
          b += (170 - b) * rf * 0.3;
        }
      }

      // Sensor noise: (u - 0.5) * 2 * sqrt(3) * sd has standard deviation sd.
      const n = (((seed >>> 8) & 0xffff) / 65536 - 0.5) * 2 * noiseAmp;
      data[o] = (r + n) * inside;
      data[o + 1] = (g + n * 0.8) * inside;
      data[o + 2] = (b + n * 0.8) * inside;
    }
  }
  return new Uint8Array(data.buffer);
}

/** Draws one synthetic fundus photograph with its ground truth. */
export function generateFundus(seed: number, options: SyntheticFundusOptions = {}): SyntheticFundus {
  const width = options.width ?? SYNTH_DEFAULT_WIDTH;
  const height = options.height ?? SYNTH_DEFAULT_HEIGHT;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < MIN_SIDE || height < MIN_SIDE) {
    throw new RangeError(`synthetic fundus size must be integers of at least ${MIN_SIDE} px, got ${width}x${height}`);
  }
  const rng = createRng(seed);
  const positiveRate = options.positiveRate ?? 0.1;
  const glaucoma: 0 | 1 = options.glaucoma ?? (rng.next() < positiveRate ? 1 : 0);

  // ---- layout ----
  const s = Math.min(width, height);
  // Cameras differ: some frame the whole circle, some (Zeiss, REFUGE training) clip its top and bottom.
  const fov = { cx: width / 2 + rng.normal(0, s * 0.008), cy: height / 2 + rng.normal(0, s * 0.008), r: s * rng.uniform(0.46, 0.515) };
  const dd = fov.r * rng.uniform(0.21, 0.27);
  const eye: 'left' | 'right' = rng.bool() ? 'right' : 'left';
  const side = eye === 'right' ? -1 : 1; // direction from disc to fovea along x
  const fovea = { x: fov.cx + rng.normal(0, fov.r * 0.04) + side * fov.r * 0.06, y: fov.cy + rng.normal(0, fov.r * 0.035) };
  let spacing = rng.uniform(2.3, 2.7);
  const discBelow = rng.uniform(0.1, 0.45); // the disc sits a little above the fovea
  let discCx = fovea.x - side * spacing * dd;
  const discCy = fovea.y - discBelow * dd;
  // Keep the whole disc well inside the field of view.
  while (Math.hypot(discCx - fov.cx, discCy - fov.cy) + dd * 0.6 > fov.r * 0.93 && spacing > 1.6) {
    spacing -= 0.05;
    discCx = fovea.x - side * spacing * dd;
  }
  const disc = ellipse(discCx, discCy, (dd / 2) * rng.uniform(0.88, 0.98), (dd / 2) * rng.uniform(1.0, 1.1), rng.normal(0, 0.1));

  const mean = glaucoma ? 0.7 : 0.4;
  const targetVcdr = clamp(rng.normal(mean, 0.08), 0.15, 0.88);
  const cupRy = disc.ry * targetVcdr;
  const cupRx = Math.min(disc.rx * 0.93, cupRy * rng.uniform(0.8, 1.05));
  let cup = ellipse(disc.cx, disc.cy, cupRx, cupRy, disc.angle);
  // Cups sit a little temporal in the disc; move towards the fovea as far as containment allows.
  const shift = side * rng.uniform(0, 0.18) * disc.rx;
  const lift = rng.normal(0, 0.04) * disc.ry;
  for (let f = 1; f >= 0; f -= 0.25) {
    const moved = ellipse(disc.cx + shift * f, disc.cy + lift * f, cup.rx, cup.ry, cup.angle);
    if (ellipseInside(moved, disc, 0.04)) {
      cup = moved;
      break;
    }
  }

  // ---- masks ----
  const od = new Uint8Array(width * height);
  const oc = new Uint8Array(width * height);
  const dc = Math.cos(disc.angle);
  const ds = Math.sin(disc.angle);
  const box = (e: Ellipse): { x0: number; x1: number; y0: number; y1: number } => {
    const r = Math.max(e.rx, e.ry) + 3;
    return { x0: Math.max(0, Math.floor(e.cx - r)), x1: Math.min(width - 1, Math.ceil(e.cx + r)), y0: Math.max(0, Math.floor(e.cy - r)), y1: Math.min(height - 1, Math.ceil(e.cy + r)) };
  };
  const discBox = box(disc);
  for (let y = discBox.y0; y <= discBox.y1; y++) {
    for (let x = discBox.x0; x <= discBox.x1; x++) {
      const i = y * width + x;
      if (ellipseDistance(disc, dc, ds, x, y) <= 0) od[i] = 1;
      if (od[i] && ellipseDistance(cup, dc, ds, x, y) <= 0) oc[i] = 1;
    }
  }
  const odMask: BinaryMask = { width, height, data: od };
  const ocMask: BinaryMask = { width, height, data: oc };
  const vcdr = verticalCupToDiscRatio(odMask, ocMask) ?? 0;

  // ---- colours ----
  const tone = rng.next(); // 0 = light orange, 1 = dark red-brown retina
  const brightness = rng.uniform(0.88, 1.08);
  // From a light orange retina to a dark red-brown one, some with a grey-green sheen (nerve fibre reflex in younger eyes).
  const sheen = rng.uniform(0, 0.45);
  const base: [number, number, number] = [
    ((222 - 70 * tone) * (1 - sheen) + 120 * sheen) * brightness,
    ((108 - 52 * tone) * (1 - sheen) + 96 * sheen) * brightness,
    ((46 - 26 * tone) * (1 - sheen) + 62 * sheen) * brightness,
  ];
  const discColour: [number, number, number] = [rng.uniform(225, 248), rng.uniform(118, 150), rng.uniform(60, 92)];
  const cupColour: [number, number, number] = [rng.uniform(248, 255), rng.uniform(205, 232), rng.uniform(115, 160)];
  const light = { x: fov.cx + rng.normal(0, fov.r * 0.15), y: fov.cy + rng.normal(0, fov.r * 0.15) };
  const coarse = new ValueNoise(rng, Math.max(4, s / 5), width, height);
  const fine = new ValueNoise(rng, Math.max(2, s / 28), width, height);
  const grain = new ValueNoise(rng, Math.max(1.5, s / 90), width, height);
  const discNoise = new ValueNoise(rng, Math.max(1.5, dd / 6), width, height);
  const vessels = drawVessels(rng, width, height, dd, disc, fovea, fov, side);
  const noiseSd = rng.uniform(1.2, 2.6);

  const data = renderScene({
    width,
    height,
    fov,
    light,
    fovea,
    disc,
    cup,
    discBox,
    dd,
    base,
    discColour,
    cupColour,
    coarse,
    fine,
    grain,
    discNoise,
    vessels,
    noiseSd,
    noiseSeed: rng.int(0x7fffffff) + 1,
  });
  return { image: { width, height, data }, od: odMask, oc: ocMask, fovea, discCenter: { x: disc.cx, y: disc.cy }, glaucoma, vcdr, eye };
}

// ---- a synthetic REFUGE tree ------------------------------------------------------------

export interface SyntheticRefugeOptions {
  /** Images per split. */
  readonly count: number;
  readonly seed: number;
  readonly width?: number;
  readonly height?: number;
  /** Default all three. */
  readonly splits?: readonly Split[];
  /** Fraction of glaucoma per split (exact after rounding, as REFUGE's 40 of 400). Default 0.1. */
  readonly positiveRate?: number;
  /** Default 95. */
  readonly jpegQuality?: number;
}

export interface SyntheticRefugeSample {
  readonly id: string;
  readonly split: Split;
  readonly glaucoma: 0 | 1;
  readonly vcdr: number;
  readonly fovea: Point;
  readonly discCenter: Point;
  readonly eye: 'left' | 'right';
  /** Relative paths inside the written tree. */
  readonly imageFile: string;
  readonly maskFile: string;
}

/**
 * Writes a REFUGE tree with the official folder and file names (DESIGN.md section 3):
 * JPEG images, 8-bit grey-palette BMP masks (0 cup / 128 rim / 255 background) and the
 * three xlsx tables with the official columns. readRefuge reads it back. The folder is
 * built atomically and must not exist yet (or be empty). Returns the ground truth it wrote.
 */
export async function writeSyntheticRefuge(outDir: string, options: SyntheticRefugeOptions, codec: ImageCodec): Promise<SyntheticRefugeSample[]> {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const target = path.resolve(outDir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new InputError(target, 'already exists and is not an empty folder; choose a new folder for the synthetic dataset');
  }
  if (fs.existsSync(target)) fs.rmdirSync(target);
  const splits = options.splits ?? ['train', 'validation', 'test'];
  const positiveRate = options.positiveRate ?? 0.1;
  const quality = options.jpegQuality ?? 95;
  const written: SyntheticRefugeSample[] = [];

  await writeDirAtomic(target, async (dir) => {
    for (const split of splits) {
      const positives = Math.round(count * positiveRate);
      const order = createRng(deriveSeed(seed, split, 'labels')).shuffle(Array.from({ length: count }, (_, i) => i));
      const labels = new Array<0 | 1>(count).fill(0);
      for (const i of order.slice(0, positives)) labels[i] = 1;
      let gCount = 0;
      let nCount = 0;
      const rows: CellValue[][] = [];
      for (let i = 0; i < count; i++) {
        const glaucoma = labels[i]!;
        const fundus = generateFundus(deriveSeed(seed, split, i), { width: options.width, height: options.height, glaucoma });
        let id: string;
        let imageRel: string;
        let maskRel: string;
        if (split === 'train') {
          id = glaucoma ? `g${String(++gCount).padStart(4, '0')}` : `n${String(++nCount).padStart(4, '0')}`;
          const folder = glaucoma ? 'Glaucoma' : 'Non-Glaucoma';
          imageRel = `REFUGE-Training400/Training400/${folder}/${id}.jpg`;
          maskRel = `Annotation-Training400/Annotation-Training400/Disc_Cup_Masks/${folder}/${id}.bmp`;
        } else if (split === 'validation') {
          id = `V${String(i + 1).padStart(4, '0')}`;
          imageRel = `REFUGE-Validation400/REFUGE-Validation400/${id}.jpg`;
          maskRel = `REFUGE-Validation400-GT/Disc_Cup_Masks/${id}.bmp`;
        } else {
          id = `T${String(i + 1).padStart(4, '0')}`;
          imageRel = `REFUGE-Test400/Test400/${id}.jpg`;
          maskRel = `REFUGE-Test-GT/Disc_Cup_Masks/${glaucoma ? 'G' : 'N'}/${id}.bmp`;
        }
        const imagePath = path.join(dir, ...imageRel.split('/'));
        const maskPath = path.join(dir, ...maskRel.split('/'));
        fs.mkdirSync(path.dirname(imagePath), { recursive: true });
        fs.mkdirSync(path.dirname(maskPath), { recursive: true });
        await codec.writeJpeg(imagePath, fundus.image, quality);
        fs.writeFileSync(maskPath, encodeBmpGrey(encodeRefugeMask(fundus.od, fundus.oc)));
        const { x, y } = fundus.fovea;
        if (split === 'train') rows.push([0, `${id}.jpg`, x, y]);
        else if (split === 'validation') rows.push([`${id}.jpg`, glaucoma, x, y]);
        else rows.push([i + 1, `${id}.jpg`, glaucoma, x, y]);
        written.push({ id, split, glaucoma, vcdr: fundus.vcdr, fovea: fundus.fovea, discCenter: fundus.discCenter, eye: fundus.eye, imageFile: imageRel, maskFile: maskRel });
      }
      if (split === 'train') {
        // REFUGE lists glaucoma first (g0001..), then normals; ID counts from 1.
        rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
        rows.forEach((row, k) => (row[0] = k + 1));
        writeXlsx(path.join(dir, 'Annotation-Training400', 'Annotation-Training400', 'Fovea_location.xlsx'), ['ID', 'ImgName', 'Fovea_X', 'Fovea_Y'], rows);
      } else if (split === 'validation') {
        writeXlsx(path.join(dir, 'REFUGE-Validation400-GT', 'Fovea_locations.xlsx'), ['ImgName', 'Glaucoma Label', 'Fovea_X', 'Fovea_Y'], rows);
      } else {
        writeXlsx(path.join(dir, 'REFUGE-Test-GT', 'Glaucoma_label_and_Fovea_location.xlsx'), ['ID', 'ImgName', 'Label(Glaucoma=1)', 'Fovea_X', 'Fovea_Y'], rows);
      }
    }
  });
  return written;
}
