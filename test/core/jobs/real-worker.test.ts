// The job manager with the real job process (src-main/worker/main.ts, forked
// through tsx) and a tiny real model package: screening, a SIGKILL of the job
// process in the middle of a run, resume, and a fine-tune that produces a
// model version. Slower than the fake-process tests (TensorFlow starts in the
// child), so it covers only what the fake cannot: the two real sides agreeing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src-main/app/services';
import { callApi } from '../../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import type { JobChannel, JobProcessLauncher } from '../../../src-main/core/jobs/launcher';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { defaultPreprocessing, saveModelPackage } from '../../../src-main/core/model/package';
import { defaultWorkerEntry, forkLauncher } from '../../../src-main/platform/fork-launcher';
import { selectBackend } from '../../../src-main/platform/tf-backend';
import { codec, writeStudyFolder } from '../api/study-fixture';

let root: string;
let services: Services;
const channels: JobChannel[] = [];

/** The real launcher, remembering its channels so the test can kill the process. */
function recording(inner: JobProcessLauncher): JobProcessLauncher {
  return {
    launch() {
      const channel = inner.launch();
      channels.push(channel);
      return channel;
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  await selectBackend('cpu'); // only to initialise the tiny model's weights here; the child picks its own backend
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-real-worker-'));
  const modelDir = path.join(root, 'resources', 'model');
  const net = MultiTaskUNet.create({ variant: 'vgg16', width: 1 / 16, inputSize: 64, normalization: 'batch', glaucomaDropout: 0.5, glaucomaHidden: 0 }, 1);
  await saveModelPackage(
    modelDir,
    {
      id: 'tiny',
      name: 'Tiny',
      createdAt: '2026-01-01T00:00:00.000Z',
      trainedTasks: ['glaucoma', 'od', 'oc', 'fovea'],
      preprocessing: defaultPreprocessing(64),
      vcdrRegression: { intercept: -6, slope: 10, fittedOn: 'test', samples: 10 },
      dataCard: { source: 'random weights', licence: 'none', intendedUse: 'tests', images: 0, labels: {} },
      training: {},
      validation: null,
      parent: null,
    },
    [{ id: 'main', tasks: ['glaucoma', 'od', 'oc', 'fovea'], input: { kind: 'full-image' }, net }],
  );
  net.dispose();
  services = createServices({
    userDataDir: path.join(root, 'user-data'),
    bundledModelDir: modelDir,
    folderRoots: [root],
    launcher: recording(forkLauncher(defaultWorkerEntry(), { onStderr: () => {} })),
    shell: 'browser',
    appVersion: 'test',
    user: 'dr.test',
    codec,
    jobTuning: { progressIntervalMs: 0 },
    log: () => {},
  });
});

afterAll(async () => {
  await services?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the job manager with the real job process', () => {
  it('screens, survives a killed job process by resuming the rest, and registers a fine-tuned version', async () => {
    const folder = await writeStudyFolder(path.join(root, 'clinic'));
    for (let i = 0; i < 6; i++) fs.copyFileSync(path.join(folder.dir, 'P002_L.jpg'), path.join(folder.dir, `copy${i}.jpg`));
    const { study } = await callApi(services.handlers, 'studies.import', { folder: folder.dir });
    const predictions = (): number => (services.store.db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;

    const { job } = await callApi(services.handlers, 'screening.start', { studyId: study.id });
    await until(() => predictions() >= 1, 'a first prediction');
    channels[0]!.kill();
    await services.jobs.whenIdle();
    const killed = services.store.jobs.get(job.id)!;
    const screenedBeforeKill = predictions();
    // 11 readable images: the kill came before the end (or, on a very fast machine, just after it).
    if (screenedBeforeKill < 11) expect(killed).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/stopped unexpectedly/) });

    if (killed.status === 'interrupted') await callApi(services.handlers, 'jobs.resume', { jobId: job.id });
    await services.jobs.whenIdle();
    expect(services.store.jobs.get(job.id)).toMatchObject({ status: 'done', progress: { done: 11, total: 11 } });
    expect(channels.length).toBe(killed.status === 'interrupted' ? 2 : 1);
    const cases = await callApi(services.handlers, 'cases.list', { studyId: study.id });
    expect(cases.filter((c) => c.prediction !== null)).toHaveLength(10);
    expect(cases.find((c) => c.name === 'truncated.jpg')!.problem).toMatch(/truncated JPEG/);
    const detail = await callApi(services.handlers, 'cases.get', { caseId: cases.find((c) => c.name === 'P001_OD.png')!.id });
    expect(detail.predictedLabels).toMatchObject({ width: 96, height: 88 });
    expect(detail.media.heatmapOd).not.toBeNull();
    const [p, q] = detail.media.heatmapOd!.split('?');
    expect(await services.media(p!, new URLSearchParams(q))).toMatchObject({ status: 200, contentType: 'image/png' });

    for (const name of ['P001_OD.png', 'P002_L.jpg', 'camera.bmp']) {
      const c = cases.find((x) => x.name === name)!;
      const data = new Uint8Array(c.width! * c.height!);
      for (let y = 20; y < 50; y++) for (let x = 30; x < 50; x++) data[y * c.width! + x] = y > 28 && y < 40 ? 2 : 1;
      await callApi(services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: encodeLabelRuns(data, c.width!, c.height!), fovea: { x: 10, y: 10 }, note: 'x' });
      await callApi(services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    const finetune = await callApi(services.handlers, 'finetune.start', { epochs: 1 });
    await services.jobs.whenIdle();
    const done = services.store.jobs.dto(services.store.jobs.get(finetune.job.id)!);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'done', epochs: [{ epoch: 0 }] });
    const version = services.store.models.get(done.resultModelId!)!;
    expect(version).toMatchObject({ parentId: 'bundled-default', active: false, provenance: { kind: 'fine-tuned', corrections: 2, heldBack: 1 } });
    // The job process scored the held-back case with both models; one case is too few to tell.
    expect(version.comparison).toMatchObject({ cases: 1, minimumCases: 5 });
    expect(version.comparison!.metrics.map((m) => [m.key, m.verdict, m.result])).toEqual([
      ['odDice', 'too-few-cases', null],
      ['ocDice', 'too-few-cases', null],
      ['vcdrError', 'too-few-cases', null],
    ]);
    expect(fs.existsSync(path.join(services.registry.dirOf(version), 'model.json'))).toBe(true);
  });
});
