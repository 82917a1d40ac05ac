import { describe, expect, it } from 'vitest';
import { traceContours } from '../../../src-main/core/masks/contours';
import { conicToEllipse, ellipseFromMask, ellipseToMask, fitEllipse } from '../../../src-main/core/masks/ellipse';
import { area } from '../../../src-main/core/masks/measure';
import { rowsFromMask } from './ascii-mask';

function pointsOn(cx: number, cy: number, rx: number, ry: number, angle: number, n: number, from = 0, to = 2 * Math.PI) {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return Array.from({ length: n }, (_, i) => {
    const t = from + ((to - from) * i) / n;
    const u = rx * Math.cos(t);
    const v = ry * Math.sin(t);
    return { x: cx + u * cos - v * sin, y: cy + u * sin + v * cos };
  });
}

describe('fitEllipse', () => {
  it('recovers a rotated ellipse from points on it', () => {
    const fit = fitEllipse(pointsOn(412.5, 230.25, 80, 45, 0.6, 40))!;
    expect(fit.cx).toBeCloseTo(412.5, 6);
    expect(fit.cy).toBeCloseTo(230.25, 6);
    expect(fit.rx).toBeCloseTo(80, 6);
    expect(fit.ry).toBeCloseTo(45, 6);
    expect(fit.angle).toBeCloseTo(0.6, 6);
  });

  it('reports the major axis as rx with the angle in (-pi/2, pi/2]', () => {
    // Given with rx < ry: the same ellipse is rx = 30 along angle 0.2 + pi/2 - pi.
    const fit = fitEllipse(pointsOn(0, 0, 20, 30, 0.2, 12))!;
    expect(fit.rx).toBeCloseTo(30, 6);
    expect(fit.ry).toBeCloseTo(20, 6);
    expect(fit.angle).toBeCloseTo(0.2 + Math.PI / 2 - Math.PI, 6);
  });

  it('fits a partial arc with noise', () => {
    let seed = 7;
    const noise = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    const points = pointsOn(100, 80, 50, 30, -0.3, 60, 0, 1.3 * Math.PI).map((p) => ({ x: p.x + 0.2 * noise(), y: p.y + 0.2 * noise() }));
    const fit = fitEllipse(points)!;
    expect(Math.abs(fit.cx - 100)).toBeLessThan(1);
    expect(Math.abs(fit.cy - 80)).toBeLessThan(1);
    expect(Math.abs(fit.rx - 50)).toBeLessThan(1);
    expect(Math.abs(fit.ry - 30)).toBeLessThan(1);
    expect(Math.abs(fit.angle + 0.3)).toBeLessThan(0.02);
  });

  it('fits the outline traced from a rasterised ellipse', () => {
    const mask = ellipseToMask(60, 50, 40, 25, 0.4, 128, 100);
    const fit = fitEllipse(traceContours(mask)[0]!)!;
    expect(Math.abs(fit.cx - 60)).toBeLessThan(0.3);
    expect(Math.abs(fit.cy - 50)).toBeLessThan(0.3);
    expect(Math.abs(fit.rx - 40)).toBeLessThan(0.7);
    expect(Math.abs(fit.ry - 25)).toBeLessThan(0.7);
    expect(Math.abs(fit.angle - 0.4)).toBeLessThan(0.02);
  });

  it('returns null for too few or collinear points', () => {
    expect(fitEllipse(pointsOn(0, 0, 5, 3, 0, 4))).toBeNull();
    expect(fitEllipse(Array.from({ length: 10 }, (_, i) => ({ x: i, y: 2 * i })))).toBeNull();
  });
});

describe('conicToEllipse', () => {
  it('reads an axis-aligned conic', () => {
    // (x-1)^2/4 + (y+2)^2/1 = 1  ->  x^2 + 4y^2 - 2x + 16y + 13 = 0 (times 4: x^2 - 2x + 1 + 4y^2 + 16y + 16 - 4)
    const e = conicToEllipse([1, 0, 4, -2, 16, 13])!;
    expect(e).toEqual({ cx: 1, cy: -2, rx: 2, ry: 1, angle: 0 });
  });

  it('rejects a hyperbola', () => {
    expect(conicToEllipse([1, 0, -1, 0, 0, -1])).toBeNull();
  });
});

describe('ellipseToMask', () => {
  it('rasterises by pixel centres', () => {
    // rx = 2, ry = 1 at (2, 1): centres with ((x-2)/2)^2 + (y-1)^2 <= 1.
    expect(rowsFromMask(ellipseToMask(2, 1, 2, 1, 0, 5, 3))).toEqual(['..#..', '#####', '..#..']);
  });

  it('has about the area pi * rx * ry', () => {
    const mask = ellipseToMask(100, 100, 60, 35, 1.1, 200, 200);
    expect(Math.abs(area(mask) / (Math.PI * 60 * 35) - 1)).toBeLessThan(0.01);
  });
});

describe('ellipseFromMask', () => {
  it('recovers a filled ellipse from its moments', () => {
    const fit = ellipseFromMask(ellipseToMask(70, 60, 50, 30, -0.7, 150, 120))!;
    expect(fit.cx).toBeCloseTo(70, 1);
    expect(fit.cy).toBeCloseTo(60, 1);
    expect(Math.abs(fit.rx - 50)).toBeLessThan(0.3);
    expect(Math.abs(fit.ry - 30)).toBeLessThan(0.3);
    expect(Math.abs(fit.angle + 0.7)).toBeLessThan(0.01);
  });

  it('is null for an empty mask', () => {
    expect(ellipseFromMask({ width: 2, height: 2, data: new Uint8Array(4) })).toBeNull();
  });
});
