// Which corrections a fine-tune trains on and which it holds back: roles are
// decided once and stored, so adding cases never moves a case a model was
// trained on into the held-back set (issue 9: the held-back comparison leaked).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assignRoles, FinetunePlanner, fnv1a, heldBackTarget, splitByRole } from '../../../src-main/core/jobs/finetune';
import { ModelRegistry } from '../../../src-main/core/registry/model-registry';
import type { Store } from '../../../src-main/core/store';
import { columnLabels, memoryStore } from '../store/fixtures';
import { writeFakeModel } from './model-fixture';

describe('roles of corrected cases', () => {
  it('hashes strings with 32-bit FNV-1a', () => {
    // Reference values of FNV-1a 32: "" -> offset basis, "a" -> 0xe40c292c.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('holds back about a fifth, at least one from three cases on', () => {
    expect([0, 1, 2, 3, 4, 5, 7, 8, 10, 12, 25].map(heldBackTarget)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 5]);
  });

  it('gives new cases roles in hash order, whatever order they come in, keeping the overall share', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `c_${i}`);
    const roles = assignRoles({ training: 0, heldBack: 0 }, ids);
    expect([...roles.values()].filter((r) => r === 'held-back')).toHaveLength(2);
    expect(assignRoles({ training: 0, heldBack: 0 }, [...ids].reverse())).toEqual(roles);
    // 20 cases already used with 4 held back: 5 new ones bring the share to 5 of 25.
    const more = assignRoles({ training: 16, heldBack: 4 }, ['n1', 'n2', 'n3', 'n4', 'n5']);
    expect([...more.values()].filter((r) => r === 'held-back')).toHaveLength(1);
    // Too many held back already: every new case trains.
    expect([...assignRoles({ training: 2, heldBack: 5 }, ['a', 'b']).values()]).toEqual(['training', 'training']);
  });

  it('never changes a stored role: cases held back stay held back, cases trained on stay training', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ caseId: `c_${i}` }));
    // Stored roles that the hash would never choose: c_0..c_2 held back, the rest of the first 5 training.
    const stored = new Map<string, 'training' | 'held-back'>([
      ['c_0', 'held-back'],
      ['c_1', 'held-back'],
      ['c_2', 'held-back'],
      ['c_3', 'training'],
      ['c_4', 'training'],
    ]);
    const { train, validation, newRoles } = splitByRole(items, stored, { training: 2, heldBack: 3 });
    expect(validation.map((c) => c.caseId)).toEqual(expect.arrayContaining(['c_0', 'c_1', 'c_2']));
    expect(train.map((c) => c.caseId)).toEqual(expect.arrayContaining(['c_3', 'c_4']));
    expect([...newRoles.keys()].sort()).toEqual(['c_10', 'c_11', 'c_5', 'c_6', 'c_7', 'c_8', 'c_9']);
    expect(train.length + validation.length).toBe(12);
  });
});

describe('fine-tune planner over the store', () => {
  let root: string;
  let store: Store;
  afterEach(() => {
    store?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** A planner over an in-memory store whose active model is a fake bundled package, in a fresh temp folder. */
  async function openPlanner(prefix: string): Promise<FinetunePlanner> {
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    store = memoryStore();
    const bundled = path.join(root, 'model');
    await writeFakeModel(bundled, { id: 'parent' });
    const registry = new ModelRegistry(store, path.join(root, 'user-data'), bundled);
    expect(registry.ensureBundled()).toBeNull();
    return new FinetunePlanner({ store, registry, userDataDir: path.join(root, 'user-data') });
  }

  /** Adds `n` approved, annotated cases whose photographs exist; returns their ids. */
  function approveCases(studyId: string, n: number): string[] {
    const folder = path.join(root, studyId);
    fs.mkdirSync(folder, { recursive: true });
    const ids = Array.from({ length: n }, (_, i) => `${studyId}_c${i}`);
    store.transaction(() => {
      store.studies.insert({ id: studyId, name: studyId, folder });
      store.cases.insertMany(
        ids.map((id, i) => {
          const file = path.join(folder, `img${i}.png`);
          fs.writeFileSync(file, 'x');
          return { id, studyId, file, name: `img${i}.png`, width: 4, height: 8, format: 'PNG', eye: 'unknown' as const, patientId: null, problem: null };
        }),
      );
    });
    for (const id of ids) store.annotations.save(id, 0, { labels: columnLabels(4, 8, [1, 7], [2, 5]), fovea: null, vcdr: 0.5, author: 'expert', note: 'x' }, 'approved', 'approved');
    return ids;
  }

  it('adds cases between two fine-tunes: no held-back case was ever trained on, and earlier held-back cases stay held back', async () => {
    const planner = await openPlanner('gs-roles-');

    const trainedOn = new Set<string>();
    const heldBack = new Set<string>();
    const rounds: Array<{ train: string[]; validation: string[] }> = [];
    // Round 1 on 5 cases, round 2 after 10 more, round 3 after 7 more from another study.
    for (const [studyId, n] of [['s_a', 5], ['s_b', 10], ['s_c', 7]] as const) {
      approveCases(studyId, n);
      const preview = planner.preview();
      const { record } = planner.prepare({ epochs: 1 });
      const train = record.train.map((t) => t.id);
      const validation = record.validation.map((t) => t.id);
      expect(preview).toMatchObject({ training: train.length, validation: validation.length });
      rounds.push({ train, validation });
      for (const id of train) trainedOn.add(id);
      // Every case held back by an earlier round is still held back.
      expect(validation).toEqual(expect.arrayContaining([...heldBack]));
      for (const id of validation) heldBack.add(id);
      // No held-back case was ever trained on, in this round or any earlier one.
      expect([...heldBack].filter((id) => trainedOn.has(id))).toEqual([]);
      expect(record.replay).toEqual([]);
    }
    expect(rounds.map((r) => [r.train.length, r.validation.length])).toEqual([
      [4, 1],
      [12, 3],
      [18, 4],
    ]);
    // The second round reuses every case the first trained on.
    expect(rounds[1]!.train).toEqual(expect.arrayContaining(rounds[0]!.train));
    expect(planner.preview()).toMatchObject({ approved: 22, training: 18, validation: 4, earlier: 18 });
  });

  it("gives a correction the expert's glaucoma grade as its label (glaucoma 1, normal 0; suspect and ungraded none)", async () => {
    const planner = await openPlanner('gs-grades-');
    const ids = approveCases('s_g', 8);
    const grades = ['glaucoma', 'normal', 'suspect', null, 'glaucoma', 'normal', 'glaucoma', 'normal'] as const;
    ids.forEach((id, i) => {
      const grade = grades[i]!;
      if (grade) store.calls.set(id, { grade }, 'expert');
    });
    const { record } = planner.prepare({ epochs: 1 });
    const labelOf = new Map([...record.train, ...record.validation].map((image) => [image.id, image.glaucoma]));
    expect(ids.map((id) => labelOf.get(id))).toEqual([1, 0, undefined, undefined, 1, 0, 1, 0]);
  });

  it('keeps the role of a photograph whose study was removed and imported again', async () => {
    const planner = await openPlanner('gs-roles-');
    approveCases('s_a', 5);
    const first = planner.prepare({ epochs: 1 }).record;
    const heldFile = first.validation[0]!.file;
    store.studies.remove('s_a');
    // The same photographs come back as new cases (new ids, same files).
    approveCases('s_z', 0);
    const again = Array.from({ length: 5 }, (_, i) => `s_a2_c${i}`);
    store.transaction(() => {
      store.studies.insert({ id: 's_a2', name: 'again', folder: path.join(root, 's_a') });
      store.cases.insertMany(
        again.map((id, i) => ({ id, studyId: 's_a2', file: path.join(root, 's_a', `img${i}.png`), name: `img${i}.png`, width: 4, height: 8, format: 'PNG', eye: 'unknown' as const, patientId: null, problem: null })),
      );
    });
    for (const id of again) store.annotations.save(id, 0, { labels: columnLabels(4, 8, [1, 7], [2, 5]), fovea: null, vcdr: 0.5, author: 'expert', note: 'x' }, 'approved', 'approved');
    const second = planner.prepare({ epochs: 1 }).record;
    expect(second.validation.map((v) => v.file)).toEqual([heldFile]);
  });
});
