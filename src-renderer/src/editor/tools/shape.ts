// Polygon and ellipse fit: click points around the structure's outline, then
// close (Enter, a double click, or - for the polygon - a click on the first
// point). The closed shape *replaces* the structure: the new disc is the
// shape (the cup is clipped to it); the new cup is the shape clipped to the
// disc (the pixels left out are counted, so the editor can say so). Escape drops the points, Backspace removes the last one.
import { LabelChangeBuilder, type ChangeSet } from '../change-set';
import { unionRect, type ImagePoint, type PixelRect } from '../geometry';
import { clippedByDisc, replaced, type Structure } from '../labels';
import { fitEllipse, forEachPixelInEllipse, forEachPixelInPolygon, type Ellipse, type PixelVisitor } from '../raster';
import type { AnnotationDocument } from '../document';
import type { EditorTool, ToolContext } from './types';

/**
 * Runs that make `structure` equal to the shape rasterised by `fill` (which
 * lies inside `shapeBounds`). Only the labelled box and the shape's box can
 * change, so only they are scanned.
 */
export function replaceStructure(doc: AnnotationDocument, structure: Structure, fill: (visit: PixelVisitor) => void, shapeBounds: PixelRect): { runs: ChangeSet['runs']; clipped: number } {
  const inside = new Set<number>();
  fill((i) => inside.add(i));
  const region = unionRect(doc.labelBounds(), shapeBounds)!;
  const x0 = Math.max(0, region.x0);
  const y0 = Math.max(0, region.y0);
  const x1 = Math.min(doc.width, region.x1);
  const y1 = Math.min(doc.height, region.y1);
  const builder = new LabelChangeBuilder(doc.labels);
  let clipped = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * doc.width + x;
      const within = inside.has(i);
      if (within && clippedByDisc(doc.labels[i]!, structure)) clipped++;
      builder.set(i, replaced(doc.labels[i]!, structure, within));
    }
  }
  return { runs: builder.runs(), clipped };
}

function pointsBounds(points: readonly ImagePoint[]): PixelRect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x0: Math.floor(x0), y0: Math.floor(y0), x1: Math.ceil(x1) + 1, y1: Math.ceil(y1) + 1 };
}

export function ellipseBounds(e: Ellipse): PixelRect {
  const r = Math.max(e.rx, e.ry);
  return { x0: Math.floor(e.cx - r), y0: Math.floor(e.cy - r), x1: Math.ceil(e.cx + r) + 1, y1: Math.ceil(e.cy + r) + 1 };
}

/** Shared behaviour of the click-by-click tools. */
function createPointTool(options: {
  id: 'polygon' | 'ellipse';
  label: string;
  shortcut: string;
  hint: string;
  minimum: number;
  closeOnFirstPoint: boolean;
  commit: (ctx: ToolContext, points: readonly ImagePoint[]) => ChangeSet | null;
  preview: (ctx: ToolContext, points: readonly ImagePoint[], hover: ImagePoint | null) => ReturnType<EditorTool['preview']>;
}): EditorTool {
  let points: ImagePoint[] = [];

  function close(ctx: ToolContext): ChangeSet | null {
    if (points.length < options.minimum) return null;
    const change = options.commit(ctx, points);
    points = [];
    return change;
  }

  return {
    id: options.id,
    label: options.label,
    shortcut: options.shortcut,
    hint: options.hint,
    usesStructure: true,
    pointerDown(ctx, input) {
      const first = points[0];
      if (input.clicks >= 2 && points.length >= options.minimum) return close(ctx);
      if (options.closeOnFirstPoint && first && points.length >= options.minimum && Math.hypot(input.point.x - first.x, input.point.y - first.y) <= ctx.pickRadius) {
        return close(ctx);
      }
      if (input.clicks >= 2) return null;
      points.push(input.point);
      return null;
    },
    pointerMove() {
      return null;
    },
    pointerUp() {
      return null;
    },
    key(ctx, key) {
      if (points.length === 0) return { handled: false, change: null };
      if (key === 'Enter') return { handled: true, change: close(ctx) };
      if (key === 'Escape') {
        points = [];
        return { handled: true, change: null };
      }
      if (key === 'Backspace') {
        points.pop();
        return { handled: true, change: null };
      }
      return { handled: false, change: null };
    },
    preview(ctx, hover) {
      return options.preview(ctx, points, hover);
    },
    cancel() {
      points = [];
    },
  };
}

export function createPolygonTool(): EditorTool {
  return createPointTool({
    id: 'polygon',
    label: 'Polygon',
    shortcut: 'p',
    hint: 'Click around the outline; click the first point, double-click or press Enter to close. Esc cancels.',
    minimum: 3,
    closeOnFirstPoint: true,
    commit(ctx, points) {
      const doc = ctx.document;
      const { runs, clipped } = replaceStructure(doc, ctx.structure, (visit) => forEachPixelInPolygon(points, doc.width, doc.height, visit), pointsBounds(points));
      return { runs, fovea: null, note: `polygon on ${ctx.structure}`, mergeKey: null, at: ctx.now(), clippedOutsideDisc: clipped };
    },
    preview(ctx, points, hover) {
      const first = points[0];
      const closable = !!first && !!hover && points.length >= 3 && Math.hypot(hover.x - first.x, hover.y - first.y) <= ctx.pickRadius;
      return points.length > 0 ? { kind: 'polygon', points: [...points], cursor: hover, closable } : null;
    },
  });
}

export function createEllipseTool(): EditorTool {
  return createPointTool({
    id: 'ellipse',
    label: 'Ellipse fit',
    shortcut: 'l',
    hint: 'Click 5 or more points on the outline; double-click or press Enter to apply the fitted ellipse.',
    minimum: 5,
    closeOnFirstPoint: false,
    commit(ctx, points) {
      const ellipse = fitEllipse(points);
      if (ellipse === null) return null;
      const doc = ctx.document;
      const { runs, clipped } = replaceStructure(doc, ctx.structure, (visit) => forEachPixelInEllipse(ellipse, doc.width, doc.height, visit), ellipseBounds(ellipse));
      return { runs, fovea: null, note: `ellipse fit on ${ctx.structure}`, mergeKey: null, at: ctx.now(), clippedOutsideDisc: clipped };
    },
    preview(_ctx, points, hover) {
      if (points.length === 0) return null;
      const candidate = hover ? [...points, hover] : [...points];
      return { kind: 'ellipse', points: [...points], ellipse: fitEllipse(candidate.length >= 5 ? candidate : points) };
    },
  });
}
