// Edits that cannot go wrong silently, on the CaseEditor with a fake API: an
// approved case asks before it is edited, undoing back to the approved
// annotation approves it again (in the store too), a cup stroke outside the
// disc is clipped with a note, islands are flagged for remove/keep, and an old
// revision opens read-only and is restored as a new revision.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseDetail, CaseSummary, Input } from '../../../src-main/core/contract/contract';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { SAVE_DELAY_MS } from '../../../src-renderer/src/state/annotation-autosave.svelte';
import { CaseEditor, type EditorApp } from '../../../src-renderer/src/state/case-editor.svelte';

const SIZE = 16;

/** A disc of radius 4 at (8, 8) with a cup of radius 2. */
function discLabels(): Uint8Array {
  const labels = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const d = Math.hypot(x + 0.5 - 8, y + 0.5 - 8);
      labels[y * SIZE + x] = d <= 2 ? 2 : d <= 4 ? 1 : 0;
    }
  return labels;
}

function fakeStore(status: CaseSummary['status'], problem: string | null = null) {
  const state = { status, revision: status === 'approved' ? 1 : 0, statusCalls: [] as string[], saves: [] as Input<'cases.saveAnnotation'>[], revisions: new Map<number, Uint8Array>() };
  if (state.revision > 0) state.revisions.set(1, discLabels());
  const summary = (): CaseSummary =>
    ({ id: 'c1', studyId: 's1', name: 'a.png', file: '/a.png', width: SIZE, height: SIZE, eye: 'unknown', patientId: null, status: state.status, problem, prediction: null, corrected: null, updatedAt: '' }) as CaseSummary;
  const map = (labels: Uint8Array) => encodeLabelRuns(labels, SIZE, SIZE);
  const api = {
    'cases.get': async (): Promise<CaseDetail> =>
      ({
        summary: summary(),
        prediction: { width: SIZE, height: SIZE, glaucoma: { probability: 0.5, decision: 'normal' }, vcdr: 0.5, fovea: null, tasks: [], warnings: [] },
        predictedLabels: map(discLabels()),
        annotation: state.revision > 0 ? { revision: state.revision, labels: map(state.revisions.get(state.revision)!), fovea: null, author: 'dr', at: '2026-01-01T00:00:00Z' } : null,
        history: [...state.revisions.keys()].map((r) => ({ revision: r, author: 'dr', at: '2026-01-01T00:00:00Z', note: `rev ${r}` })),
        media: { image: 'i', heatmapOd: null, heatmapOc: null, heatmapFovea: null },
      }) as unknown as CaseDetail,
    'cases.saveAnnotation': async (input: Input<'cases.saveAnnotation'>) => {
      state.saves.push(input);
      state.revision++;
      const { decodeLabelRuns } = await import('../../../src-main/core/contract/label-map');
      state.revisions.set(state.revision, decodeLabelRuns(input.labels as never));
      // The real store: saving makes the case corrected, also an approved one.
      state.status = 'corrected';
      return { revision: state.revision, summary: summary() };
    },
    'cases.setStatus': async (input: Input<'cases.setStatus'>) => {
      state.statusCalls.push(input.status);
      state.status = input.status;
      return { summary: summary() };
    },
    'cases.revision': async ({ revision }: { revision: number }) => ({ revision, labels: map(state.revisions.get(revision)!), fovea: null, author: 'dr', at: '2026-01-01T00:00:00Z', note: `rev ${revision}` }),
    'cases.assess': async () => ({ vcdr: 0.5, probability: 0.5, decision: 'normal' }),
  };
  const notices: string[] = [];
  const app = {
    api,
    info: { user: 'dr' },
    notify: (kind: string, message: string) => notices.push(`${kind}: ${message}`),
    attempt: async <T>(_what: string, action: () => Promise<T>) => action(),
  } as unknown as EditorApp;
  return { app, state, notices };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function stroke(editor: CaseEditor, x: number, y: number): void {
  editor.pointerDown({ x, y }, 1);
  editor.pointerUp({ x, y });
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('an approved case', () => {
  it('asks before the first edit and changes nothing until the reader agrees', async () => {
    const fake = fakeStore('approved');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    editor.setStructure('disc');
    const before = editor.document!.labels.slice();
    stroke(editor, 8.5, 8.5 + 3);
    expect(editor.editRequest).toBe(true);
    expect([...editor.document!.labels]).toEqual([...before]);
    editor.cancelEdit();
    expect(editor.editRequest).toBe(false);
    stroke(editor, 1.5, 1.5);
    expect(editor.editRequest).toBe(true);
    editor.confirmEdit();
    stroke(editor, 1.5, 1.5);
    expect(editor.canUndo).toBe(true);
  });

  it('approved -> edited (corrected) -> undo -> approved again, in the store too', async () => {
    const fake = fakeStore('approved');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    editor.setStructure('disc');
    editor.confirmEdit();
    stroke(editor, 1.5, 1.5);
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    await settle();
    expect(fake.state.status).toBe('corrected');
    expect(editor.summary!.status).toBe('corrected');
    editor.undo();
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    await settle();
    expect(fake.state.statusCalls).toEqual(['approved']);
    expect(fake.state.status).toBe('approved');
    expect(editor.summary!.status).toBe('approved');
    // History is kept: revision 3 equals the approved revision 1.
    expect(fake.state.revision).toBe(3);
    expect([...fake.state.revisions.get(3)!]).toEqual([...fake.state.revisions.get(1)!]);
    // Approved again means locked again.
    stroke(editor, 1.5, 1.5);
    expect(editor.editRequest).toBe(true);
  });
});

describe('cup painting', () => {
  it('keeps the cup inside the disc and says so when a stroke would have grown it', async () => {
    const fake = fakeStore('unreviewed');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    editor.setStructure('cup');
    editor.setBrushRadius(1);
    stroke(editor, 1.5, 1.5);
    expect(editor.clipNote).toMatch(/kept inside the disc/);
    expect(editor.document!.labels[1 * SIZE + 1]).toBe(0);
    // The next stroke inside the disc clears the note.
    stroke(editor, 8.5, 5.5);
    expect(editor.clipNote).toBeNull();
  });
});

describe('islands', () => {
  it('flags a stray click far from the disc; remove is one undoable step; keep stops flagging it', async () => {
    const fake = fakeStore('unreviewed');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    expect(editor.islands).toEqual([]);
    editor.setStructure('disc');
    editor.setBrushRadius(1);
    stroke(editor, 14.5, 1.5);
    vi.advanceTimersByTime(400);
    expect(editor.islands.map((i) => i.structure)).toEqual(['disc']);
    expect(editor.islandsText).toBe('1 small island outside the disc');
    editor.removeIslands();
    expect(editor.islands).toEqual([]);
    expect(editor.document!.labels[1 * SIZE + 14]).toBe(0);
    editor.undo();
    vi.advanceTimersByTime(400);
    expect(editor.islands).toHaveLength(1);
    editor.keepIslands();
    vi.advanceTimersByTime(400);
    expect(editor.islands).toEqual([]);
  });
});

describe('revision history', () => {
  it('opens an old revision read-only and restores it as a new revision', async () => {
    const fake = fakeStore('unreviewed');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    editor.setStructure('disc');
    stroke(editor, 1.5, 1.5);
    await editor.flush();
    stroke(editor, 14.5, 14.5);
    await editor.flush();
    expect(fake.state.revision).toBe(2);
    await editor.openRevision(1);
    expect(editor.opened?.revision).toBe(1);
    expect(editor.shownDocument).not.toBe(editor.document);
    // Read-only while open: a click edits nothing.
    const version = editor.version;
    stroke(editor, 5.5, 14.5);
    expect(editor.version).toBe(version);
    editor.restoreRevision();
    expect(editor.opened).toBeNull();
    await editor.flush();
    expect(fake.state.revision).toBe(3);
    expect([...fake.state.revisions.get(3)!]).toEqual([...fake.state.revisions.get(1)!]);
    expect(fake.state.saves.at(-1)!.note).toBe('restored revision 1');
  });
});

describe('an unreadable case', () => {
  it('is read-only with the reason, and cannot be approved', async () => {
    const fake = fakeStore('unreviewed', 'premature end of JPEG data');
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    expect(editor.readOnlyReason).toBe('This image cannot be used: premature end of JPEG data');
    const version = editor.version;
    stroke(editor, 1.5, 1.5);
    expect(editor.version).toBe(version);
    expect(await editor.approve()).toBe(false);
    expect(fake.state.statusCalls).toEqual([]);
  });
});
