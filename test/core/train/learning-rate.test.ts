// The learning-rate schedule: constant (the paper), cosine down to zero at the last
// step, and a linear warm-up in front of either.
import { describe, expect, it } from 'vitest';
import { scheduledLearningRate } from '../../../src-main/core/train/loop';

describe('scheduledLearningRate', () => {
  it('keeps the rate constant, or lowers it along a cosine from the first step to zero at the last', () => {
    expect(scheduledLearningRate(1e-3, 'constant', 37, 100)).toBe(1e-3);
    expect(scheduledLearningRate(1e-3, 'cosine', 0, 101)).toBeCloseTo(1e-3, 12);
    expect(scheduledLearningRate(1e-3, 'cosine', 50, 101)).toBeCloseTo(5e-4, 12);
    expect(scheduledLearningRate(1e-3, 'cosine', 100, 101)).toBeCloseTo(0, 12);
  });

  it('with a warm-up, rises linearly to the full rate over its steps, then runs the schedule over the rest', () => {
    expect(scheduledLearningRate(1e-3, 'cosine', 0, 110, 10)).toBeCloseTo(1e-4, 12);
    expect(scheduledLearningRate(1e-3, 'cosine', 4, 110, 10)).toBeCloseTo(5e-4, 12);
    expect(scheduledLearningRate(1e-3, 'cosine', 9, 110, 10)).toBeCloseTo(1e-3, 12);
    // The cosine starts where the warm-up ends and still reaches zero at the last step.
    expect(scheduledLearningRate(1e-3, 'cosine', 10, 110, 10)).toBeCloseTo(1e-3, 12);
    expect(scheduledLearningRate(1e-3, 'cosine', 109, 110, 10)).toBeCloseTo(0, 12);
    expect(scheduledLearningRate(1e-3, 'constant', 3, 110, 10)).toBeCloseTo(4e-4, 12);
    expect(scheduledLearningRate(1e-3, 'constant', 50, 110, 10)).toBe(1e-3);
  });
});
