// Killing the app in the middle of a screening or a fine-tune, then starting
// it again over the same user-data folder: no correction lost, no half-written
// model version, the run marked interrupted and resumable.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabelMapDto } from '../../../src-main/core/contract/contract';
import { callApi } from '../../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { appHarness, readingBehaviour, writeStudyFolder, type AppHarness } from './study-fixture';

let h: AppHarness;
afterEach(async () => {
  await h?.cleanup();
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The app dies: no orderly shutdown, the database connection just goes away, and the job process with it. */
function kill(harness: AppHarness): void {
  for (const p of harness.launcher.processes) p.vanish();
  harness.services.store.close();
}

function labels(width: number, height: number, cupRows: number): LabelMapDto {
  const data = new Uint8Array(width * height);
  for (let y = 10; y < 40; y++) data[y * width + 20] = y < 10 + cupRows ? 2 : 1;
  return encodeLabelRuns(data, width, height);
}

const predictionCount = (harness: AppHarness): number => (harness.services.store.db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;

describe('kill and restart', () => {
  it('a screening killed half way is interrupted at the next start, resumes with the remaining images, and no annotation is lost', async () => {
    h = await appHarness({ behaviour: { ...readingBehaviour(), hangAfter: 2 } });
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const { study } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir });
    const { job } = await callApi(h.services.handlers, 'screening.start', { studyId: study.id });
    await until(() => predictionCount(h) === 2, 'two screened images');
    const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
    const edited = cases.find((c) => c.name === 'P002_L.jpg')!;
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: edited.id, baseRevision: 0, labels: labels(96, 96, 10), fovea: null, note: 'first' });
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: edited.id, baseRevision: 1, labels: labels(96, 96, 20), fovea: { x: 50, y: 50 }, note: 'second' });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: edited.id, status: 'approved', reason: 'done' });
    const screened = new Set(h.services.store.db.prepare('SELECT case_id FROM predictions').all().map((r) => (r as { case_id: string }).case_id));
    kill(h);

    const services = h.restart({ ...readingBehaviour() });
    expect(services.notes).toContainEqual(expect.stringMatching(/1 job\(s\) were interrupted/));
    const [interrupted] = await callApi(services.handlers, 'jobs.list', {});
    expect(interrupted).toMatchObject({ id: job.id, status: 'interrupted', error: expect.stringMatching(/resume/) });
    const detail = await callApi(services.handlers, 'cases.get', { caseId: edited.id });
    expect(detail.history.map((r) => r.note)).toEqual(['first', 'second']);
    expect(detail.annotation).toMatchObject({ revision: 2, fovea: { x: 50, y: 50 } });
    expect(detail.summary.status).toBe('approved');

    const before = h.launcher.starts.length;
    await callApi(services.handlers, 'jobs.resume', { jobId: job.id });
    await services.jobs.whenIdle();
    const resumed = h.launcher.starts[before]!;
    if (resumed.spec.kind !== 'screen') throw new Error('expected a screening');
    const keys = resumed.spec.items.map((i) => i.key);
    // Only the readable images still without a prediction: 5 readable, 2 done before the kill.
    expect(keys).toHaveLength(3);
    expect(keys.filter((k) => screened.has(k))).toEqual([]);
    const [done] = await callApi(services.handlers, 'jobs.list', {});
    expect(done).toMatchObject({ status: 'done', progress: { done: 5, total: 5 } });
    expect((await callApi(services.handlers, 'studies.list', {}))[0]).toMatchObject({ screened: 4, failed: 4 });
  });

  it('a fine-tune killed mid-run leaves no model version; after the restart it resumes from its checkpoint', async () => {
    h = await appHarness();
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const { study } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir });
    const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
    for (const name of ['P002_L.jpg', 'camera.bmp']) {
      const c = cases.find((x) => x.name === name)!;
      await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: labels(c.width!, c.height!, 10), fovea: null, note: 'x' });
      await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    h.launcher.behaviour = { hangAfter: 2 };
    const { job } = await callApi(h.services.handlers, 'finetune.start', { epochs: 4 });
    await until(() => h.services.store.jobs.epochs(job.id).length === 2, 'two epochs');
    kill(h);

    const services = h.restart({});
    expect(await callApi(services.handlers, 'models.list', {})).toHaveLength(1);
    const modelsDir = path.join(h.userData, 'models');
    expect(fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir) : []).toEqual([]);
    const [interrupted] = await callApi(services.handlers, 'jobs.list', {});
    expect(interrupted).toMatchObject({ id: job.id, status: 'interrupted', epochs: [{ epoch: 0 }, { epoch: 1 }] });
    const before = h.launcher.starts.length;
    await callApi(services.handlers, 'jobs.resume', { jobId: job.id });
    await services.jobs.whenIdle();
    const [first] = h.launcher.starts.filter((s) => s.jobId === job.id);
    const resumed = h.launcher.starts[before]!;
    expect(resumed.spec).toMatchObject({ kind: 'finetune', resume: true });
    expect(resumed.spec).toEqual({ ...first!.spec, resume: true });
    const [done] = await callApi(services.handlers, 'jobs.list', {});
    expect(done).toMatchObject({ status: 'done', epochs: [{ epoch: 0 }, { epoch: 1 }, { epoch: 2 }, { epoch: 3 }] });
    const models = await callApi(services.handlers, 'models.list', {});
    expect(models.map((m) => m.id)).toEqual(['bundled-default', done!.resultModelId]);
  });
});
