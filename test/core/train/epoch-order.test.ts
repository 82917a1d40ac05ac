// An epoch's order: a plain shuffle by default (unchanged for existing runs), and
// with class balance, glaucomatous and normal eyes about equally often, the
// epoch's length kept, the smaller class repeated in rounds.
import { describe, expect, it } from 'vitest';
import { epochOrder } from '../../../src-main/core/train/loop';
import type { TrainingExample } from '../../../src-main/core/train/example';
import { syntheticExample } from '../../helpers/examples';

// 14 glaucomatous, 6 normal: the 70/30 of Drishti-GS1.
const train: TrainingExample[] = Array.from({ length: 20 }, (_, i) => syntheticExample(`e${i}`, 16, { cx: 8, cy: 8, r: 3, glaucoma: i < 14 ? 1 : 0 }));
const normals = (order: readonly number[]) => order.filter((i) => train[i]!.glaucoma === 0).length;

describe('epochOrder', () => {
  it('shuffles every example once without balance', () => {
    const order = epochOrder(train, 3, 0, false);
    expect([...order].sort((a, b) => a - b)).toEqual(train.map((_, i) => i));
    expect(order).toEqual(epochOrder(train, 3, 0, false));
    expect(order).not.toEqual(epochOrder(train, 3, 1, false));
  });

  it('draws normal eyes about as often as glaucomatous ones with balance, at the same length', () => {
    let total = 0;
    for (let epoch = 0; epoch < 20; epoch++) {
      const order = epochOrder(train, 3, epoch, true);
      expect(order).toHaveLength(train.length);
      // The 14 normal places of the pool: each normal eye twice, two of them a third time.
      for (let i = 14; i < 20; i++) expect(order.filter((j) => j === i).length).toBeLessThanOrEqual(3);
      // Glaucomatous eyes are not repeated.
      for (let i = 0; i < 14; i++) expect(order.filter((j) => j === i).length).toBeLessThanOrEqual(1);
      total += normals(order);
    }
    // Plain epochs hold 6 normal eyes of 20; balanced ones about 10.
    expect(total / 20).toBeGreaterThan(8.5);
    expect(total / 20).toBeLessThan(11.5);
    expect(epochOrder(train, 3, 5, true)).toEqual(epochOrder(train, 3, 5, true));
  });

  it('leaves a single-class set and unlabelled images alone', () => {
    const oneClass = train.slice(0, 14);
    expect([...epochOrder(oneClass, 1, 0, true)].sort((a, b) => a - b)).toEqual(oneClass.map((_, i) => i));
    const unlabelled = train.map((e, i) => (i === 0 ? { ...e, glaucoma: undefined } : e));
    const counts = Array.from({ length: 30 }, (_, epoch) => epochOrder(unlabelled, 2, epoch, true).filter((i) => i === 0).length);
    expect(Math.max(...counts)).toBe(1);
  });
});
