// Named tensors to one binary blob and back, as float32 or float16. The index
// (names, shapes, byte offsets) goes into the JSON next to it, so a reader can
// check every entry before touching the data.
import * as tf from '@tensorflow/tfjs-core';

export type WeightDtype = 'float32' | 'float16';

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype;
  /** Byte offset in the blob. */
  readonly offset: number;
  readonly byteLength: number;
}

/** Packs tensors (read synchronously; call off the hot path) into one blob. */
export function encodeTensors(tensors: ReadonlyMap<string, tf.Tensor>, dtype: WeightDtype): { data: Uint8Array; entries: WeightEntry[] } {
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const values = tensor.dataSync() as Float32Array;
    const bytes = dtype === 'float32' ? new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) : new Uint8Array(float32ToFloat16(values).buffer);
    entries.push({ name, shape: [...tensor.shape], dtype, offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    // Keep float32 entries 4-byte aligned so they can be viewed without copying.
    const padded = Math.ceil(bytes.byteLength / 4) * 4;
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return { data, entries };
}

/**
 * Unpacks a blob. Throws a message naming the entry when the blob is shorter
 * than the index says or a size disagrees with its shape (a truncated or
 * mismatched file), so a damaged model is refused, never half-loaded.
 */
export function decodeTensors(data: Uint8Array, entries: readonly WeightEntry[], source: string): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  try {
    for (const e of entries) {
      const count = e.shape.reduce((a, b) => a * b, 1);
      const expected = count * (e.dtype === 'float32' ? 4 : 2);
      if (e.byteLength !== expected) throw new Error(`${source}: weight "${e.name}" has ${e.byteLength} bytes, its shape [${e.shape}] needs ${expected}`);
      if (e.offset < 0 || e.offset + e.byteLength > data.byteLength) {
        throw new Error(`${source}: weight "${e.name}" lies beyond the end of the file (${data.byteLength} bytes): the file is truncated`);
      }
      const bytes = data.subarray(e.offset, e.offset + e.byteLength);
      const values =
        e.dtype === 'float32'
          ? new Float32Array(bytes.slice().buffer)
          : float16ToFloat32(new Uint16Array(bytes.slice().buffer));
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i]!)) throw new Error(`${source}: weight "${e.name}" contains NaN or infinity`);
      }
      out.set(e.name, tf.tensor(values, [...e.shape], 'float32'));
    }
  } catch (error) {
    tf.dispose([...out.values()]);
    throw error;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision, round to nearest even; overflow to infinity, tiny values to subnormals/zero. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rem > mid || (rem === mid && (half & 1))) half += 1;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half += 1; // may carry into the exponent: still correct
    out[i] = sign | half;
  }
  return out;
}

export function float16ToFloat32(values: Uint16Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const h = values[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) out[i] = mant ? NaN : sign * Infinity;
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}
