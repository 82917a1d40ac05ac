// Brush and eraser: each pointer move paints (or erases) the capsule between
// the previous and the current position, so fast strokes leave no gaps. All
// dabs of one stroke share a merge key: one stroke is one undo step.
import { LabelChangeBuilder, type ChangeSet } from '../change-set';
import type { ImagePoint } from '../geometry';
import { clippedByDisc, erased, painted } from '../labels';
import { forEachPixelInCapsule } from '../raster';
import type { EditorTool, ToolContext } from './types';

export function createStrokeTool(mode: 'paint' | 'erase'): EditorTool {
  const id = mode === 'paint' ? 'brush' : 'eraser';
  let last: ImagePoint | null = null;
  let stroke = 0;

  function dab(ctx: ToolContext, from: ImagePoint, to: ImagePoint): ChangeSet | null {
    const doc = ctx.document;
    const builder = new LabelChangeBuilder(doc.labels);
    const structure = ctx.structure;
    const change = mode === 'paint' ? (v: number) => painted(v, structure) : (v: number) => erased(v, structure);
    let clipped = 0;
    forEachPixelInCapsule(from, to, ctx.brushRadius, doc.width, doc.height, (i) => {
      if (mode === 'paint' && clippedByDisc(builder.get(i), structure)) clipped++;
      else builder.update(i, change);
    });
    if (builder.size === 0 && clipped === 0) return null;
    // A change set with only clipped pixels changes nothing (the document ignores it) but still carries the count.
    return { runs: builder.runs(), fovea: null, note: `${id} on ${structure}`, mergeKey: `${id}:${stroke}`, at: ctx.now(), clippedOutsideDisc: clipped };
  }

  return {
    id,
    label: mode === 'paint' ? 'Brush' : 'Eraser',
    shortcut: mode === 'paint' ? 'b' : 'e',
    hint: mode === 'paint' ? 'Drag to paint the chosen structure (the cup stays inside the disc); [ and ] change the size.' : 'Drag to erase the chosen structure; erasing the disc erases the cup there too.',
    usesStructure: true,
    pointerDown(ctx, input) {
      stroke++;
      last = input.point;
      return dab(ctx, input.point, input.point);
    },
    pointerMove(ctx, input, pressed) {
      if (!pressed || last === null) return null;
      const from = last;
      last = input.point;
      return dab(ctx, from, input.point);
    },
    pointerUp() {
      last = null;
      return null;
    },
    key() {
      return { handled: false, change: null };
    },
    preview(ctx, hover) {
      return hover ? { kind: 'brush', center: hover, radius: ctx.brushRadius, erase: mode === 'erase' } : null;
    },
    cancel() {
      last = null;
    },
  };
}
