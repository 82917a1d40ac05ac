import { describe, expect, it } from 'vitest';
import { resizeFloatBilinear, resizeMaskNearest } from '../../../src-main/core/masks/resample';
import { maskFromRows, rowsFromMask } from './ascii-mask';

describe('resizeFloatBilinear', () => {
  it('upsamples with half-pixel centres, repeating the edges', () => {
    // Output centres map to source x = -0.25, 0.25, 0.75, 1.25.
    const out = resizeFloatBilinear({ width: 2, height: 1, data: new Float32Array([0, 1]) }, 4, 1);
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('interpolates in both directions', () => {
    // 2x2 -> 3x3: centres at source -1/6, 0.5, 7/6 on each axis.
    const out = resizeFloatBilinear({ width: 2, height: 2, data: new Float32Array([0, 1, 2, 3]) }, 3, 3);
    expect(out.data[4]).toBeCloseTo(1.5, 6); // centre: mean of all four
    expect(out.data[0]).toBeCloseTo(0, 6);
    expect(out.data[1]).toBeCloseTo(0.5, 6);
    expect(out.data[8]).toBeCloseTo(3, 6);
  });

  it('is the identity at the same size and averages pairs when halving', () => {
    const map = { width: 4, height: 1, data: new Float32Array([1, 3, 5, 9]) };
    expect(Array.from(resizeFloatBilinear(map, 4, 1).data)).toEqual([1, 3, 5, 9]);
    // Halving: centres at 0.5 and 2.5.
    expect(Array.from(resizeFloatBilinear(map, 2, 1).data)).toEqual([2, 7]);
  });
});

describe('resizeMaskNearest', () => {
  it('doubles each pixel when upsampling by 2', () => {
    const mask = maskFromRows(['#.', '.#']);
    expect(rowsFromMask(resizeMaskNearest(mask, 4, 4))).toEqual(['##..', '##..', '..##', '..##']);
  });

  it('picks floor((i + 0.5) * scale) when shrinking', () => {
    // 5 -> 2: i = 0 reads floor(1.25) = 1, i = 1 reads floor(3.75) = 3.
    const mask = maskFromRows(['.#.#.']);
    expect(rowsFromMask(resizeMaskNearest(mask, 2, 1))).toEqual(['##']);
    const other = maskFromRows(['#.#.#']);
    expect(rowsFromMask(resizeMaskNearest(other, 2, 1))).toEqual(['..']);
  });
});

describe('parity with TensorFlow.js (the pre-processing resizes with tf)', () => {
  it('matches tf.image.resizeBilinear / resizeNearestNeighbor (halfPixelCenters) exactly', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    let seed = 1;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const [sw, sh, dw, dh] of [
      [7, 5, 20, 13],
      [64, 64, 17, 23],
      [5, 9, 2, 4],
    ] as const) {
      const data = Float32Array.from({ length: sw * sh }, random);
      const ours = resizeFloatBilinear({ width: sw, height: sh, data }, dw, dh).data;
      const theirs = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(data, [1, sh, sw, 1]), [dh, dw], false, true).dataSync());
      expect(Array.from(ours)).toEqual(Array.from(theirs));
      const mask = Uint8Array.from({ length: sw * sh }, () => (random() < 0.5 ? 1 : 0));
      const near = resizeMaskNearest({ width: sw, height: sh, data: mask }, dw, dh).data;
      const tfNear = tf.tidy(() =>
        tf.image.resizeNearestNeighbor(tf.tensor4d(Float32Array.from(mask), [1, sh, sw, 1]), [dh, dw], false, true).dataSync(),
      );
      expect(Array.from(near)).toEqual(Array.from(tfNear));
    }
  });
});
