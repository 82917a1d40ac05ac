import { describe, expect, it } from 'vitest';
import { LabelChangeBuilder, applyRuns, changedBounds, isEmptyChangeSet, mergeChangeSets, type ChangeSet } from '../../../src-renderer/src/editor/change-set';

function changeSet(labels: Uint8Array, edits: Array<[number, number]>, extra: Partial<ChangeSet> = {}): ChangeSet {
  const b = new LabelChangeBuilder(labels);
  for (const [i, v] of edits) b.set(i, v);
  return { runs: b.runs(), fovea: null, note: 'test', mergeKey: null, at: 0, ...extra };
}

describe('change sets', () => {
  it('groups changed pixels into sorted runs and drops unchanged ones', () => {
    const labels = Uint8Array.from([0, 0, 1, 1, 0, 0]);
    const cs = changeSet(labels, [[4, 2], [1, 1], [2, 1], [3, 2], [0, 0]]);
    expect(cs.runs.map((r) => [r.start, [...r.before], [...r.after]])).toEqual([
      [1, [0], [1]],
      [3, [1, 0], [2, 2]],
    ]);
  });

  it('a value set back to the original counts as no change', () => {
    const labels = Uint8Array.from([0, 1]);
    const b = new LabelChangeBuilder(labels);
    b.set(0, 2);
    b.set(0, 0);
    expect(b.runs()).toEqual([]);
  });

  it('applies forwards and backwards exactly', () => {
    const labels = Uint8Array.from([0, 1, 2, 0]);
    const cs = changeSet(labels, [[0, 2], [3, 1]]);
    applyRuns(labels, cs, 'forward');
    expect([...labels]).toEqual([2, 1, 2, 1]);
    applyRuns(labels, cs, 'backward');
    expect([...labels]).toEqual([0, 1, 2, 0]);
  });

  it('merging keeps the first before and the last after of every pixel', () => {
    const labels = Uint8Array.from([0, 0, 0, 0]);
    const first = changeSet(labels, [[0, 1], [1, 1]]);
    applyRuns(labels, first, 'forward');
    const second = changeSet(labels, [[1, 2], [3, 2]], { mergeKey: 'k', at: 5 });
    applyRuns(labels, second, 'forward');
    const merged = mergeChangeSets(first, second);
    expect(merged.runs.map((r) => [r.start, [...r.before], [...r.after]])).toEqual([
      [0, [0, 0], [1, 2]],
      [3, [0], [2]],
    ]);
    expect(merged.at).toBe(5);
    applyRuns(labels, merged, 'backward');
    expect([...labels]).toEqual([0, 0, 0, 0]);
  });

  it('merging a pixel changed and changed back drops it', () => {
    const labels = Uint8Array.from([0, 0]);
    const there = changeSet(labels, [[0, 1]]);
    applyRuns(labels, there, 'forward');
    const back = changeSet(labels, [[0, 0]]);
    expect(mergeChangeSets(there, back).runs).toEqual([]);
  });

  it('merges fovea moves from the first position to the last', () => {
    const a: ChangeSet = { runs: [], fovea: { before: null, after: { x: 1, y: 1 } }, note: 'f', mergeKey: null, at: 0 };
    const b: ChangeSet = { runs: [], fovea: { before: { x: 1, y: 1 }, after: { x: 2, y: 3 } }, note: 'f', mergeKey: null, at: 1 };
    expect(mergeChangeSets(a, b).fovea).toEqual({ before: null, after: { x: 2, y: 3 } });
  });

  it('bounds cover the changed pixels (x1, y1 exclusive)', () => {
    const labels = new Uint8Array(5 * 4);
    const cs = changeSet(labels, [[1 * 5 + 2, 1], [2 * 5 + 3, 1], [2 * 5 + 4, 1]]);
    expect(changedBounds(cs, 5)).toEqual({ x0: 2, y0: 1, x1: 5, y1: 3 });
    expect(changedBounds(changeSet(labels, []), 5)).toBeNull();
  });

  it('a fovea that did not move is an empty change set', () => {
    const cs: ChangeSet = { runs: [], fovea: { before: { x: 1, y: 2 }, after: { x: 1, y: 2 } }, note: '', mergeKey: null, at: 0 };
    expect(isEmptyChangeSet(cs)).toBe(true);
    expect(isEmptyChangeSet({ ...cs, fovea: { before: null, after: { x: 1, y: 2 } } })).toBe(false);
  });
});
