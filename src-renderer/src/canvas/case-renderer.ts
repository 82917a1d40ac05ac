// Draws a case on three stacked canvases: the photograph (brightness,
// contrast and gamma come from a CSS/SVG filter on that canvas, so a slider
// costs one filter of the viewport, not a pass over 4 million pixels); the
// heat map (made transparent where the model's value is low, so it does not
// wash the photograph in the colour map's darkest colour); and everything else: the expert's fill, model and expert contours,
// fovea marks and the tool preview.
//
// Large images stay smooth because work is done once per change, not per
// frame: the fill lives in an offscreen canvas covering only the labelled box,
// updated only in the changed rectangle; the contours are Path2D objects
// rebuilt only after an edit; the photograph is drawn from a pre-scaled copy
// near the display size, with brightness/contrast/gamma baked in, and only
// when the view or the display settings change. A frame of brushing or
// hovering is one small drawImage and a few strokes.
import type { AnnotationDocument, DocumentChange } from '../editor/document';
import { growRect, nonZeroBounds, unionRect, type ImagePoint, type PixelRect } from '../editor/geometry';
import { CUP_LABELS, DISC_LABELS, outlineSegments, paintLabelFill, type Rgba } from '../editor/outline';
import type { ToolPreview } from '../editor/tools/types';
import { alphaFromLuminance } from './heat-alpha';
import type { ViewState } from './view-transform';

export const COLORS = {
  disc: '#2ecc40',
  cup: '#4aa3ff',
  modelDisc: '#b5f5bf',
  modelCup: '#c4e0ff',
  fovea: '#ffdc00',
  modelFovea: '#fff3a6',
  background: '#0b0d10',
} as const;

const RIM_FILL: Rgba = [46, 204, 64, 56];
const CUP_FILL: Rgba = [74, 163, 255, 84];

export interface OverlayInputs {
  readonly view: ViewState | null;
  readonly showModel: boolean;
  readonly showExpert: boolean;
  readonly showFill: boolean;
  readonly showFovea: boolean;
  readonly heatmap: HTMLImageElement | null;
  readonly modelFovea: ImagePoint | null;
  readonly preview: ToolPreview | null;
}

function pathFromSegments(segments: Float32Array): Path2D {
  const path = new Path2D();
  for (let k = 0; k < segments.length; k += 4) {
    path.moveTo(segments[k]!, segments[k + 1]!);
    path.lineTo(segments[k + 2]!, segments[k + 3]!);
  }
  return path;
}

export class CaseRenderer {
  readonly #imageCanvas: HTMLCanvasElement;
  readonly #heatCanvas: HTMLCanvasElement;
  readonly #overlayCanvas: HTMLCanvasElement;
  #image: HTMLImageElement | null = null;
  /** Pre-scaled copies of the photograph: [scale, bitmap], smallest scale first. */
  #levels: { scale: number; source: CanvasImageSource }[] = [];
  #filter = 'none';
  #filterValues = '';
  #document: AnnotationDocument | null = null;
  #unsubscribe: (() => void) | null = null;
  #fill: HTMLCanvasElement | null = null;
  /** Where the fill canvas sits in image pixels (it covers the labelled box with a margin, not the whole image). */
  #fillRect: PixelRect | null = null;
  #fillDirty: PixelRect | null = null;
  #contoursDirty = false;
  #expertDisc: Path2D | null = null;
  #expertCup: Path2D | null = null;
  #modelDisc: Path2D | null = null;
  #modelCup: Path2D | null = null;
  #inputs: OverlayInputs | null = null;
  #heatSource: HTMLImageElement | null = null;
  #heat: CanvasImageSource | null = null;
  #dpr = 1;
  #frame = 0;
  #imageDirty = true;

  constructor(imageCanvas: HTMLCanvasElement, heatCanvas: HTMLCanvasElement, overlayCanvas: HTMLCanvasElement) {
    this.#imageCanvas = imageCanvas;
    this.#heatCanvas = heatCanvas;
    this.#overlayCanvas = overlayCanvas;
  }

  resize(width: number, height: number, dpr: number): void {
    this.#dpr = dpr;
    for (const canvas of [this.#imageCanvas, this.#heatCanvas, this.#overlayCanvas]) {
      canvas.width = Math.max(1, Math.round(width * dpr));
      canvas.height = Math.max(1, Math.round(height * dpr));
    }
    this.#imageDirty = true;
    this.requestDraw();
  }

  setImage(image: HTMLImageElement | null): void {
    if (image !== this.#image) {
      this.#image = image;
      this.#levels = [];
      if (image) void this.#buildLevels(image);
    }
    this.#imageDirty = true;
    this.requestDraw();
  }

  /**
   * A CSS filter string (brightness, contrast, url(#svg-gamma)) applied when the photograph is drawn; 'none' for
   * none. `values` names the settings behind it: an SVG filter's string stays the same when its numbers change.
   */
  setFilter(filter: string, values: string): void {
    if (filter === this.#filter && values === this.#filterValues) return;
    this.#filter = filter;
    this.#filterValues = values;
    this.#imageDirty = true;
    this.requestDraw();
  }

  /** Half, quarter... copies so that drawing at a small zoom does not resample 4 million pixels each time. */
  async #buildLevels(image: HTMLImageElement): Promise<void> {
    const levels: { scale: number; source: CanvasImageSource }[] = [];
    for (let scale = 0.5; image.naturalWidth * scale >= 256; scale /= 2) {
      try {
        const bitmap = await createImageBitmap(image, {
          resizeWidth: Math.round(image.naturalWidth * scale),
          resizeHeight: Math.round(image.naturalHeight * scale),
          resizeQuality: 'high',
        });
        levels.unshift({ scale, source: bitmap });
      } catch {
        break;
      }
    }
    if (this.#image !== image) return;
    this.#levels = levels;
    this.#imageDirty = true;
    this.requestDraw();
  }

  /** The smallest copy still at least as sharp as the screen needs. */
  #sourceFor(displayScale: number): { scale: number; source: CanvasImageSource } {
    for (const level of this.#levels) if (level.scale >= displayScale) return level;
    return { scale: 1, source: this.#image! };
  }

  setDocument(doc: AnnotationDocument | null): void {
    if (doc === this.#document) return;
    this.#unsubscribe?.();
    this.#document = doc;
    this.#fill = null;
    this.#expertDisc = null;
    this.#expertCup = null;
    this.#fillRect = null;
    if (doc) {
      this.#fillDirty = doc.labelBounds();
      this.#contoursDirty = true;
      this.#unsubscribe = doc.subscribe((change) => this.#documentChanged(change));
    }
    this.requestDraw();
  }

  /** The model's label map (static per case). */
  setPrediction(labels: Uint8Array | null, width: number, height: number): void {
    if (labels === null) {
      this.#modelDisc = null;
      this.#modelCup = null;
    } else {
      const region = nonZeroBounds(labels, width, height);
      this.#modelDisc = pathFromSegments(outlineSegments(labels, width, height, DISC_LABELS, region));
      this.#modelCup = pathFromSegments(outlineSegments(labels, width, height, CUP_LABELS, region));
    }
    this.requestDraw();
  }

  setInputs(inputs: OverlayInputs): void {
    const before = this.#inputs;
    if (before?.view !== inputs.view || before?.heatmap !== inputs.heatmap) this.#imageDirty = true;
    this.#inputs = inputs;
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#unsubscribe?.();
  }

  #documentChanged(change: DocumentChange): void {
    if (change.bounds) {
      this.#fillDirty = unionRect(this.#fillDirty, change.bounds);
      this.#contoursDirty = true;
    }
    this.requestDraw();
  }

  #refreshAnnotation(): void {
    const doc = this.#document;
    if (!doc) return;
    if (this.#fillDirty) {
      let r = this.#fillDirty;
      const box = this.#fillRect;
      if (box === null || r.x0 < box.x0 || r.y0 < box.y0 || r.x1 > box.x1 || r.y1 > box.y1) {
        // Grow the fill canvas around the labelled box (with room to brush) and repaint all of it.
        const bounds = unionRect(doc.labelBounds(), r)!;
        const margin = Math.round(Math.max(doc.width, doc.height) * 0.05);
        const grown = growRect(unionRect(bounds, box)!, margin, doc.width, doc.height);
        const fill = document.createElement('canvas');
        fill.width = grown.x1 - grown.x0;
        fill.height = grown.y1 - grown.y0;
        this.#fill = fill;
        this.#fillRect = grown;
        r = grown;
      }
      const w = r.x1 - r.x0;
      const h = r.y1 - r.y0;
      if (w > 0 && h > 0 && this.#fill && this.#fillRect) {
        const ctx = this.#fill.getContext('2d')!;
        const data = ctx.createImageData(w, h);
        paintLabelFill(doc.labels, doc.width, r, RIM_FILL, CUP_FILL, data.data);
        ctx.putImageData(data, r.x0 - this.#fillRect.x0, r.y0 - this.#fillRect.y0);
      }
      this.#fillDirty = null;
    }
    if (this.#contoursDirty) {
      const region = doc.labelBounds();
      this.#expertDisc = pathFromSegments(outlineSegments(doc.labels, doc.width, doc.height, DISC_LABELS, region));
      this.#expertCup = pathFromSegments(outlineSegments(doc.labels, doc.width, doc.height, CUP_LABELS, region));
      this.#contoursDirty = false;
    }
  }

  #draw(): void {
    const inputs = this.#inputs;
    const view = inputs?.view ?? null;
    const dpr = this.#dpr;
    if (this.#imageDirty) {
      const ctx = this.#imageCanvas.getContext('2d')!;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = COLORS.background;
      ctx.fillRect(0, 0, this.#imageCanvas.width, this.#imageCanvas.height);
      if (view && this.#image && this.#image.complete && this.#image.naturalWidth > 0) {
        const level = this.#sourceFor(view.scale * dpr);
        ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.offsetX, dpr * view.offsetY);
        ctx.imageSmoothingEnabled = view.scale < 4;
        ctx.imageSmoothingQuality = level.scale === 1 ? 'high' : 'medium';
        ctx.filter = this.#filter;
        ctx.drawImage(level.source, 0, 0, this.#image.naturalWidth, this.#image.naturalHeight);
        ctx.filter = 'none';
      }
      const heat = this.#heatCanvas.getContext('2d')!;
      heat.setTransform(1, 0, 0, 1, 0, 0);
      heat.clearRect(0, 0, this.#heatCanvas.width, this.#heatCanvas.height);
      const map = this.#heatLayer(inputs?.heatmap ?? null);
      if (view && map && this.#image) {
        heat.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.offsetX, dpr * view.offsetY);
        heat.imageSmoothingEnabled = true;
        // The heat map covers the photograph whatever its own resolution.
        heat.drawImage(map, 0, 0, this.#image.naturalWidth, this.#image.naturalHeight);
      }
      this.#imageDirty = false;
    }

    const ctx = this.#overlayCanvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.#overlayCanvas.width, this.#overlayCanvas.height);
    if (!view || !inputs) return;
    this.#refreshAnnotation();
    const doc = this.#document;
    const s = view.scale;
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * view.offsetX, dpr * view.offsetY);

    if (inputs.showFill && this.#fill && this.#fillRect) {
      ctx.imageSmoothingEnabled = s < 2;
      ctx.drawImage(this.#fill, this.#fillRect.x0, this.#fillRect.y0);
    }
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    if (inputs.showModel) {
      ctx.setLineDash([6 / s, 4 / s]);
      ctx.lineWidth = 1.5 / s;
      this.#stroke(ctx, this.#modelDisc, COLORS.modelDisc);
      this.#stroke(ctx, this.#modelCup, COLORS.modelCup);
      ctx.setLineDash([]);
    }
    if (inputs.showExpert) {
      ctx.lineWidth = 2 / s;
      this.#stroke(ctx, this.#expertDisc, COLORS.disc);
      this.#stroke(ctx, this.#expertCup, COLORS.cup);
    }
    if (inputs.showFovea) {
      if (inputs.showModel && inputs.modelFovea) this.#foveaMark(ctx, inputs.modelFovea, s, COLORS.modelFovea, true);
      if (doc?.fovea) this.#foveaMark(ctx, doc.fovea, s, COLORS.fovea, false);
    }
    if (inputs.preview) this.#drawPreview(ctx, inputs.preview, s);
  }

  /** The heat map with alpha from its value, made once per heat map image. */
  #heatLayer(source: HTMLImageElement | null): CanvasImageSource | null {
    if (source !== this.#heatSource) {
      this.#heatSource = source;
      this.#heat = source && source.complete && source.naturalWidth > 0 ? heatWithAlpha(source) : null;
    }
    return this.#heat;
  }

  #stroke(ctx: CanvasRenderingContext2D, path: Path2D | null, color: string): void {
    if (!path) return;
    // A dark halo under the line keeps it readable on the bright disc and on the dark fundus alike.
    const width = ctx.lineWidth;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.lineWidth = width * 2.2;
    ctx.stroke(path);
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke(path);
  }

  #foveaMark(ctx: CanvasRenderingContext2D, p: ImagePoint, s: number, color: string, dashed: boolean): void {
    const r = 9 / s;
    ctx.save();
    ctx.setLineDash(dashed ? [3 / s, 3 / s] : []);
    ctx.lineWidth = 3.5 / s;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    this.#cross(ctx, p, r);
    ctx.lineWidth = 1.6 / s;
    ctx.strokeStyle = color;
    this.#cross(ctx, p, r);
    ctx.restore();
  }

  #cross(ctx: CanvasRenderingContext2D, p: ImagePoint, r: number): void {
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    ctx.moveTo(p.x - 1.8 * r, p.y);
    ctx.lineTo(p.x - 0.4 * r, p.y);
    ctx.moveTo(p.x + 0.4 * r, p.y);
    ctx.lineTo(p.x + 1.8 * r, p.y);
    ctx.moveTo(p.x, p.y - 1.8 * r);
    ctx.lineTo(p.x, p.y - 0.4 * r);
    ctx.moveTo(p.x, p.y + 0.4 * r);
    ctx.lineTo(p.x, p.y + 1.8 * r);
    ctx.stroke();
  }

  #drawPreview(ctx: CanvasRenderingContext2D, preview: ToolPreview, s: number): void {
    ctx.save();
    ctx.lineWidth = 1.5 / s;
    switch (preview.kind) {
      case 'brush':
        ctx.setLineDash(preview.erase ? [4 / s, 3 / s] : []);
        ctx.strokeStyle = preview.erase ? '#ff8a80' : '#ffffff';
        ctx.beginPath();
        ctx.arc(preview.center.x, preview.center.y, preview.radius, 0, 2 * Math.PI);
        ctx.stroke();
        break;
      case 'polygon': {
        const pts = preview.points;
        ctx.strokeStyle = '#ffffff';
        ctx.beginPath();
        pts.forEach((p, k) => (k === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
        if (preview.cursor) ctx.lineTo(preview.cursor.x, preview.cursor.y);
        ctx.stroke();
        this.#vertices(ctx, pts, s, preview.closable);
        break;
      }
      case 'ellipse':
        if (preview.ellipse) {
          const e = preview.ellipse;
          ctx.setLineDash([5 / s, 4 / s]);
          ctx.strokeStyle = '#ffffff';
          ctx.beginPath();
          ctx.ellipse(e.cx, e.cy, e.rx, e.ry, e.angle, 0, 2 * Math.PI);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        this.#vertices(ctx, preview.points, s, false);
        break;
      case 'fovea':
        this.#foveaMark(ctx, preview.point, s, '#ffffff', false);
        break;
    }
    ctx.restore();
  }

  #vertices(ctx: CanvasRenderingContext2D, points: readonly ImagePoint[], s: number, highlightFirst: boolean): void {
    points.forEach((p, k) => {
      const r = (k === 0 && highlightFirst ? 6 : 3.5) / s;
      ctx.fillStyle = k === 0 && highlightFirst ? '#ffdc00' : '#ffffff';
      ctx.strokeStyle = '#000000';
      ctx.lineWidth = 1 / s;
      ctx.beginPath();
      ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  }
}

/**
 * A colour-mapped heat map (viridis or grey: both grow in luminance with the
 * value) as a canvas whose alpha follows the value: low values vanish, high
 * values keep their colour. Falls back to the image itself when its pixels
 * cannot be read (a cross-origin image without CORS).
 */
export function heatWithAlpha(image: HTMLImageElement): CanvasImageSource {
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(image, 0, 0);
  let data: ImageData;
  try {
    data = ctx.getImageData(0, 0, canvas.width, canvas.height);
  } catch {
    return image;
  }
  alphaFromLuminance(data.data);
  ctx.putImageData(data, 0, 0);
  return canvas;
}
