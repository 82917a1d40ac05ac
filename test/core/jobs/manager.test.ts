import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../src-main/core/contract/contract';
import { AppEventBus } from '../../../src-main/core/contract/events';
import { InputError } from '../../../src-main/core/errors';
import { JobManager } from '../../../src-main/core/jobs/manager';
import { openStore, type FinetuneJobRecord, type Store } from '../../../src-main/core/store';
import { BUNDLED_MODEL_ID, ModelRegistry } from '../../../src-main/core/registry/model-registry';
import { openDatabase } from '../../../src-main/platform/sqlite';
import { columnPrediction, FakeLauncher, type FakeBehaviour } from './fake-job-process';
import { writeFakeModel } from './model-fixture';

let root: string;
let userData: string;
let bundled: string;
const open: Array<{ store: Store; manager: JobManager }> = [];

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-jobs-'));
  userData = path.join(root, 'user-data');
  bundled = path.join(root, 'resources', 'model');
  await writeFakeModel(bundled, { id: 'drishti-v1', name: 'Default model' });
});

afterEach(async () => {
  for (const { store, manager } of open.splice(0)) {
    await manager.close(10);
    store.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
});

interface Harness {
  store: Store;
  manager: JobManager;
  launcher: FakeLauncher;
  events: AppEvent[];
  registry: ModelRegistry;
}

function start(behaviour: FakeBehaviour = {}, bundledDir: string | null = bundled): Harness {
  const store = openStore(openDatabase(path.join(userData, 'db.sqlite3')));
  const registry = new ModelRegistry(store, userData, bundledDir);
  registry.ensureBundled();
  const bus = new AppEventBus();
  const events: AppEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const launcher = new FakeLauncher(behaviour);
  const manager = new JobManager({
    store,
    registry,
    launcher,
    events: bus,
    userDataDir: userData,
    tuning: { progressIntervalMs: 0, readyTimeoutMs: 300, cancelGraceMs: 50, idleShutdownMs: 60_000 },
  });
  manager.recover();
  open.push({ store, manager });
  return { store, manager, launcher, events, registry };
}

/** A study of n cases named img0..; `unreadable` ones have an import problem. */
function addStudy(store: Store, n: number, unreadable: number[] = []): string[] {
  const ids = Array.from({ length: n }, (_, i) => `c_${i}`);
  store.transaction(() => {
    store.studies.insert({ id: 's_1', name: 'clinic', folder: '/clinic' });
    store.cases.insertMany(
      ids.map((id, i) => ({ id, studyId: 's_1', file: `/clinic/img${i}.jpg`, name: `img${i}.jpg`, width: 64, height: 64, format: 'JPEG', eye: 'unknown' as const, patientId: null, problem: unreadable.includes(i) ? 'corrupt JPEG' : null })),
    );
  });
  return ids;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Keys of the items the n-th 'start' message asked the job process to screen. */
function screenedKeys(h: Harness, n: number): string[] {
  const spec = h.launcher.starts[n]!.spec;
  return spec.kind === 'screen' ? spec.items.map((i) => i.key) : [];
}

const predictions = (store: Store): number => (store.db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;

describe('screening jobs', () => {
  it('stores each prediction, records per-file problems, and finishes with the counts', async () => {
    const h = start({ predict: (file) => {
      if (file.endsWith('img2.jpg')) throw new InputError(file, 'truncated JPEG: premature end of JPEG image');
      return columnPrediction(64, 64, 0.8);
    } });
    const ids = addStudy(h.store, 4);
    const job = h.manager.enqueueScreening('s_1', false);
    expect(job.status).toBe('queued');
    expect(job.progress.total).toBe(4);
    await h.manager.whenIdle();
    const done = h.store.jobs.dto(h.store.jobs.get(job.id)!);
    expect(done).toMatchObject({ status: 'done', progress: { done: 4, total: 4 }, problems: [{ file: '/clinic/img2.jpg', problem: 'truncated JPEG: premature end of JPEG image' }] });
    expect(h.store.cases.get(ids[2]!)).toMatchObject({ problem: 'truncated JPEG: premature end of JPEG image', problemStage: 'screening' });
    expect(h.store.predictions.get(ids[0]!, BUNDLED_MODEL_ID)!.summary.glaucoma.probability).toBe(0.8);
    expect(h.store.predictions.get(ids[0]!, BUNDLED_MODEL_ID)!.heatmaps.od).toBe(path.join(userData, 'heatmaps', BUNDLED_MODEL_ID, `${ids[0]}.od.png`));
    expect(predictions(h.store)).toBe(3);
    expect(h.events.filter((e) => e.type === 'case').map((e) => e.type === 'case' && e.caseId)).toEqual(ids);
    expect(h.events.some((e) => e.type === 'job' && e.job.status === 'running')).toBe(true);
    expect(h.events.some((e) => e.type === 'study')).toBe(true);
    expect(h.manager.backend?.device).toBe('fake');
  });

  it('skips unreadable files and screened cases; a rescreen sends them all again; a later success clears a screening problem', async () => {
    let failNext = true;
    const h = start({ predict: (file) => {
      if (file.endsWith('img1.jpg') && failNext) throw new InputError(file, 'decoder crashed');
      return columnPrediction(64, 64, 0.2);
    } });
    addStudy(h.store, 3, [0]);
    h.manager.enqueueScreening('s_1', false);
    await h.manager.whenIdle();
    expect(screenedKeys(h, 0)).toEqual(['c_1', 'c_2']);
    failNext = false;
    h.manager.enqueueScreening('s_1', false);
    await h.manager.whenIdle();
    // Only the case with a screening problem is tried again, and its problem goes.
    expect(screenedKeys(h, 1)).toEqual(['c_1']);
    expect(h.store.cases.get('c_1')!.problem).toBeNull();
    const again = h.manager.enqueueScreening('s_1', false);
    await h.manager.whenIdle();
    expect(h.store.jobs.get(again.id)).toMatchObject({ status: 'done', progress: { message: expect.stringMatching(/nothing to screen/) } });
    h.manager.enqueueScreening('s_1', true);
    await h.manager.whenIdle();
    expect(screenedKeys(h, h.launcher.starts.length - 1)).toEqual(['c_1', 'c_2']);
  });

  it('refuses to screen without a model, with a clear message', () => {
    const h = start({}, path.join(root, 'nowhere'));
    addStudy(h.store, 1);
    expect(() => h.manager.enqueueScreening('s_1', false)).toThrow(/No model: .*cannot be screened/);
  });

  it('a job process that dies mid-job leaves the job interrupted; resume sends only the items without a prediction', async () => {
    const h = start({ exitAfter: { count: 2, code: 134 } });
    addStudy(h.store, 5);
    const job = h.manager.enqueueScreening('s_1', false);
    await h.manager.whenIdle();
    expect(h.store.jobs.get(job.id)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/stopped unexpectedly \(exit code 134\).*resume/) });
    expect(predictions(h.store)).toBe(2);
    h.launcher.behaviour = {};
    h.manager.resume(job.id);
    await h.manager.whenIdle();
    expect(h.launcher.processes).toHaveLength(2);
    const resumed = h.launcher.starts[1]!;
    expect(resumed.jobId).toBe(job.id);
    expect(screenedKeys(h, 1)).toEqual(['c_2', 'c_3', 'c_4']);
    expect(h.store.jobs.get(job.id)).toMatchObject({ status: 'done', error: null, progress: { done: 5, total: 5 } });
    expect(predictions(h.store)).toBe(5);
  });

  it('after a kill of the whole app, the running job is interrupted at start-up and resumes with the remaining items', async () => {
    const first = start({ hangAfter: 3 });
    addStudy(first.store, 5);
    const job = first.manager.enqueueScreening('s_1', false);
    await until(() => predictions(first.store) === 3, 'three predictions');
    expect(first.store.jobs.get(job.id)!.status).toBe('running');
    // The app dies: no orderly close, the database connection simply goes away, the job process with it.
    for (const p of first.launcher.processes) p.vanish();
    open.splice(open.findIndex((o) => o.store === first.store), 1);
    first.store.close();

    const second = start();
    expect(second.store.jobs.get(job.id)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/app stopped/) });
    second.manager.resume(job.id);
    await second.manager.whenIdle();
    expect(screenedKeys(second, 0)).toEqual(['c_3', 'c_4']);
    expect(second.store.jobs.get(job.id)!.status).toBe('done');
    expect(predictions(second.store)).toBe(5);
  });

  it('cancel marks the job at once; the process stops, or is killed after the grace period', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    const h = start({ predict: async () => {
      inFlight++;
      await gate;
      return columnPrediction(64, 64, 0.5);
    } });
    addStudy(h.store, 3);
    const job = h.manager.enqueueScreening('s_1', false);
    await until(() => inFlight === 1, 'the first item to be in flight');
    expect(h.manager.cancel(job.id).status).toBe('cancelled');
    release();
    await h.manager.whenIdle();
    expect(h.store.jobs.get(job.id)!.status).toBe('cancelled');
    expect(predictions(h.store)).toBe(1); // the item in flight is kept; no more were started

    // A process that no longer answers is killed.
    const frozen = start({ hangAfter: 0 });
    frozen.store.studies.insert({ id: 's_2', name: 'b', folder: '/b' });
    frozen.store.cases.insertMany([{ id: 'c_x', studyId: 's_2', file: '/b/x.jpg', name: 'x.jpg', width: 64, height: 64, format: 'JPEG', eye: 'unknown', patientId: null, problem: null }]);
    const stuck = frozen.manager.enqueueScreening('s_2', false);
    await until(() => frozen.launcher.processes[0]?.hung === true, 'the job process to freeze');
    frozen.manager.cancel(stuck.id);
    await frozen.manager.whenIdle();
    expect(frozen.launcher.processes[0]!.exited).toBe(true);
    expect(frozen.store.jobs.get(stuck.id)!.status).toBe('cancelled');
  });

  it('a queued job cancels without reaching the process; resume queues it again', async () => {
    const h = start();
    addStudy(h.store, 1);
    const job = h.manager.enqueueScreening('s_1', false);
    h.manager.cancel(job.id); // still queued: the loop has not run yet
    await h.manager.whenIdle();
    expect(h.store.jobs.get(job.id)!.status).toBe('cancelled');
    expect(h.launcher.starts).toHaveLength(0);
    h.manager.resume(job.id);
    await h.manager.whenIdle();
    expect(h.store.jobs.get(job.id)!.status).toBe('done');
    expect(() => h.manager.resume(job.id)).toThrow(/only interrupted, cancelled or failed/);
  });

  it('fails a job clearly when the process never becomes ready or reports a failure', async () => {
    const silent = start({ neverReady: true });
    addStudy(silent.store, 1);
    const job = silent.manager.enqueueScreening('s_1', false);
    await silent.manager.whenIdle();
    expect(silent.store.jobs.get(job.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/did not start within/) });

    silent.launcher.behaviour = { failWith: 'out of memory' };
    silent.manager.resume(job.id);
    await silent.manager.whenIdle();
    expect(silent.store.jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'out of memory' });
  });
});

describe('fine-tuning jobs', () => {
  function record(h: Harness, jobId: string, epochs: number): FinetuneJobRecord {
    const parent = h.registry.requireActive();
    return {
      kind: 'finetune',
      parentModelId: parent.row.id,
      parentModelDir: parent.dir,
      outModelDir: path.join(userData, 'models', 'ft-1'),
      runDir: path.join(userData, 'runs', jobId),
      train: [{ id: 'c_0', file: '/clinic/img0.jpg', mask: '/m.bmp' }],
      validation: [],
      replay: [],
      epochs,
      learningRate: 1e-5,
      batchSize: 1,
      seed: 1,
      modelId: 'ft-1',
      modelName: 'Fine-tuned',
    };
  }

  it('records the curves and registers the new version (not active) from the done message', async () => {
    const h = start();
    h.manager.enqueueFinetune('j_ft', record(h, 'j_ft', 3), 'Fine-tune');
    await h.manager.whenIdle();
    const job = h.store.jobs.dto(h.store.jobs.get('j_ft')!);
    expect(job).toMatchObject({ status: 'done', resultModelId: 'ft-1' });
    expect(job.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(job.epochs[2]).toMatchObject({ losses: { od: 1 / 3 }, validation: { odDice: 0.53 } });
    expect(h.store.models.get('ft-1')).toMatchObject({ parentId: BUNDLED_MODEL_ID, active: false, dir: path.join('models', 'ft-1'), jobId: 'j_ft', metrics: { odDice: 0.53 } });
    // The package's own validation record, with its note; the comparison with the parent is kept apart.
    expect(h.store.models.get('ft-1')).toMatchObject({ metricsNote: 'fixture', provenance: { kind: 'fine-tuned', corrections: 1, heldBack: 0 }, comparison: { cases: 0 } });
    expect(h.store.models.active()!.id).toBe(BUNDLED_MODEL_ID);
    expect(h.events.some((e) => e.type === 'models')).toBe(true);
  });

  it('a fine-tune killed mid-run registers nothing; resume continues from its checkpoint with resume: true and the same runDir', async () => {
    const h = start({ exitAfter: { count: 2, code: null } });
    const spec = record(h, 'j_ft', 4);
    h.manager.enqueueFinetune('j_ft', spec, 'Fine-tune');
    await h.manager.whenIdle();
    expect(h.store.jobs.get('j_ft')).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/killed by a signal/) });
    expect(h.store.models.get('ft-1')).toBeNull();
    expect(fs.existsSync(spec.outModelDir)).toBe(false);
    h.launcher.behaviour = {};
    h.manager.resume('j_ft');
    await h.manager.whenIdle();
    const [firstStart, secondStart] = h.launcher.starts;
    expect(firstStart!.spec).toMatchObject({ resume: false });
    expect(secondStart!.spec).toMatchObject({ resume: true, runDir: spec.runDir, outModelDir: spec.outModelDir });
    expect(h.store.jobs.dto(h.store.jobs.get('j_ft')!).epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(h.store.models.get('ft-1')).not.toBeNull();
  });

  it('a fine-tune cancelled before its done message leaves no model version', async () => {
    const h = start({ hangAfter: 1 });
    const spec = record(h, 'j_ft', 3);
    h.manager.enqueueFinetune('j_ft', spec, 'Fine-tune');
    await until(() => h.store.jobs.epochs('j_ft').length === 1, 'one epoch');
    h.manager.cancel('j_ft');
    await h.manager.whenIdle();
    expect(h.store.jobs.get('j_ft')!.status).toBe('cancelled');
    expect(h.store.models.list().map((m) => m.id)).toEqual([BUNDLED_MODEL_ID]);
  });
});
