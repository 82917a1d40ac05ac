// The API end to end: real store, registry, job manager and handlers over a
// temporary user-data folder; only the job process is the in-memory fake.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent, CaseSummary, LabelMapDto } from '../../../src-main/core/contract/contract';
import { callApi, dispatch } from '../../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { decodeBmp } from '../../../src-main/core/data/bmp';
import { parseCsv } from '../../../src-main/core/data/csv';
import { sigmoid } from '../../../src-main/core/decision/logistic';
import { decodeMaskAuto } from '../../../src-main/core/masks/refuge-mask';
import { BUNDLED_MODEL_ID } from '../../../src-main/core/registry/model-registry';
import { appHarness, codec, writeStudyFolder, type AppHarness } from './study-fixture';

let h: AppHarness;
afterEach(async () => {
  await h?.cleanup();
});

/** Imports the study folder and screens it; returns the cases by file name. */
async function importAndScreen(): Promise<{ studyId: string; byName: Map<string, CaseSummary> }> {
  const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
  const { study } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir });
  await callApi(h.services.handlers, 'screening.start', { studyId: study.id });
  await h.services.jobs.whenIdle();
  const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
  return { studyId: study.id, byName: new Map(cases.map((c) => [c.name, c])) };
}

/** A label map of the case's size: a disc over rows [top, top + disc) of one column, the cup over [top + cupStart, top + cupStart + cup). */
function columnMap(width: number, height: number, disc: number, cup: number): LabelMapDto {
  const labels = new Uint8Array(width * height);
  const x = Math.floor(width / 2);
  const top = 10;
  for (let y = top; y < top + disc; y++) labels[y * width + x] = 1;
  for (let y = top + 2; y < top + 2 + cup; y++) labels[y * width + x] = 2;
  return encodeLabelRuns(labels, width, height);
}

describe('studies', () => {
  it('imports a folder: readable images become cases, the rest are clear per-file problems', async () => {
    h = await appHarness();
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const events: AppEvent[] = [];
    h.services.events.subscribe((e) => events.push(e));
    const { study, problems } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir, name: 'Clinic A' });
    expect(study).toMatchObject({ name: 'Clinic A', folder: folder.dir, images: 8, failed: 3, screened: 0, byStatus: { unreviewed: 8, corrected: 0, approved: 0, ungradable: 0 } });
    const byFile = new Map(problems.map((p) => [path.basename(p.file), p.problem]));
    expect([...byFile.keys()].sort()).toEqual(['broken.png', 'huge.png', 'notes.txt', 'tiny.png']);
    expect(byFile.get('huge.png')).toBe('too large: 12000x10000 px is 120.0 megapixels (the limit is 100 megapixels)');
    expect(byFile.get('notes.txt')).toMatch(/not an image file/);
    expect(byFile.get('broken.png')).toMatch(/corrupt or truncated PNG/);
    expect(byFile.get('tiny.png')).toMatch(/too small: 20x20 px/);
    const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(byName.get('P001_OD.png')).toMatchObject({ eye: 'right', patientId: 'P001', width: 96, height: 88, problem: null });
    expect(byName.get('P002_L.jpg')).toMatchObject({ eye: 'left', patientId: 'P002' });
    expect(byName.get('grey.png')).toMatchObject({ eye: 'unknown', patientId: null });
    expect(byName.get('tiny.png')!.problem).toMatch(/too small/);
    expect(events).toEqual([{ type: 'study', studyId: study.id }]);
    expect(await callApi(h.services.handlers, 'studies.list', {})).toHaveLength(1);
  });

  it('removing a study removes its cases and heat maps, and cancels its screening', async () => {
    h = await appHarness();
    const { studyId, byName } = await importAndScreen();
    const heatmap = h.services.store.predictions.get(byName.get('P001_OD.png')!.id, BUNDLED_MODEL_ID)!.heatmaps.od!;
    expect(fs.existsSync(heatmap)).toBe(true);
    expect(await callApi(h.services.handlers, 'studies.remove', { studyId })).toEqual({ removed: true });
    expect(fs.existsSync(heatmap)).toBe(false);
    expect(await callApi(h.services.handlers, 'studies.list', {})).toEqual([]);
    expect(await dispatch(h.services.handlers, 'cases.get', { caseId: byName.get('P001_OD.png')!.id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await callApi(h.services.handlers, 'studies.remove', { studyId })).toEqual({ removed: false });
  });

  it('importing the folder again adds new images and keeps what was reviewed', async () => {
    h = await appHarness();
    const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
    const { study } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir });
    const first = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
    const p1 = first.find((c) => c.name === 'P001_OD.png')!;
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: p1.id, status: 'approved' });
    fs.copyFileSync(path.join(folder.dir, 'P001_OD.png'), path.join(folder.dir, 'P003_R.png'));
    fs.rmSync(path.join(folder.dir, 'grey.png'));
    const again = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir });
    expect(again.study.id).toBe(study.id);
    const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
    expect(cases.find((c) => c.id === p1.id)!.status).toBe('approved');
    expect(cases.find((c) => c.name === 'P003_R.png')).toMatchObject({ eye: 'right', patientId: 'P003' });
    expect(cases.find((c) => c.name === 'grey.png')!.problem).toMatch(/no longer found/);
  });

  it('refuses a folder that does not exist, naming it', async () => {
    h = await appHarness();
    const missing = path.join(h.root, 'nowhere');
    const result = await dispatch(h.services.handlers, 'studies.import', { folder: missing });
    expect(result).toEqual({ ok: false, error: { code: 'input-error', file: missing, message: `${missing}: image folder not found` } });
  });
});

describe('screening and review', () => {
  it('screens the readable images; a file that fails is a per-file problem and the rest works', async () => {
    h = await appHarness();
    const { studyId, byName } = await importAndScreen();
    for (const name of ['P001_OD.png', 'P002_L.jpg', 'grey.png', 'camera.bmp']) {
      expect(byName.get(name)!.prediction, name).toMatchObject({ modelId: BUNDLED_MODEL_ID, probability: 0.7, decision: 'glaucoma', vcdr: 0.5 });
    }
    expect(byName.get('truncated.jpg')).toMatchObject({ prediction: null, problem: expect.stringMatching(/truncated JPEG: premature end of JPEG image/) });
    expect(h.launcher.starts[0]!.spec.kind === 'screen' && h.launcher.starts[0]!.spec.items).toHaveLength(5);
    const [study] = await callApi(h.services.handlers, 'studies.list', {});
    expect(study).toMatchObject({ id: studyId, images: 8, screened: 4, failed: 4, suspects: 4 });
    const [job] = await callApi(h.services.handlers, 'jobs.list', {});
    expect(job).toMatchObject({ kind: 'screen', status: 'done', problems: [{ problem: expect.stringMatching(/truncated JPEG/) }] });
    const info = await callApi(h.services.handlers, 'app.info', {});
    expect(info).toMatchObject({ shell: 'browser', user: 'dr.test', activeModel: { id: BUNDLED_MODEL_ID, active: true, bundled: true }, backend: { device: 'fake' } });
  });

  it('lists the cases of a study in natural name order (the queue sorts them itself) and filters by status', async () => {
    h = await appHarness();
    const { studyId, byName } = await importAndScreen();
    const all = await callApi(h.services.handlers, 'cases.list', { studyId });
    expect(all.map((c) => c.name)).toEqual(['broken.png', 'camera.bmp', 'grey.png', 'huge.png', 'P001_OD.png', 'P002_L.jpg', 'tiny.png', 'truncated.jpg']);
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: byName.get('camera.bmp')!.id, status: 'ungradable', reason: 'blurred' });
    const ungradable = await callApi(h.services.handlers, 'cases.list', { studyId, status: 'ungradable' });
    expect(ungradable.map((c) => c.name)).toEqual(['camera.bmp']);
  });

  it('gives a case with its prediction, media paths served as images, and no annotation until the first edit', async () => {
    h = await appHarness();
    const { byName } = await importAndScreen();
    const bmp = byName.get('camera.bmp')!;
    const detail = await callApi(h.services.handlers, 'cases.get', { caseId: bmp.id });
    expect(detail.annotation).toBeNull();
    expect(detail.history).toEqual([]);
    expect(detail.predictedLabels).toMatchObject({ width: 72, height: 72 });
    expect(detail.media.image).toBe(`/media/case/${bmp.id}/image`);
    expect(detail.media.heatmapOd).toBe(`/media/case/${bmp.id}/heatmap/od?model=${BUNDLED_MODEL_ID}`);
    expect(detail.media.heatmapOc).toBeNull();
    const image = await h.services.media(detail.media.image, new URLSearchParams());
    // A BMP is converted: browsers cannot show it.
    expect(image.contentType).toBe('image/png');
    expect((await codec.probe(writeTemp(image.body))).width).toBe(72);
    const jpeg = await h.services.media(`/media/case/${byName.get('P002_L.jpg')!.id}/image`, new URLSearchParams());
    expect(jpeg.contentType).toBe('image/jpeg');
    const [p, q] = detail.media.heatmapOd!.split('?');
    const heat = await h.services.media(p!, new URLSearchParams(q));
    expect(heat).toMatchObject({ status: 200, contentType: 'image/png' });
    expect((await h.services.media('/media/case/c_nope/image', new URLSearchParams())).status).toBe(404);
    expect((await h.services.media(`/media/case/${bmp.id}/heatmap/od`, new URLSearchParams())).status).toBe(400);
  });

  it('keeps every annotation revision, refuses a stale one, and never changes the prediction', async () => {
    h = await appHarness();
    const { byName } = await importAndScreen();
    const c = byName.get('P002_L.jpg')!;
    const events: AppEvent[] = [];
    h.services.events.subscribe((e) => events.push(e));
    const first = columnMap(96, 96, 40, 10);
    const saved = await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: first, fovea: { x: 30, y: 40 }, note: 'brush on cup' });
    expect(saved.revision).toBe(1);
    expect(saved.summary.status).toBe('corrected');
    expect(saved.summary.corrected!.vcdr).toBeCloseTo(10 / 40, 12);
    const second = columnMap(96, 96, 40, 30);
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 1, labels: second, fovea: { x: 31, y: 40 }, note: 'moved fovea' });
    const stale = await dispatch(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 1, labels: first, fovea: null, note: 'late window' });
    expect(stale).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/revision 1, the current one is 2/) } });
    const detail = await callApi(h.services.handlers, 'cases.get', { caseId: c.id });
    expect(detail.annotation).toMatchObject({ revision: 2, labels: second, fovea: { x: 31, y: 40 }, author: 'dr.test' });
    expect(detail.history.map((r) => [r.revision, r.note, r.author])).toEqual([
      [1, 'brush on cup', 'dr.test'],
      [2, 'moved fovea', 'dr.test'],
    ]);
    expect(detail.prediction!.vcdr).toBe(0.5);
    expect(detail.predictedLabels).toEqual(h.services.store.predictions.get(c.id, BUNDLED_MODEL_ID)!.labels);
    expect(events.filter((e) => e.type === 'case')).toHaveLength(2);
    // Wrong size and a fovea outside the image are refused.
    const wrong = await dispatch(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 2, labels: columnMap(64, 64, 20, 5), fovea: null, note: '' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'the label map is 64x64 but P002_L.jpg is 96x96' } });
    const outside = await dispatch(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 2, labels: second, fovea: { x: 96, y: 3 }, note: '' });
    expect(outside).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const unreadable = await dispatch(h.services.handlers, 'cases.saveAnnotation', { caseId: byName.get('broken.png')!.id, baseRevision: 0, labels: second, fovea: null, note: '' });
    expect(unreadable).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^broken\.png could not be read \(corrupt/) } });
  });

  it('logs status changes with who, when and why', async () => {
    h = await appHarness();
    const { byName } = await importAndScreen();
    const c = byName.get('P001_OD.png')!;
    expect((await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved', reason: 'agree with the model' })).summary.status).toBe('approved');
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(96, 88, 30, 12), fovea: null, note: 'cup larger' });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    const events = h.services.store.cases.reviewEvents(c.id);
    expect(events.map((e) => [e.from, e.to, e.author, e.reason])).toEqual([
      ['unreviewed', 'approved', 'dr.test', 'agree with the model'],
      ['approved', 'corrected', 'dr.test', 'edited: cup larger'],
      ['corrected', 'approved', 'dr.test', null],
    ]);
    expect(events.every((e) => /^\d{4}-\d\d-\d\dT/.test(e.at))).toBe(true);
    const missing = await dispatch(h.services.handlers, 'cases.setStatus', { caseId: 'c_nope', status: 'approved' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('assesses an edited label map with the REFUGE vCDR and the mean of the network score and the regression', async () => {
    h = await appHarness();
    const { byName } = await importAndScreen();
    const c = byName.get('P002_L.jpg')!;
    const result = await callApi(h.services.handlers, 'cases.assess', { caseId: c.id, labels: columnMap(96, 96, 40, 30) });
    const vcdr = 30 / 40;
    // The fixture model's regression: sigmoid(-6 + 10 vCDR); the network said 0.7.
    const probability = (0.7 + sigmoid(-6 + 10 * vcdr)) / 2;
    expect(result.vcdr).toBeCloseTo(vcdr, 12);
    expect(result.probability).toBeCloseTo(probability, 12);
    expect(result.decision).toBe('glaucoma');
    const noDisc = await callApi(h.services.handlers, 'cases.assess', { caseId: c.id, labels: { width: 96, height: 96, runs: [0, 96 * 96] } });
    // No disc: no vCDR, no regression; the network's score alone remains.
    expect(noDisc).toEqual({ vcdr: null, probability: 0.7, decision: 'glaucoma' });
  });
});

function writeTemp(bytes: Uint8Array): string {
  const file = path.join(h.root, `tmp-${Math.random().toString(36).slice(2)}.png`);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('exports', () => {
  it('writes REFUGE BMP masks and the fovea CSV that the REFUGE readers read back, and PNG masks', async () => {
    h = await appHarness();
    const { studyId, byName } = await importAndScreen();
    const a = byName.get('P001_OD.png')!;
    const b = byName.get('P002_L.jpg')!;
    const labelsA = columnMap(96, 88, 30, 12);
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: a.id, baseRevision: 0, labels: labelsA, fovea: { x: 20.5, y: 44 }, note: 'x' });
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: b.id, baseRevision: 0, labels: columnMap(96, 96, 40, 8), fovea: null, note: 'y' });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: b.id, status: 'approved' });
    const out = path.join(h.root, 'export');
    const result = await callApi(h.services.handlers, 'export.corrections', { studyId, folder: out, formats: ['refuge', 'png'] });
    expect(result).toEqual({ folder: out, written: 2 });
    const bmp = decodeBmp(new Uint8Array(fs.readFileSync(path.join(out, 'P001_OD.bmp'))), 'P001_OD.bmp');
    expect(bmp.bitsPerPixel).toBe(8);
    const grey = await codec.readGrey(path.join(out, 'P001_OD.bmp'));
    const decoded = decodeMaskAuto(grey, 'P001_OD.bmp');
    expect(decoded.convention).toBe('refuge');
    const expected = new Uint8Array(96 * 88);
    const run = labelsA.runs;
    for (let k = 0, at = 0; k < run.length; k += 2) {
      expected.fill(run[k]!, at, at + run[k + 1]!);
      at += run[k + 1]!;
    }
    expect([...decoded.od.data]).toEqual([...expected].map((v) => (v > 0 ? 1 : 0)));
    expect([...decoded.oc.data]).toEqual([...expected].map((v) => (v === 2 ? 1 : 0)));
    const png = await codec.readGrey(path.join(out, 'P001_OD.png'));
    expect([...png.data]).toEqual([...grey.data]);
    const csv = parseCsv(fs.readFileSync(path.join(out, 'fovea_location_results.csv'), 'utf8'));
    expect(csv.header).toEqual(['ImageName', 'Fovea_X', 'Fovea_Y']);
    expect(csv.rows.map((r) => r.cells)).toEqual([['P001_OD.png', '20.5', '44']]);
    expect(fs.existsSync(path.join(out, 'P002_L.bmp'))).toBe(true);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const inside = await dispatch(h.services.handlers, 'export.corrections', { studyId, folder: path.join(h.root, 'clinic'), formats: ['refuge'] });
    expect(inside).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/outside the study's image folder/) } });
  });

  it('writes a self-contained HTML report; PDF needs a printer service', async () => {
    const printed: string[] = [];
    h = await appHarness({ printToPdf: async (html, file) => {
      printed.push(html);
      fs.writeFileSync(file, '%PDF-1.4 fake');
    } });
    const { byName } = await importAndScreen();
    const c = byName.get('P002_L.jpg')!;
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(96, 96, 40, 30), fovea: { x: 30, y: 40 }, note: 'x' });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved', reason: 'checked' });
    const out = path.join(h.root, 'reports');
    const { file } = await callApi(h.services.handlers, 'export.report', { caseId: c.id, format: 'html', folder: out });
    expect(file).toBe(path.join(out, 'P002_L-report.html'));
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/not for clinical use/);
    expect(html).toMatch(/<img alt="[^"]*expert&#39;s outlines[^"]*" src="data:image\/png;base64,[A-Za-z0-9+/=]{100,}">/);
    expect(html).toMatch(/Left eye \(OS\)/);
    expect(html).toMatch(/patient P002/);
    expect(html).toMatch(/Model default|Default model/);
    expect(html).toMatch(/0\.75/); // the expert's vCDR
    expect(html).toMatch(/dr\.test/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    const pdf = await callApi(h.services.handlers, 'export.report', { caseId: c.id, format: 'pdf', folder: out });
    expect(pdf.file).toBe(path.join(out, 'P002_L-report.pdf'));
    expect(printed).toHaveLength(1);

    await h.cleanup();
    h = await appHarness();
    const again = await importAndScreen();
    const noPrinter = await dispatch(h.services.handlers, 'export.report', { caseId: again.byName.get('P002_L.jpg')!.id, format: 'pdf', folder: out });
    expect(noPrinter).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/PDF reports need the desktop app.*choose HTML/) } });
  });
});

describe('fine-tuning and model versions', () => {
  it('needs two training corrections, holds back a fifth, writes REFUGE masks, and registers a new version to activate or roll back', async () => {
    h = await appHarness();
    const { byName } = await importAndScreen();
    const none = await callApi(h.services.handlers, 'finetune.preview', {});
    expect(none).toEqual({ approved: 0, training: 0, validation: 0, earlier: 0, minimum: 2, heldBackMinimum: 5 });
    const tooFew = await dispatch(h.services.handlers, 'finetune.start', {});
    expect(tooFew).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/at least 2 approved corrections/) } });

    const sizes: Record<string, [number, number]> = { 'P001_OD.png': [96, 88], 'P002_L.jpg': [96, 96], 'grey.png': [80, 72] };
    for (const [name, [w, hgt]] of Object.entries(sizes)) {
      const c = byName.get(name)!;
      await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(w, hgt, 30, 10), fovea: name === 'grey.png' ? null : { x: 12, y: 13 }, note: 'x' });
      await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    expect(await callApi(h.services.handlers, 'finetune.preview', {})).toEqual({ approved: 3, training: 2, validation: 1, earlier: 0, minimum: 2, heldBackMinimum: 5 });
    const spec = h.launcher.starts.length; // the screening's start came first
    const { job } = await callApi(h.services.handlers, 'finetune.start', { epochs: 3 });
    expect(job).toMatchObject({ kind: 'finetune', status: 'queued' });
    await h.services.jobs.whenIdle();
    const start = h.launcher.starts[spec]!;
    if (start.spec.kind !== 'finetune') throw new Error('expected a fine-tune');
    expect(start.spec.train).toHaveLength(2);
    expect(start.spec.validation).toHaveLength(1);
    expect(start.spec.replay).toEqual([]);
    expect(start.spec.epochs).toBe(3);
    for (const image of [...start.spec.train, ...start.spec.validation]) {
      expect(image.glaucoma).toBeUndefined();
      const mask = await codec.readGrey(image.mask!);
      expect(new Set(mask.data)).toEqual(new Set([0, 128, 255]));
      expect(image.mask!.startsWith(path.join(h.userData, 'runs', job.id))).toBe(true);
    }
    const done = (await callApi(h.services.handlers, 'jobs.list', {})).find((j) => j.id === job.id)!;
    expect(done).toMatchObject({ status: 'done', epochs: [{ epoch: 0 }, { epoch: 1 }, { epoch: 2 }] });
    const models = await callApi(h.services.handlers, 'models.list', {});
    expect(models.map((m) => [m.id, m.parentId, m.active])).toEqual([
      [BUNDLED_MODEL_ID, null, true],
      [done.resultModelId, BUNDLED_MODEL_ID, false],
    ]);
    // Each version says its glaucoma decision rule (read from its package).
    expect(models.map((m) => m.decision)).toEqual([expect.stringMatching(/\w/), expect.stringMatching(/\w/)]);
    // One held-back case: the comparison is stored, and says it is too few to tell.
    expect(models[1]!.provenance).toEqual({ kind: 'fine-tuned', corrections: 2, heldBack: 1 });
    expect(models[1]!.comparison).toMatchObject({ cases: 1, minimumCases: 5 });
    expect(models[1]!.comparison!.metrics.every((m) => m.verdict === 'too-few-cases' && m.result === null)).toBe(true);
    const activated = await callApi(h.services.handlers, 'models.activate', { modelId: done.resultModelId! });
    expect(activated.model.active).toBe(true);
    expect((await callApi(h.services.handlers, 'app.info', {})).activeModel!.id).toBe(done.resultModelId);
    // Nothing of the study has a prediction from the new version yet.
    expect((await callApi(h.services.handlers, 'studies.list', {}))[0]!.screened).toBe(0);
    await callApi(h.services.handlers, 'models.activate', { modelId: BUNDLED_MODEL_ID }); // roll back to the parent
    expect((await callApi(h.services.handlers, 'models.list', {})).filter((m) => m.active).map((m) => m.id)).toEqual([BUNDLED_MODEL_ID]);
  });

  it('never reads the training data named in the parent manifest (a path on the machine that trained it)', async () => {
    const rootData = path.join((await import('node:os')).tmpdir(), `gs-replay-${process.pid}`);
    fs.rmSync(rootData, { recursive: true, force: true });
    const { writeSyntheticRefuge } = await import('../../../src-main/core/data/synth');
    await writeSyntheticRefuge(rootData, { count: 10, seed: 3, width: 64, height: 64, splits: ['train'] }, codec);
    try {
      h = await appHarness({ training: { data: `refuge:${rootData}` } });
      const { byName } = await importAndScreen();
      for (const name of ['P001_OD.png', 'P002_L.jpg']) {
        const c = byName.get(name)!;
        await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(c.width!, c.height!, 30, 10), fovea: null, note: 'x' });
        await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
      }
      expect(await callApi(h.services.handlers, 'finetune.preview', {})).toMatchObject({ training: 2, validation: 0, earlier: 0 });
      await callApi(h.services.handlers, 'finetune.start', { epochs: 1 });
      await h.services.jobs.whenIdle();
      const start = h.launcher.starts.at(-1)!;
      if (start.spec.kind !== 'finetune') throw new Error('expected a fine-tune');
      expect(start.spec.replay).toEqual([]);
      expect(start.spec.train.every((t) => !t.file.startsWith(rootData))).toBe(true);
      // The next fine-tune trains on the same corrections again (they are the user's own replay).
      expect(await callApi(h.services.handlers, 'finetune.preview', {})).toMatchObject({ training: 2, earlier: 2 });
    } finally {
      fs.rmSync(rootData, { recursive: true, force: true });
    }
  });
});

describe('validation at the door', () => {
  it('refuses unknown calls and invalid input before any handler runs', async () => {
    h = await appHarness();
    expect(await dispatch(h.services.handlers, 'cases.delete', {})).toMatchObject({ ok: false, error: { code: 'not-found', message: 'unknown API call "cases.delete"' } });
    expect(await dispatch(h.services.handlers, 'cases.list', { studyId: 's', status: 'random' })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^cases\.list: status: /) } });
    expect(await dispatch(h.services.handlers, 'studies.list', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const badRuns = await dispatch(h.services.handlers, 'cases.assess', { caseId: 'c', labels: { width: 2, height: 2, runs: [0, 3] } });
    expect(badRuns).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/cover the image exactly/) } });
    expect(await dispatch(h.services.handlers, 'cases.get', { caseId: 'c_nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
