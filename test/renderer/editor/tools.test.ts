import { describe, expect, it } from 'vitest';
import { createDefaultToolRegistry, ToolRegistry } from '../../../src-renderer/src/editor/tools/registry';
import { createStrokeTool } from '../../../src-renderer/src/editor/tools/stroke';
import type { EditorTool, ToolId } from '../../../src-renderer/src/editor/tools/types';
import { documentFromText, textFromLabels, toolContext } from './helpers';

function tools(): Map<ToolId, EditorTool> {
  return createDefaultToolRegistry().createAll();
}

const click = (x: number, y: number, clicks = 1) => ({ point: { x, y }, clicks });

describe('tool registry', () => {
  it('registers the five tools by id with their shortcuts', () => {
    const all = tools();
    expect([...all.keys()]).toEqual(['brush', 'eraser', 'polygon', 'ellipse', 'fovea']);
    expect([...all.values()].map((t) => t.shortcut)).toEqual(['b', 'e', 'p', 'l', 'f']);
  });

  it('refuses an id registered twice', () => {
    expect(() => new ToolRegistry().register('brush', () => createStrokeTool('paint')).register('brush', () => createStrokeTool('paint'))).toThrow(/twice/);
  });
});

describe('brush and eraser', () => {
  it('painting cup outside the disc keeps the cup inside it and counts what was left out; one stroke is one undo step', () => {
    const doc = documentFromText(['.....', '.rrr.', '.rrr.', '.....']);
    const clock = { t: 0 };
    const ctx = toolContext(doc, 'cup', 0.5, clock);
    const brush = tools().get('brush')!;
    let clipped = 0;
    const commit = (cs: ReturnType<EditorTool['pointerDown']>) => {
      clipped += cs?.clippedOutsideDisc ?? 0;
      return cs && doc.commit(cs);
    };
    commit(brush.pointerDown(ctx, click(2.5, 2.5)));
    clock.t = 16;
    commit(brush.pointerMove(ctx, click(4.5, 2.5), true));
    commit(brush.pointerUp(ctx, click(4.5, 2.5)));
    expect(textFromLabels(doc.labels, 5)).toEqual(['.....', '.rrr.', '.rcc.', '.....']);
    // Pixel (4, 2) lay outside the disc: not painted, counted (once per dab that reached it).
    expect(clipped).toBeGreaterThan(0);
    doc.undo();
    expect(textFromLabels(doc.labels, 5)).toEqual(['.....', '.rrr.', '.rrr.', '.....']);
  });

  it('hovering without the button paints nothing', () => {
    const doc = documentFromText(['...']);
    const brush = tools().get('brush')!;
    expect(brush.pointerMove(toolContext(doc, 'disc'), click(1.5, 0.5), false)).toBeNull();
  });

  it('erasing the disc erases the cup there; erasing the cup leaves rim', () => {
    const doc = documentFromText(['rcr', 'rcr']);
    const eraser = tools().get('eraser')!;
    doc.commit(eraser.pointerDown(toolContext(doc, 'disc', 0.5), click(1.5, 0.5))!);
    expect(textFromLabels(doc.labels, 3)).toEqual(['r.r', 'rcr']);
    eraser.pointerUp(toolContext(doc, 'disc'), click(1.5, 0.5));
    doc.commit(eraser.pointerDown(toolContext(doc, 'cup', 0.5), click(1.5, 1.5))!);
    expect(textFromLabels(doc.labels, 3)).toEqual(['r.r', 'rrr']);
    expect(doc.labels.length).toBe(6);
  });

  it('notes what was edited', () => {
    const doc = documentFromText(['...']);
    const cs = tools().get('brush')!.pointerDown(toolContext(doc, 'disc', 0.5), click(0.5, 0.5))!;
    expect(cs.note).toBe('brush on disc');
  });
});

describe('polygon', () => {
  it('replaces the cup with the polygon clipped to the disc, counting what poked out', () => {
    const doc = documentFromText(['......', '.rrrr.', '.rccr.', '.rrrr.', '......']);
    const polygon = tools().get('polygon')!;
    const ctx = toolContext(doc, 'cup');
    // Square over pixels x 3..5, y 2..3: the old cup pixel (2, 2) becomes rim, column 5 pokes out of the disc and stays background.
    for (const [x, y] of [
      [3, 2],
      [6, 2],
      [6, 4],
      [3, 4],
    ] as const)
      expect(polygon.pointerDown(ctx, click(x, y))).toBeNull();
    const cs = polygon.key(ctx, 'Enter').change!;
    doc.commit(cs);
    expect(textFromLabels(doc.labels, 6)).toEqual(['......', '.rrrr.', '.rrcc.', '.rrcc.', '......']);
    expect(cs.clippedOutsideDisc).toBe(2);
    expect(cs.note).toBe('polygon on cup');
  });

  it('replacing the disc clips the cup to it, and closes on a click at the first point', () => {
    const doc = documentFromText(['.....', '.rrr.', '.rcr.', '.rcr.', '.....']);
    const polygon = tools().get('polygon')!;
    const ctx = toolContext(doc, 'disc');
    polygon.pointerDown(ctx, click(1, 1));
    polygon.pointerDown(ctx, click(4, 1));
    polygon.pointerDown(ctx, click(4, 3));
    polygon.pointerDown(ctx, click(1, 3));
    const cs = polygon.pointerDown(ctx, click(1.2, 1.1));
    doc.commit(cs!);
    expect(textFromLabels(doc.labels, 5)).toEqual(['.....', '.rrr.', '.rcr.', '.....', '.....']);
  });

  it('Escape drops the points; fewer than 3 cannot close', () => {
    const doc = documentFromText(['...']);
    const polygon = tools().get('polygon')!;
    const ctx = toolContext(doc, 'disc');
    polygon.pointerDown(ctx, click(0, 0));
    polygon.pointerDown(ctx, click(1, 0));
    expect(polygon.key(ctx, 'Enter')).toEqual({ handled: true, change: null });
    expect(polygon.key(ctx, 'Escape').handled).toBe(true);
    expect(polygon.preview(ctx, null)).toBeNull();
  });
});

describe('ellipse fit', () => {
  it('fits the clicked outline points and fills the disc, on a double click', () => {
    const doc = documentFromText(Array.from({ length: 9 }, () => '.........'));
    const tool = tools().get('ellipse')!;
    const ctx = toolContext(doc, 'disc');
    // Points on the circle centred (4.5, 4.5) with radius 3.05 (not 3: no pixel centre on the outline).
    for (let k = 0; k < 6; k++) {
      const t = (k / 6) * 2 * Math.PI;
      tool.pointerDown(ctx, click(4.5 + 3.05 * Math.cos(t), 4.5 + 3.05 * Math.sin(t)));
    }
    const preview = tool.preview(ctx, null);
    expect(preview?.kind).toBe('ellipse');
    const cs = tool.pointerDown(ctx, click(7.5, 4.5, 2))!;
    doc.commit(cs);
    // Pixel centres within distance 3.05 of (4.5, 4.5).
    expect(textFromLabels(doc.labels, 9)).toEqual([
      '.........',
      '....r....',
      '..rrrrr..',
      '..rrrrr..',
      '.rrrrrrr.',
      '..rrrrr..',
      '..rrrrr..',
      '....r....',
      '.........',
    ]);
    expect(cs.note).toBe('ellipse fit on disc');
  });
});

describe('fovea', () => {
  it('a drag moves the fovea in one undoable change set', () => {
    const doc = documentFromText(['....', '....']);
    const tool = tools().get('fovea')!;
    const ctx = toolContext(doc, 'disc');
    tool.pointerDown(ctx, click(0.5, 0.5));
    tool.pointerMove(ctx, click(1.5, 1.5), true);
    expect(tool.preview(ctx, null)).toEqual({ kind: 'fovea', point: { x: 1.5, y: 1.5 } });
    doc.commit(tool.pointerUp(ctx, click(3.04, 1.51))!);
    expect(doc.fovea).toEqual({ x: 3, y: 1.5 });
    doc.undo();
    expect(doc.fovea).toBeNull();
  });
});
