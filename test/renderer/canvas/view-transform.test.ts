import { describe, expect, it } from 'vitest';
import { fitView, focusView, panBy, toImage, toScreen, zoomAt } from '../../../src-renderer/src/canvas/view-transform';

describe('view transform', () => {
  it('fits the image into the viewport, centred', () => {
    // 200x100 image into 416x316 with margin 8: scale min(400/200, 300/100) = 2, image 400x200 centred.
    expect(fitView(200, 100, 416, 316)).toEqual({ scale: 2, offsetX: 8, offsetY: 58 });
  });

  it('maps screen to image and back', () => {
    const view = { scale: 2, offsetX: 10, offsetY: 20 };
    expect(toImage(view, 30, 40)).toEqual({ x: 10, y: 10 });
    expect(toScreen(view, { x: 10, y: 10 })).toEqual({ x: 30, y: 40 });
  });

  it('zooms about the pointer: the image point under it stays', () => {
    const view = { scale: 1, offsetX: 0, offsetY: 0 };
    const zoomed = zoomAt(view, 50, 30, 4);
    expect(zoomed.scale).toBe(4);
    expect(toImage(zoomed, 50, 30)).toEqual({ x: 50, y: 30 });
  });

  it('pans by screen pixels', () => {
    expect(panBy({ scale: 3, offsetX: 1, offsetY: 2 }, 5, -2)).toEqual({ scale: 3, offsetX: 6, offsetY: 0 });
  });
});

describe('focusView', () => {
  it('centres the region and makes it span the chosen share of the smaller side, never below the fitted zoom', () => {
    const region = { x0: 1500, y0: 900, x1: 1800, y1: 1200 };
    const view = focusView(region, 2124, 2056, 1000, 800, 0.4);
    expect(view.scale).toBeCloseTo((800 * 0.4) / 300, 6);
    const centre = toScreen(view, { x: 1650, y: 1050 });
    expect(centre.x).toBeCloseTo(500, 6);
    expect(centre.y).toBeCloseTo(400, 6);
    const fitted = fitView(300, 300, 1000, 800);
    expect(focusView({ x0: 0, y0: 0, x1: 300, y1: 300 }, 300, 300, 1000, 800).scale).toBeCloseTo(fitted.scale, 6);
  });
});
