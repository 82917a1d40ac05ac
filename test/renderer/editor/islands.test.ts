// Disconnected islands: every piece of disc apart from the largest disc, and
// every piece of cup apart from the largest cup, found and removed on tiny maps.
import { describe, expect, it } from 'vitest';
import { describeIslands, findIslands, islandRemovalRuns, islandsKey } from '../../../src-renderer/src/editor/islands';
import { documentFromText, labelsFromText, textFromLabels } from './helpers';

describe('islands', () => {
  it('finds a stray dot of disc-and-cup far from the disc and removes it in one change set', () => {
    const doc = documentFromText(['........', '.rrr....', '.rcr....', '.rrr....', '......c.', '........']);
    const islands = findIslands(doc.labels, doc.width, doc.labelBounds());
    expect(islands.map((i) => [i.structure, i.pixels.length])).toEqual([['disc', 1]]);
    expect(islands[0]!.bounds).toEqual({ x0: 6, y0: 4, x1: 7, y1: 5 });
    expect(describeIslands(islands)).toBe('1 small island outside the disc');
    doc.commit({ runs: islandRemovalRuns(doc.labels, islands), fovea: null, note: 'removed', mergeKey: null, at: 0 });
    expect(textFromLabels(doc.labels, doc.width)).toEqual(['........', '.rrr....', '.rcr....', '.rrr....', '........', '........']);
    expect(findIslands(doc.labels, doc.width, doc.labelBounds())).toEqual([]);
  });

  it('a second piece of cup inside the disc is an island of cup, removed to rim', () => {
    const { width, labels } = labelsFromText(['rrrrrr', 'rccrcr', 'rccrrr', 'rrrrrr']);
    const islands = findIslands(labels, width, { x0: 0, y0: 0, x1: 6, y1: 4 });
    expect(islands.map((i) => [i.structure, [...i.pixels]])).toEqual([['cup', [10]]]);
    expect(describeIslands(islands)).toBe('1 piece of cup apart from the cup');
    const runs = islandRemovalRuns(labels, islands);
    expect(runs).toHaveLength(1);
    expect([runs[0]!.start, ...runs[0]!.after]).toEqual([10, 1]);
  });

  it('diagonal neighbours belong to the same piece; one blob has no island', () => {
    const { width, labels } = labelsFromText(['r...', '.r..', '..rc']);
    expect(findIslands(labels, width, { x0: 0, y0: 0, x1: 4, y1: 3 })).toEqual([]);
    expect(findIslands(labels, width, null)).toEqual([]);
  });

  it('keys the same islands the same way (to remember "keep")', () => {
    const { width, labels } = labelsFromText(['rr..r', 'rr...']);
    const region = { x0: 0, y0: 0, x1: 5, y1: 2 };
    expect(islandsKey(findIslands(labels, width, region))).toBe('disc:4:1');
  });
});
