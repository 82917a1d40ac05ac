import { describe, expect, it } from 'vitest';
import { AnnotationDocument } from '../../../src-renderer/src/editor/document';
import { LabelChangeBuilder, type ChangeSet } from '../../../src-renderer/src/editor/change-set';
import { UndoStack } from '../../../src-renderer/src/editor/undo-stack';
import { textFromLabels } from './helpers';

function paint(doc: AnnotationDocument, indices: number[], value: number, mergeKey: string | null, at: number): ChangeSet {
  const b = new LabelChangeBuilder(doc.labels);
  for (const i of indices) b.set(i, value);
  return { runs: b.runs(), fovea: null, note: 'brush on disc', mergeKey, at };
}

describe('undo stack on change sets', () => {
  it('undoes and redoes edits in order', () => {
    const doc = new AnnotationDocument(4, 1);
    doc.commit(paint(doc, [0], 1, null, 0));
    doc.commit(paint(doc, [1], 2, null, 1));
    expect(textFromLabels(doc.labels, 4)).toEqual(['rc..']);
    doc.undo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['r...']);
    doc.undo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['....']);
    expect(doc.undo()).toBeNull();
    doc.redo();
    doc.redo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['rc..']);
    expect(doc.canRedo).toBe(false);
  });

  it('merges rapid edits with one merge key into one step', () => {
    const doc = new AnnotationDocument(4, 1);
    doc.commit(paint(doc, [0], 1, 'brush:1', 0));
    doc.commit(paint(doc, [1], 1, 'brush:1', 100));
    doc.commit(paint(doc, [2], 1, 'brush:1', 200));
    expect(textFromLabels(doc.labels, 4)).toEqual(['rrr.']);
    doc.undo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['....']);
    expect(doc.canUndo).toBe(false);
  });

  it('does not merge different strokes, nor the same key after the merge window', () => {
    const doc = new AnnotationDocument(4, 1, null, null, { mergeWindowMs: 1000 });
    doc.commit(paint(doc, [0], 1, 'brush:1', 0));
    doc.commit(paint(doc, [1], 1, 'brush:2', 10));
    doc.commit(paint(doc, [2], 1, 'brush:2', 5000));
    doc.undo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['rr..']);
    doc.undo();
    expect(textFromLabels(doc.labels, 4)).toEqual(['r...']);
  });

  it('a new edit clears the redo steps', () => {
    const doc = new AnnotationDocument(2, 1);
    doc.commit(paint(doc, [0], 1, null, 0));
    doc.undo();
    doc.commit(paint(doc, [1], 2, null, 1));
    expect(doc.canRedo).toBe(false);
    expect(doc.redo()).toBeNull();
    expect(textFromLabels(doc.labels, 2)).toEqual(['.c']);
  });

  it('forgets the oldest steps beyond its limit', () => {
    const stack = new UndoStack({ limit: 2 });
    const cs = (at: number): ChangeSet => ({ runs: [], fovea: { before: null, after: { x: at, y: 0 } }, note: '', mergeKey: null, at });
    stack.push(cs(1));
    stack.push(cs(2));
    stack.push(cs(3));
    expect(stack.undo()?.at).toBe(3);
    expect(stack.undo()?.at).toBe(2);
    expect(stack.undo()).toBeNull();
  });

  it('undoes a fovea move', () => {
    const doc = new AnnotationDocument(2, 2, null, { x: 1, y: 1 });
    doc.commit({ runs: [], fovea: { before: doc.fovea, after: { x: 0.5, y: 1.5 } }, note: 'moved fovea', mergeKey: null, at: 0 });
    expect(doc.fovea).toEqual({ x: 0.5, y: 1.5 });
    doc.undo();
    expect(doc.fovea).toEqual({ x: 1, y: 1 });
    doc.redo();
    expect(doc.fovea).toEqual({ x: 0.5, y: 1.5 });
  });

  it('tells listeners which pixels changed', () => {
    const doc = new AnnotationDocument(3, 3);
    const seen: unknown[] = [];
    doc.subscribe((c) => seen.push([c.kind, c.bounds]));
    doc.commit(paint(doc, [4], 1, null, 0));
    doc.undo();
    expect(seen).toEqual([
      ['edit', { x0: 1, y0: 1, x1: 2, y1: 2 }],
      ['undo', { x0: 1, y0: 1, x1: 2, y1: 2 }],
    ]);
    expect(doc.version).toBe(2);
  });
});
