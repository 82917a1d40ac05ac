import { describe, expect, it } from 'vitest';
import { letterbox, mapToOriginal, mapToOriginalMask, toModel, toOriginal } from '../../../src-main/core/geometry/letterbox';
import { threshold } from '../../../src-main/core/masks/threshold';
import type { FloatMap } from '../../../src-main/core/types';

describe('letterbox', () => {
  it('pads REFUGE training images (2124x2056) top and bottom', () => {
    expect(letterbox({ width: 2124, height: 2056 }, 256)).toEqual({
      original: { width: 2124, height: 2056 },
      inputSize: 256,
      side: 2124,
      padX: 0,
      padY: 34,
      scale: 256 / 2124,
    });
  });

  it('does not pad square validation/test images (1634x1634)', () => {
    const lb = letterbox({ width: 1634, height: 1634 }, 256);
    expect([lb.side, lb.padX, lb.padY, lb.scale]).toEqual([1634, 0, 0, 256 / 1634]);
  });

  it('puts the odd pixel of padding on the right/bottom', () => {
    const lb = letterbox({ width: 10, height: 5 }, 8);
    // 10 - 5 = 5 rows of padding: 2 above, 3 below.
    expect([lb.padX, lb.padY]).toEqual([0, 2]);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => letterbox({ width: 0, height: 5 }, 8)).toThrow(/positive integers/);
    expect(() => letterbox({ width: 5, height: 5 }, 2.5)).toThrow(/input size/);
  });
});

describe('toModel / toOriginal', () => {
  it.each([
    [2124, 2056],
    [1634, 1634],
  ])('round-trips points of a %ix%i image', (width, height) => {
    const lb = letterbox({ width, height }, 256);
    for (const p of [
      { x: 0, y: 0 },
      { x: width - 1, y: height - 1 },
      { x: 1057.25, y: 1003.5 },
      { x: -0.5, y: -0.5 },
    ]) {
      const back = toOriginal(lb, toModel(lb, p));
      expect(back.x).toBeCloseTo(p.x, 9);
      expect(back.y).toBeCloseTo(p.y, 9);
    }
    const m = { x: 17.3, y: 200.9 };
    const again = toModel(lb, toOriginal(lb, m));
    expect(again.x).toBeCloseTo(m.x, 9);
    expect(again.y).toBeCloseTo(m.y, 9);
  });

  it('maps pixel edges to pixel edges and the padded square centre to the model centre (half-pixel centres)', () => {
    const lb = letterbox({ width: 2124, height: 2056 }, 256);
    // Left edge of the image (x = -0.5) is the left edge of the model input.
    expect(toModel(lb, { x: -0.5, y: -0.5 - 34 })).toEqual({ x: -0.5, y: -0.5 });
    // Right/bottom edge of the padded square is the model's right/bottom edge.
    const corner = toModel(lb, { x: 2123.5, y: 2123.5 - 34 });
    expect(corner.x).toBeCloseTo(255.5, 9);
    expect(corner.y).toBeCloseTo(255.5, 9);
    // Top-left pixel of the image: (0 + 0.5) * 256/2124 - 0.5.
    expect(toModel(lb, { x: 0, y: 0 }).x).toBeCloseTo(0.5 * (256 / 2124) - 0.5, 12);
    expect(toModel(lb, { x: 0, y: 0 }).y).toBeCloseTo(34.5 * (256 / 2124) - 0.5, 12);
  });
});

describe('mapToOriginal', () => {
  it('crops the padding when no resize is involved', () => {
    // 4x2 image in a 4x4 input: padY = 1, scale = 1, rows 1 and 2 are the image.
    const lb = letterbox({ width: 4, height: 2 }, 4);
    const map: FloatMap = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => i) };
    const out = mapToOriginal(lb, map);
    expect([out.width, out.height]).toEqual([4, 2]);
    expect(Array.from(out.data)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('interpolates bilinearly with half-pixel centres', () => {
    // 2x1 image, input 4: side 2, padY 0 (floor of 1/2), scale 2. Original (0, 0)
    // reads model (0.5, 0.5): the mean of model pixels (0,0), (1,0), (0,1), (1,1).
    const lb = letterbox({ width: 2, height: 1 }, 4);
    const map: FloatMap = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => i) };
    const out = mapToOriginal(lb, map);
    expect(Array.from(out.data)).toEqual([(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4]);
  });

  it('rejects a map of the wrong size', () => {
    const lb = letterbox({ width: 4, height: 2 }, 4);
    expect(() => mapToOriginal(lb, { width: 3, height: 3, data: new Float32Array(9) })).toThrow(/expects 4x4/);
    expect(() => mapToOriginal(lb, { width: 4, height: 4, data: new Float32Array(16) }, { width: 5, height: 2 })).toThrow(/differs/);
  });
});

describe('mapToOriginalMask', () => {
  // A blurred blob off-centre, as a disc probability map looks.
  function blob(n: number, cx: number, cy: number, r: number): FloatMap {
    const data = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = 1 / (1 + Math.exp(Math.hypot(x - cx, y - cy) - r));
    return { width: n, height: n, data };
  }

  it('equals threshold(mapToOriginal(...)) pixel for pixel at REFUGE size', () => {
    const lb = letterbox({ width: 2124, height: 2056 }, 256);
    const map = blob(256, 190.3, 120.7, 14);
    const full = threshold(mapToOriginal(lb, map), 0.5);
    const fast = mapToOriginalMask(lb, map, 0.5);
    expect(Buffer.from(fast.data).equals(Buffer.from(full.data))).toBe(true);
    expect(full.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000);
  });

  it('matches at the image border and for an empty map', () => {
    const lb = letterbox({ width: 300, height: 200 }, 64);
    const edge = blob(64, 0, 63, 6);
    expect(Buffer.from(mapToOriginalMask(lb, edge).data).equals(Buffer.from(threshold(mapToOriginal(lb, edge)).data))).toBe(true);
    const none = mapToOriginalMask(lb, { width: 64, height: 64, data: new Float32Array(64 * 64) });
    expect(none.data.every((v) => v === 0)).toBe(true);
  });
});

describe('mapToOriginal parity with TensorFlow.js', () => {
  it('equals resizing to side x side with tf.image.resizeBilinear(halfPixelCenters) and cropping', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const lb = letterbox({ width: 131, height: 114 }, 64);
    let seed = 3;
    const data = Float32Array.from({ length: 64 * 64 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const ours = mapToOriginal(lb, { width: 64, height: 64, data });
    const theirs = tf.tidy(() => {
      const big = tf.image.resizeBilinear(tf.tensor4d(data, [1, 64, 64, 1]), [lb.side, lb.side], false, true);
      return tf.slice(big, [0, lb.padY, lb.padX, 0], [1, 114, 131, 1]).dataSync();
    });
    expect(Array.from(ours.data)).toEqual(Array.from(theirs));
  });
});
