// Zoom and pan of the case image: screen = image * scale + offset. Pure, so
// the mapping the tools rely on (pointer -> image pixel) is unit-tested.
import type { ImagePoint } from '../editor/geometry';

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;

export interface ViewState {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

/** The whole image centred in the viewport with a small margin. */
export function fitView(imageWidth: number, imageHeight: number, viewWidth: number, viewHeight: number, margin = 8): ViewState {
  const scale = clampScale(Math.min((viewWidth - 2 * margin) / imageWidth, (viewHeight - 2 * margin) / imageHeight));
  return { scale, offsetX: (viewWidth - imageWidth * scale) / 2, offsetY: (viewHeight - imageHeight * scale) / 2 };
}

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0) return 1;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

export function toImage(view: ViewState, screenX: number, screenY: number): ImagePoint {
  return { x: (screenX - view.offsetX) / view.scale, y: (screenY - view.offsetY) / view.scale };
}

export function toScreen(view: ViewState, p: ImagePoint): { x: number; y: number } {
  return { x: p.x * view.scale + view.offsetX, y: p.y * view.scale + view.offsetY };
}

/** Zooms by `factor` keeping the image point under (screenX, screenY) where it is. */
export function zoomAt(view: ViewState, screenX: number, screenY: number, factor: number): ViewState {
  const scale = clampScale(view.scale * factor);
  const anchor = toImage(view, screenX, screenY);
  return { scale, offsetX: screenX - anchor.x * scale, offsetY: screenY - anchor.y * scale };
}

export function panBy(view: ViewState, dx: number, dy: number): ViewState {
  return { scale: view.scale, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

/**
 * Centred on a region (the detected disc) so that it spans `fraction` of the
 * viewport's smaller side; never less zoomed-in than the whole image fitted.
 */
export function focusView(
  region: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number },
  imageWidth: number,
  imageHeight: number,
  viewWidth: number,
  viewHeight: number,
  fraction = 0.4,
): ViewState {
  const fitted = fitView(imageWidth, imageHeight, viewWidth, viewHeight);
  const side = Math.max(region.x1 - region.x0, region.y1 - region.y0, 1);
  const scale = clampScale(Math.max(fitted.scale, (Math.min(viewWidth, viewHeight) * fraction) / side));
  const cx = (region.x0 + region.x1) / 2;
  const cy = (region.y0 + region.y1) / 2;
  return { scale, offsetX: viewWidth / 2 - cx * scale, offsetY: viewHeight / 2 - cy * scale };
}
