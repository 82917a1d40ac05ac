// The polar transformation of M-Net (Fu et al., IEEE TMI 2018) for the
// disc-crop network: the crop, centred on the disc, is resampled so that rows
// are the distance from the centre and columns the angle. Disc and cup become
// horizontal bands stacked from the top, their boundaries near-horizontal lines
// whose height is the cup's and disc's radius at that angle. The network sees
// the cup as a layer under the disc everywhere, not a blob whose size it must
// guess; and the small cup takes a larger share of the pixels.
//
// Both warps are bilinear lookups into the other image, written as one gather
// and a weighted sum, so the gradient flows through them and the loss can stay
// in Cartesian space (the masks, metrics and everything after the network are
// unchanged).
import * as tf from '@tensorflow/tfjs-core';

/** Four source pixels per target pixel and their bilinear weights, target-major: entry 4t+k is corner k of target t. */
export interface SamplingTable {
  readonly size: number;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
}

/** Bilinear sampling of a size x size image at `at(t)` for each of its size x size targets; columns wrap round if `wrapCols`. */
function bilinear(size: number, wrapCols: boolean, at: (t: number) => { row: number; col: number }): SamplingTable {
  const targets = size * size;
  const indices = new Int32Array(targets * 4);
  const weights = new Float32Array(targets * 4);
  const clamp = (v: number): number => Math.min(size - 1, Math.max(0, v));
  const wrap = (v: number): number => ((v % size) + size) % size;
  for (let t = 0; t < targets; t++) {
    const { row, col } = at(t);
    const r = clamp(row);
    const r0 = Math.min(size - 2, Math.floor(r));
    const fr = r - r0;
    const c = wrapCols ? col : clamp(col);
    const c0 = Math.floor(c);
    const fc = c - c0;
    const cols = wrapCols ? [wrap(c0), wrap(c0 + 1)] : [Math.min(size - 1, c0), Math.min(size - 1, c0 + 1)];
    const corners: Array<[number, number, number]> = [
      [r0, cols[0]!, (1 - fr) * (1 - fc)],
      [r0, cols[1]!, (1 - fr) * fc],
      [r0 + 1, cols[0]!, fr * (1 - fc)],
      [r0 + 1, cols[1]!, fr * fc],
    ];
    corners.forEach(([y, x, w], k) => {
      indices[4 * t + k] = y * size + x;
      weights[4 * t + k] = w;
    });
  }
  return { size, indices, weights };
}

/**
 * Cartesian crop -> polar image, both size x size. Polar row i is the radius
 * (i + 0.5) / size of the inscribed circle's (0 at the centre, the crop's edge
 * at the bottom); column j the angle 2 pi j / size, counter-clockwise from the
 * right in image coordinates (y down).
 */
export function toPolarTable(size: number): SamplingTable {
  const half = size / 2;
  return bilinear(size, false, (t) => {
    const i = Math.floor(t / size);
    const j = t % size;
    const rho = ((i + 0.5) / size) * half;
    const theta = (2 * Math.PI * j) / size;
    // Pixel centres sit at index + 0.5; the crop's centre is at `half`.
    return { row: half + rho * Math.sin(theta) - 0.5, col: half + rho * Math.cos(theta) - 0.5 };
  });
}

/**
 * Polar image -> Cartesian crop (the inverse of toPolarTable). The angle wraps
 * round; beyond the inscribed circle (the crop's corners) the outermost polar
 * row is repeated: the crop's edge, two disc radii out, is background.
 */
export function fromPolarTable(size: number): SamplingTable {
  const half = size / 2;
  return bilinear(size, true, (t) => {
    const y = Math.floor(t / size);
    const x = t % size;
    const dx = x + 0.5 - half;
    const dy = y + 0.5 - half;
    const rho = Math.hypot(dx, dy);
    const theta = (Math.atan2(dy, dx) + 2 * Math.PI) % (2 * Math.PI);
    return { row: (rho / half) * size - 0.5, col: (theta / (2 * Math.PI)) * size };
  });
}

/** The tables as tensors, built once per size and kept (they are constants of the network). */
const tensors = new Map<string, { indices: tf.Tensor1D; weights: tf.Tensor4D }>();

function tableTensors(direction: 'to' | 'from', size: number): { indices: tf.Tensor1D; weights: tf.Tensor4D } {
  const key = `${direction}:${size}`;
  let entry = tensors.get(key);
  if (!entry) {
    const table = direction === 'to' ? toPolarTable(size) : fromPolarTable(size);
    entry = {
      indices: tf.keep(tf.tensor1d(table.indices, 'int32')),
      // [1, targets, 4, 1]: broadcast over batch and channels.
      weights: tf.keep(tf.tensor4d(table.weights, [1, size * size, 4, 1])),
    };
    tensors.set(key, entry);
  }
  return entry;
}

function warp(x: tf.Tensor4D, direction: 'to' | 'from'): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  if (height !== width) throw new Error(`polar warp needs a square input, got [${x.shape}]`);
  const { indices, weights } = tableTensors(direction, height);
  return tf.tidy(() => {
    const flat = tf.reshape(x, [batch, height * width, channels]);
    const corners = tf.reshape(tf.gather(flat, indices, 1), [batch, height * width, 4, channels]);
    return tf.reshape(tf.sum(tf.mul(corners, weights), 2), [batch, height, width, channels]) as tf.Tensor4D;
  });
}

/** [B,S,S,C] Cartesian crops centred on the disc -> their polar images. */
export function toPolar(x: tf.Tensor4D): tf.Tensor4D {
  return warp(x, 'to');
}

/** [B,S,S,C] polar maps (e.g. logits) -> Cartesian. */
export function fromPolar(x: tf.Tensor4D): tf.Tensor4D {
  return warp(x, 'from');
}
