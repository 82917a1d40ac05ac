import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTensors, encodeTensors, float16ToFloat32, float32ToFloat16 } from '../../../src-main/core/model/weights-io';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);

describe('float16', () => {
  it('encodes known values bit-exactly', () => {
    const halves = float32ToFloat16(new Float32Array([1, -2, 65504, 0.1, 0, 1e-8, 70000, 6.103515625e-5, 5.960464477539063e-8]));
    expect([...halves].map((h) => h.toString(16))).toEqual(['3c00', 'c000', '7bff', '2e66', '0', '0', '7c00', '400', '1']);
  });

  it('round-trips within half precision', () => {
    const values = new Float32Array([0.123456, -3.14159, 1000.5, 1e-3, -7e-6]);
    const back = float16ToFloat32(float32ToFloat16(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 6e-8));
  });
});

describe('tensor blobs', () => {
  it('round-trips float32 exactly and refuses a truncated blob', () => {
    const tensors = new Map<string, tf.Tensor>([
      ['a', tf.tensor2d([[1, 2, 3], [4, 5, 6]])],
      ['b', tf.tensor1d([0.5])],
    ]);
    const { data, entries } = encodeTensors(tensors, 'float32');
    const back = decodeTensors(data, entries, 'w.bin');
    expect(back.get('a')!.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(back.get('b')!.shape).toEqual([1]);
    expect(() => decodeTensors(data.subarray(0, data.byteLength - 4), entries, 'w.bin')).toThrow(/w\.bin: weight "b" lies beyond the end of the file/);
    tf.dispose([...tensors.values(), ...back.values()]);
  });

  it('keeps float16 entries 4-byte aligned', () => {
    const tensors = new Map<string, tf.Tensor>([
      ['odd', tf.tensor1d([1, 2, 3])],
      ['next', tf.tensor1d([4])],
    ]);
    const { entries } = encodeTensors(tensors, 'float16');
    expect(entries[1]!.offset % 4).toBe(0);
    tf.dispose([...tensors.values()]);
  });
});
