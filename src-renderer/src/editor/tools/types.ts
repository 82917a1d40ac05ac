// What an editing tool is. Tools are objects registered by id (see
// registry.ts); the editor forwards pointer and key input in image
// coordinates and commits the change sets a tool returns. A tool never writes
// the labels itself, so every edit goes through the undo stack.
import type { ChangeSet } from '../change-set';
import type { AnnotationDocument } from '../document';
import type { ImagePoint } from '../geometry';
import type { Structure } from '../labels';
import type { Ellipse } from '../raster';

export type ToolId = 'brush' | 'eraser' | 'polygon' | 'ellipse' | 'fovea';

export interface ToolContext {
  readonly document: AnnotationDocument;
  readonly structure: Structure;
  /** Brush radius in image pixels. */
  readonly brushRadius: number;
  /** A few screen pixels in image pixels at the current zoom: how near a click must be to a vertex to hit it. */
  readonly pickRadius: number;
  /** Clock for change-set timestamps (injected so tests control merging). */
  now(): number;
}

export interface PointerInput {
  readonly point: ImagePoint;
  /** 1 for a single click, 2 for the second click of a double click. */
  readonly clicks: number;
}

/** What the canvas draws on top of the image for the tool in use. */
export type ToolPreview =
  | { readonly kind: 'brush'; readonly center: ImagePoint; readonly radius: number; readonly erase: boolean }
  | { readonly kind: 'polygon'; readonly points: readonly ImagePoint[]; readonly cursor: ImagePoint | null; readonly closable: boolean }
  | { readonly kind: 'ellipse'; readonly points: readonly ImagePoint[]; readonly ellipse: Ellipse | null }
  | { readonly kind: 'fovea'; readonly point: ImagePoint };

export interface EditorTool {
  readonly id: ToolId;
  /** Name in the tool bar. */
  readonly label: string;
  /** Keyboard shortcut (one lowercase key). */
  readonly shortcut: string;
  /** One line for the tool bar's hint. */
  readonly hint: string;
  /** Whether the disc/cup choice applies. */
  readonly usesStructure: boolean;
  pointerDown(ctx: ToolContext, input: PointerInput): ChangeSet | null;
  /** `pressed`: whether the primary button is down (a drag) or not (a hover). */
  pointerMove(ctx: ToolContext, input: PointerInput, pressed: boolean): ChangeSet | null;
  pointerUp(ctx: ToolContext, input: PointerInput): ChangeSet | null;
  /** Enter, Escape, Backspace while the tool is in use; `handled` says whether the key was consumed. */
  key(ctx: ToolContext, key: string): { readonly handled: boolean; readonly change: ChangeSet | null };
  preview(ctx: ToolContext, hover: ImagePoint | null): ToolPreview | null;
  /** Drops any half-drawn shape (tool switch, case switch). */
  cancel(): void;
}
