// Fovea: press where the fovea is (or drag the mark there); the move is one
// change set from the old position to where the button was released.
import type { ImagePoint } from '../geometry';
import type { EditorTool } from './types';

/** Positions are kept to a tenth of a pixel: finer is noise from the pointer. */
function rounded(p: ImagePoint): ImagePoint {
  return { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
}

export function createFoveaTool(): EditorTool {
  let dragging: ImagePoint | null = null;
  return {
    id: 'fovea',
    label: 'Fovea',
    shortcut: 'f',
    hint: 'Click the fovea, or drag its mark.',
    usesStructure: false,
    pointerDown(_ctx, input) {
      dragging = rounded(input.point);
      return null;
    },
    pointerMove(_ctx, input, pressed) {
      if (pressed && dragging) dragging = rounded(input.point);
      return null;
    },
    pointerUp(ctx, input) {
      if (!dragging) return null;
      const after = rounded(input.point);
      dragging = null;
      return { runs: [], fovea: { before: ctx.document.fovea, after }, note: 'moved fovea', mergeKey: null, at: ctx.now() };
    },
    key(_ctx, key) {
      if (key === 'Escape' && dragging) {
        dragging = null;
        return { handled: true, change: null };
      }
      return { handled: false, change: null };
    },
    preview() {
      return dragging ? { kind: 'fovea', point: dragging } : null;
    },
    cancel() {
      dragging = null;
    },
  };
}
