// The store's side of a signed review: approval records (immutable, the
// newest applies while approved), the clinician's call, and the audit trail
// written in the same transaction as each change.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewApproval, Store } from '../../../src-main/core/store';
import { columnLabels, memoryStore, modelVersion, studyWithCases, summary } from './fixtures';

let store: Store;
afterEach(() => store?.close());

const approval = (probability: number): NewApproval => ({
  revision: null, modelId: 'm1', modelName: 'model m1', probability, decision: probability >= 0.5 ? 'glaucoma' : 'normal', vcdr: 0.6,
  threshold: 0.5, rule: 'paper', targetSpecificity: null, uncertainty: 0.1, modelProbability: probability, modelVcdr: 0.6, referral: 'refer', grade: null,
});

describe('approval records', () => {
  it('stores what was signed with the approval, applies the newest while approved, and refuses any edit', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    store.models.insert(modelVersion('m1'));
    expect(store.cases.setStatus(id!, 'approved', 'dr a', null, approval(0.68))).toBe(true);
    const first = store.approvals.current(id!)!;
    expect(first).toMatchObject({ reviewer: 'dr a', probability: 0.68, decision: 'glaucoma', modelId: 'm1', threshold: 0.5, referral: 'refer' });
    expect(() => store.db.prepare('UPDATE approvals SET probability = 0.38').run()).toThrow(/never changed/);
    store.cases.setStatus(id!, 'corrected', 'dr a', 'cup redrawn');
    expect(store.approvals.current(id!)).toBeNull();
    store.cases.setStatus(id!, 'approved', 'dr b', null, approval(0.4));
    expect(store.approvals.current(id!)).toMatchObject({ reviewer: 'dr b', probability: 0.4, decision: 'normal' });
    expect(store.approvals.history(id!).map((a) => a.probability)).toEqual([0.68, 0.4]);
    expect(store.audit.list(id!).map((e) => e.kind)).toEqual(['status', 'approved', 'status', 'unapproved', 'status', 'approved']);
    expect(store.audit.list(id!)[1]!.detail).toBe('approved: P 68 %, vCDR 0.60, glaucoma suspect by model model m1 (m1), threshold 0.50');
    expect(() => store.db.prepare("UPDATE audit_events SET author = 'someone else'").run()).toThrow(/append-only/);
  });

  it('a failing approval leaves neither the status, the record nor the trail half-written', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    // A decision the schema refuses: the record's insert fails after the status update, in the same transaction.
    expect(() => store.cases.setStatus(id!, 'approved', 'dr a', null, { ...approval(0.7), decision: 'maybe' as never })).toThrow(/CHECK/);
    expect(store.cases.get(id!)!.status).toBe('unreviewed');
    expect(store.approvals.history(id!)).toEqual([]);
    expect(store.audit.list(id!)).toEqual([]);
    expect(store.cases.reviewEvents(id!)).toEqual([]);
  });

  it('logs annotation revisions, predictions and model activations in the trail; removing the study removes it all', () => {
    store = memoryStore();
    const [a, b] = studyWithCases(store, 2);
    store.models.insert(modelVersion('m1'));
    store.models.insert(modelVersion('m2', 'm1'));
    store.models.activate('m1', 'dr a');
    store.predictions.upsert({ caseId: a!, modelId: 'm1', jobId: null, summary: summary(0.68, 0.7), labels: columnLabels(4, 8, [1, 7], [2, 5]), heatmaps: { od: null, oc: null, fovea: null } });
    store.annotations.save(a!, 0, { labels: columnLabels(4, 8, [1, 7], null), fovea: null, vcdr: 0, author: 'dr a', note: 'cup erased' }, 'corrected', 'edited');
    store.models.activate('m2', 'dr a');
    expect(store.audit.list(a!).map((e) => `${e.kind} ${e.author}: ${e.detail}`)).toEqual([
      'prediction screening: model model m1 (m1) predicted P 68 %, vCDR 0.70, glaucoma suspect',
      'annotation dr a: revision 1: cup erased; vCDR 0.00',
      'status dr a: unreviewed → corrected: edited',
      'model dr a: active model changed: model m1 (m1) → model m2 (m2); no prediction from it yet (re-screen to get one)',
    ]);
    // A case no model has screened is not affected by the change.
    expect(store.audit.list(b!)).toEqual([]);
    store.studies.remove('s_1');
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get()).toEqual({ n: 0 });
  });
});

describe("the clinician's call", () => {
  it('changes only the given fields, logs each change, keeps a reason only for ungradable', () => {
    store = memoryStore();
    const [id] = studyWithCases(store, 1);
    expect(store.calls.get(id!)).toBeNull();
    expect(store.calls.set(id!, { referral: 'ungradable', referralReason: '  cataract ' }, 'dr a')).toBe(true);
    expect(store.calls.get(id!)).toMatchObject({ referral: 'ungradable', referralReason: 'cataract', grade: null, notes: '', author: 'dr a' });
    expect(store.calls.set(id!, { grade: 'normal', notes: 'fine' }, 'dr b')).toBe(true);
    expect(store.calls.set(id!, { grade: 'normal' }, 'dr b')).toBe(false);
    expect(store.calls.set(id!, { referral: 'no-referral' }, 'dr b')).toBe(true);
    expect(store.calls.get(id!)).toMatchObject({ referral: 'no-referral', referralReason: null, grade: 'normal', notes: 'fine', author: 'dr b' });
    expect(store.audit.list(id!).map((e) => e.detail)).toEqual([
      'referral: none → ungradable (cataract)',
      'glaucoma grade: none → normal',
      'notes: fine',
      'referral: ungradable (cataract) → no referral',
    ]);
    expect(store.cases.setIdentity(id!, { eye: 'left', patientId: 'P7' }, 'dr a')).toBe(true);
    expect(store.cases.setIdentity(id!, { eye: 'left', patientId: 'P7' }, 'dr a')).toBe(false);
    expect(store.cases.get(id!)).toMatchObject({ eye: 'left', patientId: 'P7' });
  });
});
