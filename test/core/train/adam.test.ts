import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../../src-main/core/train/adam';
import { useTestBackend } from '../../helpers/backend';

beforeAll(useTestBackend);

describe('Adam', () => {
  it('takes the textbook first and second steps', () => {
    const w = tf.variable(tf.scalar(1));
    const adam = new Adam({ learningRate: 0.1 });
    // Step 1, g = 0.5: m = 0.05, v = 0.00025; m^ = 0.5, v^ = 0.25; w -= 0.1 * 0.5 / 0.5 = 0.1
    adam.apply([{ name: 'w', variable: w, grad: tf.scalar(0.5) }]);
    expect(w.dataSync()[0]).toBeCloseTo(0.9, 6);
    // Step 2, g = -1: m = 0.045 - 0.1 = -0.055; v = 0.00024975 + 0.001 = 0.00124975
    // m^ = -0.055 / 0.19 = -0.289474; v^ = 0.00124975 / 0.001999 = 0.625188; w += 0.1 * 0.289474 / 0.790688
    adam.apply([{ name: 'w', variable: w, grad: tf.scalar(-1) }]);
    expect(w.dataSync()[0]).toBeCloseTo(0.9 + (0.1 * 0.289474) / 0.790688, 5);
    expect(adam.moments('w')!.steps).toBe(2);
    adam.dispose();
    w.dispose();
  });

  it('exports and imports its state exactly', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([1, 2]));
    const first = new Adam({ learningRate: 0.01 });
    first.apply([{ name: 'x', variable: a, grad: tf.tensor1d([0.3, -0.2]) }]);
    const state = first.exportState();
    const second = new Adam({ learningRate: 0.01 });
    second.importState(state.tensors, state.steps);
    b.assign(a);
    first.apply([{ name: 'x', variable: a, grad: tf.tensor1d([0.1, 0.4]) }]);
    second.apply([{ name: 'x', variable: b, grad: tf.tensor1d([0.1, 0.4]) }]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...state.tensors.values(), a, b]);
    first.dispose();
    second.dispose();
  });
});
