// The review screen's state classes (Svelte runes, compiled by the svelte
// plugin in vitest.config.ts): autosave after a quiet time, one save at a
// time, a stale save answered by reloading, and late assessments ignored.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseDetail, Input, Output } from '../../../src-main/core/contract/contract';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { SAVE_DELAY_MS } from '../../../src-renderer/src/state/annotation-autosave.svelte';
import { ASSESS_INTERVAL_MS, CaseEditor, type EditorApp } from '../../../src-renderer/src/state/case-editor.svelte';
import { CaseViewSettings } from '../../../src-renderer/src/state/case-view-settings.svelte';
import { ApiError } from '../../../src-renderer/src/transport/api-error';

const SIZE = 16;

function detail(revision: number): CaseDetail {
  const labels = encodeLabelRuns(new Uint8Array(SIZE * SIZE), SIZE, SIZE);
  const summary = { id: 'c1', studyId: 's1', name: 'a.png', file: '/a.png', width: SIZE, height: SIZE, eye: null, patientId: null, status: 'unreviewed', problem: null, prediction: null, corrected: null, updatedAt: '' };
  const prediction = { width: SIZE, height: SIZE, glaucoma: { probability: 0.5, decision: 'normal' }, vcdr: null, fovea: null, tasks: [], warnings: [] };
  return {
    summary,
    prediction,
    predictedLabels: labels,
    annotation: revision > 0 ? { revision, labels, fovea: null, author: 'other', at: '' } : null,
    history: [],
    media: { image: 'i', heatmapOd: null, heatmapOc: null, heatmapFovea: null },
  } as unknown as CaseDetail;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type SaveCall = { input: Input<'cases.saveAnnotation'>; answer: Deferred<Output<'cases.saveAnnotation'>> };
type AssessCall = { answer: Deferred<Output<'cases.assess'>> };

function fakeApp(serverRevision = { value: 0 }) {
  const saves: SaveCall[] = [];
  const assessments: AssessCall[] = [];
  const notices: string[] = [];
  let loads = 0;
  const api = {
    'cases.get': async () => {
      loads++;
      return detail(serverRevision.value);
    },
    'cases.saveAnnotation': (input: Input<'cases.saveAnnotation'>) => {
      const answer = deferred<Output<'cases.saveAnnotation'>>();
      saves.push({ input, answer });
      return answer.promise;
    },
    'cases.assess': () => {
      const answer = deferred<Output<'cases.assess'>>();
      assessments.push({ answer });
      return answer.promise;
    },
  };
  const app = {
    api,
    info: { user: 'dr.test' },
    notify: (kind: string, message: string) => notices.push(`${kind}: ${message}`),
    attempt: async <T>(_what: string, action: () => Promise<T>) => action(),
  } as unknown as EditorApp;
  return { app, saves, assessments, notices, loads: () => loads };
}

const saved = (revision: number): Output<'cases.saveAnnotation'> => ({ revision, summary: detail(revision).summary });

/** Paints a dot of disc at (x, y): one edit. */
function paint(editor: CaseEditor, x: number, y: number): void {
  editor.setStructure('disc');
  editor.pointerDown({ x, y }, 1);
  editor.pointerUp({ x, y });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CaseEditor autosave', () => {
  it('saves once after the quiet time that follows the last edit, from the loaded revision, with the edits noted', async () => {
    const fake = fakeApp();
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    paint(editor, 4, 4);
    expect(editor.saveStatus).toBe('unsaved');
    vi.advanceTimersByTime(SAVE_DELAY_MS - 100);
    paint(editor, 8, 8);
    vi.advanceTimersByTime(SAVE_DELAY_MS - 100);
    expect(fake.saves).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(fake.saves).toHaveLength(1);
    expect(fake.saves[0]!.input).toMatchObject({ caseId: 'c1', baseRevision: 0 });
    expect(fake.saves[0]!.input.note).not.toBe('');
    expect(editor.saveStatus).toBe('saving');
    fake.saves[0]!.answer.resolve(saved(1));
    await settle();
    expect(editor.saveStatus).toBe('saved');
    expect(editor.revision).toBe(1);
    expect(editor.history.map((r) => r.revision)).toEqual([1]);
    expect(editor.edited).toBe(true);
    // Nothing changed since: no second save.
    vi.advanceTimersByTime(SAVE_DELAY_MS * 2);
    expect(fake.saves).toHaveLength(1);
  });

  it('saves one at a time: an edit made while a save is in flight is saved after it, from the revision it made', async () => {
    const fake = fakeApp();
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    paint(editor, 4, 4);
    const first = editor.flush();
    expect(fake.saves).toHaveLength(1);
    paint(editor, 8, 8);
    const second = editor.flush();
    await settle();
    expect(fake.saves).toHaveLength(1); // the second waits for the first
    fake.saves[0]!.answer.resolve(saved(1));
    expect(await first).toBe(true);
    await settle();
    expect(fake.saves).toHaveLength(2);
    expect(fake.saves[1]!.input.baseRevision).toBe(1);
    fake.saves[1]!.answer.resolve(saved(2));
    expect(await second).toBe(true);
    expect(editor.revision).toBe(2);
    expect(editor.saveStatus).toBe('saved');
  });

  it('reloads the case when a save is refused as stale, and says the last edits were not saved', async () => {
    const server = { value: 0 };
    const fake = fakeApp(server);
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    expect(fake.loads()).toBe(1);
    paint(editor, 4, 4);
    const result = editor.flush();
    server.value = 3; // another window saved revision 3 meanwhile
    fake.saves[0]!.answer.reject(new ApiError('cases.saveAnnotation', { code: 'conflict', message: 'stale' }));
    expect(await result).toBe(false);
    await settle();
    expect(fake.loads()).toBe(2);
    expect(fake.notices).toEqual([expect.stringMatching(/^error: This case was saved elsewhere meanwhile/)]);
    expect(editor.revision).toBe(3);
    expect(editor.saveStatus).toBe('saved');
    expect(editor.canUndo).toBe(false);
  });

  it('keeps the edits of a save that failed for another reason and says so', async () => {
    const fake = fakeApp();
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    paint(editor, 4, 4);
    const result = editor.flush();
    fake.saves[0]!.answer.reject(new ApiError('cases.saveAnnotation', { code: 'internal', message: 'disk full' }));
    expect(await result).toBe(false);
    expect(editor.saveStatus).toBe('error');
    expect(editor.saveError).toBe('disk full');
    expect(fake.loads()).toBe(1);
    const retry = editor.flush();
    expect(fake.saves).toHaveLength(2);
    expect(fake.saves[1]!.input.baseRevision).toBe(0);
    fake.saves[1]!.answer.resolve(saved(1));
    expect(await retry).toBe(true);
  });
});

describe('CaseEditor live assessment', () => {
  it('shows the answer to the latest request only, even when an older one arrives last', async () => {
    const fake = fakeApp();
    const editor = new CaseEditor(fake.app, 's1', 'c1');
    await editor.load();
    paint(editor, 4, 4);
    vi.advanceTimersByTime(ASSESS_INTERVAL_MS);
    paint(editor, 8, 8);
    vi.advanceTimersByTime(ASSESS_INTERVAL_MS);
    expect(fake.assessments).toHaveLength(2);
    expect(editor.assessing).toBe(true);
    fake.assessments[1]!.answer.resolve({ vcdr: 0.6, probability: 0.8, decision: 'glaucoma' });
    await settle();
    expect(editor.assessment).toEqual({ vcdr: 0.6, probability: 0.8, decision: 'glaucoma' });
    expect(editor.assessing).toBe(false);
    fake.assessments[0]!.answer.resolve({ vcdr: 0.2, probability: 0.1, decision: 'normal' });
    await settle();
    expect(editor.assessment).toEqual({ vcdr: 0.6, probability: 0.8, decision: 'glaucoma' });
  });
});

describe('CaseViewSettings', () => {
  it('changes settings only through its methods, replacing them whole', () => {
    const settings = new CaseViewSettings(() => ({ width: 100, height: 50 }));
    const before = settings.overlays;
    settings.setOverlay('heatmap', 'oc');
    expect(settings.overlays).not.toBe(before);
    expect(settings.overlays).toMatchObject({ heatmap: 'oc', model: true });
    settings.setDisplay('gamma', 1.5);
    expect(settings.display).toEqual({ brightness: 1, contrast: 1, gamma: 1.5 });
    settings.resetDisplay();
    expect(settings.display.gamma).toBe(1);
    expect(settings.view).toBeNull();
    settings.setViewport(200, 100);
    const fitted = settings.view!;
    expect(fitted).not.toBeNull();
    settings.zoomBy(2);
    expect(settings.view!.scale).toBeCloseTo(fitted.scale * 2);
  });
});
