// Disc, cup and fovea drawn over the fundus photograph, for the review screen,
// reports and exported overlays. Works on the full-size image in a few
// milliseconds: only the masks' bounding boxes and outlines are visited.
import { assertLayout, assertSameSize } from '../masks/mask';
import { type BoundingBox, boundingBox } from '../masks/measure';
import type { BinaryMask, Point, RgbImage } from '../types';
import { DEFAULT_FOVEA_COLOR, DEFAULT_OC_COLOR, DEFAULT_OD_COLOR, type Rgb, assertRgb } from './colour';

export interface OverlayOptions {
  readonly od?: BinaryMask | null;
  readonly oc?: BinaryMask | null;
  /** Fovea in original pixel coordinates (pixel centres at integers). */
  readonly fovea?: Point | null;
  readonly odColor?: Rgb;
  readonly ocColor?: Rgb;
  readonly foveaColor?: Rgb;
  /**
   * Outline width in pixels. Default: scaled to the image, max(1, round(longer side / 500)),
   * so the outline looks the same on a 1634 px and a 2124 px photograph.
   */
  readonly lineWidth?: number;
  /** Opacity of a fill inside each mask, 0 (none, default) .. 1. */
  readonly fillOpacity?: number;
}

/** Default outline width for an image: about 4 px on a REFUGE photograph. */
export function defaultLineWidth(image: { width: number; height: number }): number {
  return Math.max(1, Math.round(Math.max(image.width, image.height) / 500));
}

/**
 * A new image with the overlays drawn: the fills first (disc, then cup), then
 * the disc and cup outlines (each mask's boundary pixels, thickened to
 * lineWidth), then the fovea as a ring with a cross. The input is not changed.
 * Masks must have the image's size.
 */
export function drawOverlay(image: RgbImage, options: OverlayOptions): RgbImage {
  assertLayout(image, 'drawOverlay', 3);
  const out: RgbImage = { width: image.width, height: image.height, data: image.data.slice() };
  drawOverlayInPlace(out, options);
  return out;
}

/**
 * drawOverlay without the copy: draws into `image` and returns it. For callers
 * that own a freshly decoded buffer; at REFUGE size the copy (13 MB) costs more
 * than the drawing (a few ms) on a loaded machine.
 */
export function drawOverlayInPlace(image: RgbImage, options: OverlayOptions): RgbImage {
  assertLayout(image, 'drawOverlay', 3);
  const od = options.od ?? null;
  const oc = options.oc ?? null;
  for (const [mask, what] of [
    [od, 'disc mask'],
    [oc, 'cup mask'],
  ] as const) {
    if (mask === null) continue;
    assertLayout(mask, `drawOverlay (${what})`);
    assertSameSize(image, mask, `drawOverlay (${what} vs image)`);
  }
  const odColor = options.odColor ?? DEFAULT_OD_COLOR;
  const ocColor = options.ocColor ?? DEFAULT_OC_COLOR;
  const foveaColor = options.foveaColor ?? DEFAULT_FOVEA_COLOR;
  assertRgb(odColor, 'drawOverlay odColor');
  assertRgb(ocColor, 'drawOverlay ocColor');
  assertRgb(foveaColor, 'drawOverlay foveaColor');
  const lineWidth = options.lineWidth ?? defaultLineWidth(image);
  if (!(lineWidth >= 1) || !Number.isFinite(lineWidth)) throw new RangeError(`drawOverlay: lineWidth must be >= 1, got ${lineWidth}`);
  const fillOpacity = options.fillOpacity ?? 0;
  if (!(fillOpacity >= 0 && fillOpacity <= 1)) throw new RangeError(`drawOverlay: fillOpacity must be in [0, 1], got ${fillOpacity}`);

  const out = image;
  // One scan per mask for its box; everything after visits the box only.
  const odBox = od ? boundingBox(od) : null;
  const ocBox = oc ? boundingBox(oc) : null;
  if (fillOpacity > 0) {
    if (od && odBox) fillMask(out, od, odBox, odColor, fillOpacity);
    if (oc && ocBox) fillMask(out, oc, ocBox, ocColor, fillOpacity);
  }
  if (od && odBox) strokeMask(out, od, odBox, odColor, lineWidth);
  if (oc && ocBox) strokeMask(out, oc, ocBox, ocColor, lineWidth);
  if (options.fovea) drawFoveaMark(out, options.fovea, foveaColor, lineWidth);
  return out;
}

/** Blends colour into every mask pixel: out = (1 - a) * pixel + a * colour. */
function fillMask(image: RgbImage, mask: BinaryMask, box: BoundingBox, colour: Rgb, opacity: number): void {
  const { width, data } = image;
  const keep = 1 - opacity;
  const add = colour.map((c) => c * opacity + 0.5);
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = y * width + x;
      if (mask.data[p] === 0) continue;
      const o = p * 3;
      data[o] = data[o]! * keep + add[0]!;
      data[o + 1] = data[o + 1]! * keep + add[1]!;
      data[o + 2] = data[o + 2]! * keep + add[2]!;
    }
  }
}

/**
 * Paints the mask's outline: every mask pixel with a 4-neighbour outside the
 * mask (or on the image edge), widened by a disc of diameter lineWidth.
 */
function strokeMask(image: RgbImage, mask: BinaryMask, box: BoundingBox, colour: Rgb, lineWidth: number): void {
  const { width, height, data } = image;
  const m = mask.data;
  const radius = lineWidth / 2;
  const reach = Math.floor(radius);
  const offsets: number[] = [];
  for (let dy = -reach; dy <= reach; dy++) for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= radius * radius) offsets.push(dx, dy);
  // Painted pixels, so overlapping stamps are written once (relative to the widened box).
  const bx0 = Math.max(0, box.x0 - reach);
  const by0 = Math.max(0, box.y0 - reach);
  const bw = Math.min(width, box.x1 + reach) - bx0;
  const bh = Math.min(height, box.y1 + reach) - by0;
  const painted = new Uint8Array(bw * bh);
  const [r, g, b] = colour;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = y * width + x;
      if (m[p] === 0) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1 || m[p - 1] === 0 || m[p + 1] === 0 || m[p - width] === 0 || m[p + width] === 0;
      if (!edge) continue;
      for (let k = 0; k < offsets.length; k += 2) {
        const sx = x + offsets[k]!;
        const sy = y + offsets[k + 1]!;
        if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
        const q = (sy - by0) * bw + (sx - bx0);
        if (painted[q]) continue;
        painted[q] = 1;
        const o = (sy * width + sx) * 3;
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
      }
    }
  }
}

/** A ring of radius ~1.7 % of the longer side with a cross inside, both lineWidth thick. */
function drawFoveaMark(image: RgbImage, at: Point, colour: Rgb, lineWidth: number): void {
  if (!Number.isFinite(at.x) || !Number.isFinite(at.y)) return;
  const { width, height, data } = image;
  const ringRadius = Math.max(4, Math.round(Math.max(width, height) / 60));
  const arm = ringRadius * 0.6;
  const half = lineWidth / 2;
  const extent = ringRadius + half;
  const x0 = Math.max(0, Math.ceil(at.x - extent));
  const x1 = Math.min(width - 1, Math.floor(at.x + extent));
  const y0 = Math.max(0, Math.ceil(at.y - extent));
  const y1 = Math.min(height - 1, Math.floor(at.y + extent));
  const [r, g, b] = colour;
  for (let y = y0; y <= y1; y++) {
    const dy = y - at.y;
    for (let x = x0; x <= x1; x++) {
      const dx = x - at.x;
      const onRing = Math.abs(Math.sqrt(dx * dx + dy * dy) - ringRadius) <= half;
      const onCross = (Math.abs(dx) <= half && Math.abs(dy) <= arm) || (Math.abs(dy) <= half && Math.abs(dx) <= arm);
      if (!onRing && !onCross) continue;
      const o = (y * width + x) * 3;
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
    }
  }
}
