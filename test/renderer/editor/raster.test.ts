import { describe, expect, it } from 'vitest';
import { conicToEllipse, fitEllipse, forEachPixelInCapsule, forEachPixelInEllipse, forEachPixelInPolygon } from '../../../src-renderer/src/editor/raster';
import { textFromLabels } from './helpers';

function draw(width: number, height: number, fill: (visit: (i: number) => void) => void): string[] {
  const out = new Uint8Array(width * height);
  fill((i) => (out[i] = 1));
  return textFromLabels(out, width);
}

describe('brush rasterisation', () => {
  it('a dab covers the pixels whose centres lie within the radius', () => {
    // Centre (2.5, 2.5) = centre of pixel (2, 2); radius 1 reaches the 4-neighbours' centres exactly.
    expect(draw(5, 5, (v) => forEachPixelInCapsule({ x: 2.5, y: 2.5 }, { x: 2.5, y: 2.5 }, 1, 5, 5, v))).toEqual([
      '.....',
      '..r..',
      '.rrr.',
      '..r..',
      '.....',
    ]);
  });

  it('a stroke covers the capsule between two positions without gaps', () => {
    expect(draw(7, 3, (v) => forEachPixelInCapsule({ x: 1.5, y: 1.5 }, { x: 5.5, y: 1.5 }, 0.5, 7, 3, v))).toEqual(['.......', '.rrrrr.', '.......']);
  });

  it('clips at the image border', () => {
    const visited: number[] = [];
    forEachPixelInCapsule({ x: 0, y: 0 }, { x: 0, y: 0 }, 1.6, 3, 3, (i) => visited.push(i));
    expect(visited.sort()).toEqual([0, 1, 3]);
  });
});

describe('polygon rasterisation', () => {
  it('fills the pixels whose centres are inside', () => {
    const square = [
      { x: 1, y: 1 },
      { x: 4, y: 1 },
      { x: 4, y: 3 },
      { x: 1, y: 3 },
    ];
    expect(draw(5, 4, (v) => forEachPixelInPolygon(square, 5, 4, v))).toEqual(['.....', '.rrr.', '.rrr.', '.....']);
  });

  it('a triangle, counted by hand', () => {
    const triangle = [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 0, y: 4 },
    ];
    // Row centre y=0.5: x < 3.5 -> pixels 0..2; y=1.5: x < 2.5; y=2.5: < 1.5; y=3.5: < 0.5.
    expect(draw(4, 4, (v) => forEachPixelInPolygon(triangle, 4, 4, v))).toEqual(['rrr.', 'rr..', 'r...', '....']);
  });
});

describe('ellipses', () => {
  it('rasterises an axis-aligned ellipse', () => {
    expect(draw(7, 5, (v) => forEachPixelInEllipse({ cx: 3.5, cy: 2.5, rx: 3, ry: 1, angle: 0 }, 7, 5, v))).toEqual([
      '.......',
      '...r...',
      'rrrrrrr',
      '...r...',
      '.......',
    ]);
  });

  it('fits the ellipse through points on its outline', () => {
    const truth = { cx: 120, cy: 80, rx: 40, ry: 25, angle: 0.4 };
    const points = Array.from({ length: 9 }, (_, k) => {
      const t = (k / 9) * 2 * Math.PI;
      const u = truth.rx * Math.cos(t);
      const v = truth.ry * Math.sin(t);
      return { x: truth.cx + u * Math.cos(truth.angle) - v * Math.sin(truth.angle), y: truth.cy + u * Math.sin(truth.angle) + v * Math.cos(truth.angle) };
    });
    const fit = fitEllipse(points)!;
    expect(fit.cx).toBeCloseTo(120, 6);
    expect(fit.cy).toBeCloseTo(80, 6);
    expect(fit.rx).toBeCloseTo(40, 6);
    expect(fit.ry).toBeCloseTo(25, 6);
    expect(fit.angle).toBeCloseTo(0.4, 6);
  });

  it('gives no ellipse for too few or collinear points', () => {
    expect(fitEllipse([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 0 }, { x: 3, y: 1 }])).toBeNull();
    expect(fitEllipse([0, 1, 2, 3, 4, 5].map((k) => ({ x: k, y: 2 * k })))).toBeNull();
  });

  it('reads a circle x^2 + y^2 - 4 = 0 (and its negation) as radius 2', () => {
    for (const s of [1, -1]) {
      const e = conicToEllipse(s, 0, s, 0, 0, -4 * s)!;
      expect(e.rx).toBeCloseTo(2, 12);
      expect(e.ry).toBeCloseTo(2, 12);
    }
    expect(conicToEllipse(1, 0, -1, 0, 0, -1)).toBeNull();
  });
});
