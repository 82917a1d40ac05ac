import { afterEach, describe, expect, it } from 'vitest';
import { StaleRevisionError } from '../../../src-main/core/contract/errors';
import { CorruptRowError, type Store } from '../../../src-main/core/store';
import { columnLabels, memoryStore, modelVersion, studyWithCases, summary } from './fixtures';

let store: Store;
afterEach(() => store?.close());

describe('studies and cases', () => {
  it('inserts a study with its cases in one transaction: a failing case leaves no study behind', () => {
    store = memoryStore();
    expect(() =>
      store.transaction(() => {
        store.studies.insert({ id: 's_x', name: 'x', folder: '/x' });
        store.cases.insertMany([
          { id: 'c_1', studyId: 's_x', file: '/x/a.png', name: 'a.png', width: 1, height: 1, format: 'PNG', eye: 'left', patientId: 'P1', problem: null },
          // Same file twice breaks UNIQUE (study_id, file).
          { id: 'c_2', studyId: 's_x', file: '/x/a.png', name: 'a.png', width: 1, height: 1, format: 'PNG', eye: 'left', patientId: 'P1', problem: null },
        ]);
      }),
    ).toThrow(/UNIQUE/);
    expect(store.studies.list()).toEqual([]);
    expect(store.cases.get('c_1')).toBeNull();
  });

  it('counts images, failures, screened cases and suspects per model, and statuses', () => {
    store = memoryStore();
    const [a, b, c] = studyWithCases(store, 3);
    store.models.insert(modelVersion('m1'));
    store.cases.setProblem(c!, 'corrupt JPEG', 'import');
    store.predictions.upsert({ caseId: a!, modelId: 'm1', jobId: null, summary: summary(0.9, 0.7), labels: columnLabels(4, 8, [1, 7], [2, 5]), heatmaps: { od: null, oc: null, fovea: null } });
    store.predictions.upsert({ caseId: b!, modelId: 'm1', jobId: null, summary: summary(0.2, 0.3), labels: columnLabels(4, 8, [1, 7], null), heatmaps: { od: null, oc: null, fovea: null } });
    store.cases.setStatus(b!, 'approved', 'dr a', null);
    expect(store.studies.counts('s_1', 'm1')).toEqual({ images: 3, failed: 1, screened: 2, screenedByOther: 0, suspects: 1, byStatus: { unreviewed: 2, corrected: 0, approved: 1, ungradable: 0 } });
    // Another model active: both predictions are an older model's, to re-screen.
    expect(store.studies.counts('s_1', 'other')).toMatchObject({ screened: 0, screenedByOther: 2, suspects: 0 });
  });

  it('logs every status change with who, when and why, and no event when nothing changes', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    expect(store.cases.setStatus(id!, 'approved', 'dr a', 'looks right')).toBe(true);
    expect(store.cases.setStatus(id!, 'approved', 'dr a', null)).toBe(false);
    expect(store.cases.setStatus(id!, 'ungradable', 'dr b', 'blurred')).toBe(true);
    const events = store.cases.reviewEvents(id!);
    expect(events.map((e) => [e.from, e.to, e.author, e.reason])).toEqual([
      ['unreviewed', 'approved', 'dr a', 'looks right'],
      ['approved', 'ungradable', 'dr b', 'blurred'],
    ]);
    expect(events[0]!.at < events[1]!.at).toBe(true);
    expect(store.cases.get(id!)!.status).toBe('ungradable');
  });

  it('removing a study removes its cases, predictions and annotations', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    store.annotations.save(id!, 0, { labels: columnLabels(4, 8, [1, 7], null), fovea: null, vcdr: 0, author: 'dr a', note: 'n' }, 'corrected', 'edited');
    expect(store.studies.remove('s_1')).toBe(true);
    expect(store.cases.get(id!)).toBeNull();
    expect(store.annotations.history(id!)).toEqual([]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM review_events').get()).toEqual({ n: 0 });
  });
});

describe('annotations', () => {
  it('keeps every revision; the current one is the highest; the case becomes corrected with one event', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    const first = columnLabels(4, 8, [1, 7], [2, 4]);
    const second = columnLabels(4, 8, [1, 7], [2, 6]);
    expect(store.annotations.save(id!, 0, { labels: first, fovea: { x: 1, y: 2 }, vcdr: 2 / 6, author: 'dr a', note: 'brush on cup' }, 'corrected', 'edited')).toBe(1);
    expect(store.annotations.save(id!, 1, { labels: second, fovea: null, vcdr: 4 / 6, author: 'dr b', note: 'moved fovea' }, 'corrected', 'edited')).toBe(2);
    const current = store.annotations.current(id!)!;
    expect(current.revision).toBe(2);
    expect(current.labels).toEqual(second);
    expect(current.fovea).toBeNull();
    expect(store.annotations.revision(id!, 1)!.labels).toEqual(first);
    expect(store.annotations.revision(id!, 1)!.fovea).toEqual({ x: 1, y: 2 });
    expect(store.annotations.history(id!).map((h) => [h.revision, h.author, h.note])).toEqual([
      [1, 'dr a', 'brush on cup'],
      [2, 'dr b', 'moved fovea'],
    ]);
    expect(store.cases.get(id!)!.status).toBe('corrected');
    expect(store.cases.reviewEvents(id!).map((e) => e.to)).toEqual(['corrected']);
  });

  it('refuses a save based on a stale revision and changes nothing', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    const labels = columnLabels(4, 8, [1, 7], null);
    store.annotations.save(id!, 0, { labels, fovea: null, vcdr: 0, author: 'a', note: 'first' }, 'corrected', 'edited');
    const stale = (): number => store.annotations.save(id!, 0, { labels, fovea: null, vcdr: 0, author: 'b', note: 'late' }, 'corrected', 'edited');
    expect(stale).toThrow(StaleRevisionError);
    expect(stale).toThrow(/revision 0, the current one is 1/);
    expect(store.annotations.history(id!)).toHaveLength(1);
  });

  it('lists approved cases with an annotation as corrections, with the current revision', () => {
    store = memoryStore();
    const [a, b, c] = studyWithCases(store, 3);
    const labels = columnLabels(4, 8, [1, 7], null);
    for (const id of [a!, b!]) store.annotations.save(id, 0, { labels, fovea: null, vcdr: 0, author: 'a', note: 'n' }, 'corrected', 'edited');
    store.annotations.save(a!, 1, { labels, fovea: { x: 3, y: 3 }, vcdr: 0, author: 'a', note: 'n2' }, 'corrected', 'edited');
    store.cases.setStatus(a!, 'approved', 'a', null);
    store.cases.setStatus(c!, 'approved', 'a', null); // approved without an annotation: not a correction
    const corrections = store.annotations.approvedCorrections();
    expect(corrections.map((r) => [r.caseId, r.revision, r.fovea])).toEqual([[a!, 2, { x: 3, y: 3 }]]);
  });
});

describe('predictions', () => {
  it('keeps one row per model version; a rescreen with the same version replaces it', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    store.models.insert(modelVersion('m1'));
    store.models.insert(modelVersion('m2', 'm1'));
    const labels = columnLabels(4, 8, [1, 7], null);
    const none = { od: null, oc: null, fovea: null };
    store.predictions.upsert({ caseId: id!, modelId: 'm1', jobId: null, summary: summary(0.1, 0.2), labels, heatmaps: none });
    store.predictions.upsert({ caseId: id!, modelId: 'm2', jobId: null, summary: summary(0.8, 0.6), labels, heatmaps: { od: '/h/od.png', oc: null, fovea: null } });
    store.predictions.upsert({ caseId: id!, modelId: 'm1', jobId: null, summary: summary(0.3, 0.2), labels, heatmaps: none });
    expect(store.predictions.get(id!, 'm1')!.summary.glaucoma.probability).toBe(0.3);
    expect(store.predictions.get(id!, 'm2')!.heatmaps.od).toBe('/h/od.png');
    // The shown prediction prefers the given model, else the newest.
    expect(store.predictions.shown(id!, 'm2')!.modelId).toBe('m2');
    expect(store.predictions.shown(id!, null)!.modelId).toBe('m1');
    expect(store.cases.listRow(id!, 'm2')!.prediction).toMatchObject({ modelId: 'm2', probability: 0.8, decision: 'glaucoma' });
  });

  it('stores a prediction without a glaucoma probability', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    store.models.insert(modelVersion('m1'));
    store.predictions.upsert({ caseId: id!, modelId: 'm1', jobId: null, summary: summary(null, null), labels: columnLabels(4, 8, [0, 0], null), heatmaps: { od: null, oc: null, fovea: null } });
    expect(store.cases.listRow(id!, 'm1')!.prediction).toMatchObject({ probability: null, decision: null });
  });

  it('refuses a JSON column that no longer matches its schema, naming the row', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    store.models.insert(modelVersion('m1'));
    store.predictions.upsert({ caseId: id!, modelId: 'm1', jobId: null, summary: summary(0.5, 0.5), labels: columnLabels(4, 8, [1, 7], null), heatmaps: { od: null, oc: null, fovea: null } });
    store.db.prepare('UPDATE predictions SET labels = ?').run(JSON.stringify({ width: 4, height: 8, runs: [0, 31] }));
    expect(() => store.predictions.get(id!, 'm1')).toThrow(CorruptRowError);
    expect(() => store.predictions.get(id!, 'm1')).toThrow(/predictions \d+ labels: .*cover the image exactly/);
  });
});

describe('model versions', () => {
  it('has exactly one active version after activations, and SQL itself refuses two', () => {
    store = memoryStore();
    store.models.insert(modelVersion('m1'));
    store.models.insert(modelVersion('m2', 'm1'));
    expect(store.models.active()).toBeNull();
    store.models.activate('m1');
    store.models.activate('m2');
    expect(store.models.list().filter((m) => m.active).map((m) => m.id)).toEqual(['m2']);
    store.models.activate('m1'); // rollback to the parent
    expect(store.models.active()!.id).toBe('m1');
    expect(() => store.db.prepare("UPDATE model_versions SET active = 1 WHERE id = 'm2'").run()).toThrow(/UNIQUE/);
    expect(() => store.models.activate('nope')).toThrow(/not found/);
    expect(store.models.active()!.id).toBe('m1');
  });

  it('reads metrics and data card back', () => {
    store = memoryStore();
    store.models.insert(modelVersion('m1'));
    expect(store.models.get('m1')).toMatchObject({ metrics: { odDice: 0.9, auc: null }, dataCard: { images: 1 }, trainedTasks: ['od', 'oc'], bundled: false });
  });
});

describe('jobs', () => {
  const screen = { kind: 'screen' as const, studyId: 's_1', modelId: 'm1', rescreen: false, tta: true, heatmaps: true };

  it('is a queue in order, with epochs (a resent epoch replaces the old one) and problems', () => {
    store = memoryStore();
    studyWithCases(store, 1);
    store.jobs.insert({ id: 'j_1', studyId: 's_1', title: 'one', spec: screen, total: 1 });
    store.jobs.insert({ id: 'j_2', studyId: 's_1', title: 'two', spec: screen, total: 1 });
    expect(store.jobs.nextQueued()!.id).toBe('j_1');
    store.jobs.markStarted('j_1');
    expect(store.jobs.nextQueued()!.id).toBe('j_2');
    store.jobs.addEpoch('j_1', { epoch: 1, losses: { od: 0.5 } });
    store.jobs.addEpoch('j_1', { epoch: 1, losses: { od: 0.4 }, validation: { odDice: 0.8 } });
    store.jobs.addProblem('j_1', { key: 'c', file: '/a.jpg', problem: 'truncated JPEG' });
    const dto = store.jobs.dto(store.jobs.get('j_1')!);
    expect(dto).toMatchObject({ status: 'running', epochs: [{ epoch: 1, losses: { od: 0.4 }, validation: { odDice: 0.8 } }], problems: [{ file: '/a.jpg', problem: 'truncated JPEG' }] });
    expect(store.jobs.get('j_1')!.attempts).toBe(1);
  });

  it('keeps the curve of each network of a two-network fine-tune (the second network does not replace the first)', () => {
    store = memoryStore();
    studyWithCases(store, 1);
    store.jobs.insert({ id: 'j_1', studyId: 's_1', title: 'one', spec: screen, total: 1 });
    for (const network of ['network main', 'network crop']) {
      for (const epoch of [0, 1]) store.jobs.addEpoch('j_1', { network, epoch, losses: { od: epoch + (network === 'network main' ? 10 : 20) } });
    }
    const epochs = store.jobs.epochs('j_1');
    expect(epochs.map((e) => [e.network, e.epoch, e.losses['od']])).toEqual([
      ['network crop', 0, 20],
      ['network crop', 1, 21],
      ['network main', 0, 10],
      ['network main', 1, 11],
    ]);
  });

  it('marks jobs left queued or running as interrupted', () => {
    store = memoryStore();
    studyWithCases(store, 1);
    for (const id of ['j_1', 'j_2', 'j_3']) store.jobs.insert({ id, studyId: 's_1', title: id, spec: screen, total: 1 });
    store.jobs.markStarted('j_1');
    store.jobs.setStatus('j_3', 'done');
    expect(store.jobs.interruptUnfinished('stopped').sort()).toEqual(['j_1', 'j_2']);
    expect(store.jobs.get('j_1')).toMatchObject({ status: 'interrupted', error: 'stopped' });
    expect(store.jobs.get('j_3')!.status).toBe('done');
  });
});
