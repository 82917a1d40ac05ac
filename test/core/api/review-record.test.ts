// A decision is a signed record: approving stores the assessment as shown,
// and no later model change (activate another version, re-screen, roll back)
// changes it; every change of status or assessment is in the audit trail.
// Real store, registry, job manager and handlers; only the job process is the
// in-memory fake (its predictions are set per step).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseSummary, LabelMapDto } from '../../../src-main/core/contract/contract';
import { callApi, dispatch } from '../../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { parseCsv } from '../../../src-main/core/data/csv';
import { BUNDLED_MODEL_ID } from '../../../src-main/core/registry/model-registry';
import { columnPrediction } from '../jobs/fake-job-process';
import { appHarness, codec, importAndScreen, type AppHarness } from './study-fixture';

let h: AppHarness;
afterEach(async () => {
  await h?.cleanup();
});

/** The fake job process predicts a fixed disc and cup and this network score for every readable image. */
function predicting(network: number) {
  return {
    predict: async (file: string) => {
      const image = await codec.readRgb(file);
      return columnPrediction(image.width, image.height, network);
    },
  };
}

function columnMap(width: number, height: number, disc: number, cup: number): LabelMapDto {
  const labels = new Uint8Array(width * height);
  const x = Math.floor(width / 2);
  for (let y = 10; y < 10 + disc; y++) labels[y * width + x] = 1;
  for (let y = 12; y < 12 + cup; y++) labels[y * width + x] = 2;
  return encodeLabelRuns(labels, width, height);
}

const summaryOf = async (caseId: string): Promise<CaseSummary> => (await callApi(h.services.handlers, 'cases.get', { caseId })).summary;
const kinds = async (caseId: string): Promise<string[]> => (await callApi(h.services.handlers, 'cases.get', { caseId })).audit.map((e) => e.kind);

describe('the signed record and the audit trail', () => {
  it('approve, activate a fine-tuned model, re-screen, roll back: the approved record never changes and every step is logged', async () => {
    h = await appHarness({ behaviour: predicting(0.7) });
    const { studyId, byName } = await importAndScreen(h);
    const corrected = byName.get('P001_OD.png')!;
    const asScreened = byName.get('P002_L.jpg')!;
    const grey = byName.get('grey.png')!;
    expect(corrected.prediction).toMatchObject({ modelId: BUNDLED_MODEL_ID, modelName: 'Default model', fromActiveModel: true, probability: 0.7 });

    // Two corrected approvals (enough to fine-tune) and one approval of the model's output as it was.
    for (const c of [corrected, grey]) {
      await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(c.width!, c.height!, 30, 10), fovea: null, note: 'cup redrawn' });
      await callApi(h.services.handlers, 'cases.setCall', { caseId: c.id, referral: 'refer', grade: 'suspect' });
      await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    }
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: asScreened.id, status: 'approved' });

    const signed = (await summaryOf(corrected.id)).approval!;
    expect(signed).toMatchObject({ reviewer: 'dr.test', revision: 1, modelId: BUNDLED_MODEL_ID, modelName: 'Default model', threshold: 0.5, rule: 'paper', referral: 'refer', grade: 'suspect', modelProbability: 0.7 });
    // vCDR 10/30 by the REFUGE rule; P = mean of the network (0.7) and the vCDR regression sigmoid(-6 + 10 * vCDR).
    expect(signed.vcdr).toBeCloseTo(1 / 3, 6);
    expect(signed.probability).toBeCloseTo((0.7 + 1 / (1 + Math.exp(6 - 10 / 3))) / 2, 6);
    const signedAsScreened = (await summaryOf(asScreened.id)).approval!;
    expect(signedAsScreened).toMatchObject({ revision: null, modelId: BUNDLED_MODEL_ID, probability: 0.7, vcdr: 0.5, decision: 'glaucoma' });
    expect((await summaryOf(corrected.id)).sinceApproval).toBeNull();

    // A fine-tune on the two corrections, then activate the new version.
    const { job } = await callApi(h.services.handlers, 'finetune.start', { epochs: 1 });
    await h.services.jobs.whenIdle();
    const child = (await callApi(h.services.handlers, 'jobs.list', {})).find((j) => j.id === job.id)!.resultModelId!;
    await callApi(h.services.handlers, 'models.activate', { modelId: child });
    let now = await summaryOf(corrected.id);
    expect(now.approval).toEqual(signed);
    // The new model has no network score for the case: its assessment of the same corrected disc and cup differs, and says so beside the record.
    expect(now.sinceApproval).toMatchObject({ modelId: child });
    expect(now.sinceApproval!.probability).toBeCloseTo(1 / (1 + Math.exp(6 - 10 / 3)), 6);
    expect((await summaryOf(asScreened.id)).approval).toEqual(signedAsScreened);
    const study = (await callApi(h.services.handlers, 'studies.list', {})).find((s) => s.id === studyId)!;
    expect(study).toMatchObject({ screened: 0, screenedByOther: 4 });

    // Re-screen with the new model, which now sees these photographs differently.
    h.launcher.behaviour = predicting(0.2);
    await callApi(h.services.handlers, 'screening.start', { studyId, rescreen: true });
    await h.services.jobs.whenIdle();
    const rescreened = await summaryOf(asScreened.id);
    expect(rescreened.approval).toEqual(signedAsScreened);
    expect(rescreened.prediction).toMatchObject({ modelId: child, fromActiveModel: true, probability: 0.2 });
    expect(rescreened.sinceApproval).toMatchObject({ modelId: child, probability: 0.2, decision: 'normal' });
    expect((await callApi(h.services.handlers, 'cases.list', { studyId })).find((c) => c.id === corrected.id)!.approval).toEqual(signed);
    expect((await callApi(h.services.handlers, 'studies.list', {})).find((s) => s.id === studyId)!).toMatchObject({ screened: 4, screenedByOther: 0 });

    // Roll back to the parent: its own assessment again, equal to what was signed, so nothing is flagged.
    await callApi(h.services.handlers, 'models.activate', { modelId: BUNDLED_MODEL_ID });
    now = await summaryOf(corrected.id);
    expect(now.approval).toEqual(signed);
    expect(now.sinceApproval).toBeNull();
    expect((await summaryOf(asScreened.id)).sinceApproval).toBeNull();

    // Every step is in the trail, in order.
    expect(await kinds(corrected.id)).toEqual(['prediction', 'annotation', 'status', 'referral', 'grade', 'status', 'approved', 'model', 'prediction', 'model']);
    expect(await kinds(asScreened.id)).toEqual(['prediction', 'status', 'approved', 'model', 'prediction', 'model']);
    const trail = (await callApi(h.services.handlers, 'cases.get', { caseId: asScreened.id })).audit;
    expect(trail.map((e) => e.detail)).toEqual([
      'model Default model (bundled-default) predicted P 70 %, vCDR 0.50, glaucoma suspect',
      'unreviewed → approved',
      `approved: P 70 %, vCDR 0.50, glaucoma suspect by model Default model (bundled-default), threshold 0.50`,
      expect.stringMatching(new RegExp(`^active model changed: Default model \\(bundled-default\\) → .+ \\(${child}\\); no prediction from it yet \\(re-screen to get one\\); the signed approval is kept$`)),
      expect.stringMatching(new RegExp(`^model .+ \\(${child}\\) predicted P 20 %, vCDR 0.50, normal$`)),
      expect.stringMatching(/^active model changed: .+ → Default model \(bundled-default\); its prediction: P 70 %; the signed approval is kept$/),
    ]);
    expect(trail.every((e) => e.author.length > 0 && e.at.length > 0)).toBe(true);
    expect(trail.filter((e) => e.kind === 'model').map((e) => e.author)).toEqual(['dr.test', 'dr.test']);

    // The record cannot be edited, even by hand in the database.
    expect(() => h.services.store.db.prepare('UPDATE approvals SET probability = 0.1').run()).toThrow(/never changed/);
    expect(() => h.services.store.db.prepare("UPDATE audit_events SET detail = 'x'").run()).toThrow(/append-only/);
  });

  it('un-approving withdraws the record (logged, kept in the history) and approving again signs a new one', async () => {
    h = await appHarness({ behaviour: predicting(0.7) });
    const { byName } = await importAndScreen(h);
    const c = byName.get('P002_L.jpg')!;
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    const first = (await summaryOf(c.id)).approval!;
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: c.id, baseRevision: 0, labels: columnMap(c.width!, c.height!, 30, 20), fovea: null, note: 'cup enlarged' });
    const reopened = await summaryOf(c.id);
    expect(reopened).toMatchObject({ status: 'corrected', approval: null, sinceApproval: null });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved', reason: 'checked' });
    const second = (await summaryOf(c.id)).approval!;
    expect(second.revision).toBe(1);
    expect(second.vcdr).toBeCloseTo(20 / 30, 6);
    expect(h.services.store.approvals.history(c.id)).toEqual([first, second]);
    expect(await kinds(c.id)).toEqual(['prediction', 'status', 'approved', 'annotation', 'status', 'unapproved', 'status', 'approved']);
    // Approving an approved case again signs nothing new.
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    expect(h.services.store.approvals.history(c.id)).toHaveLength(2);
  });
});

describe("the clinician's own call", () => {
  it('stores referral, reason, grade, notes, eye and patient id, each change logged; a reason only with ungradable', async () => {
    h = await appHarness({ behaviour: predicting(0.7) });
    const { byName } = await importAndScreen(h);
    const c = byName.get('P001_OD.png')!;
    expect(c).toMatchObject({ eye: 'right', patientId: 'P001', call: null });
    let s = (await callApi(h.services.handlers, 'cases.setCall', { caseId: c.id, referral: 'ungradable', referralReason: 'media opacity', grade: 'glaucoma', notes: 'see OCT' })).summary;
    expect(s.call).toMatchObject({ referral: 'ungradable', referralReason: 'media opacity', grade: 'glaucoma', notes: 'see OCT', author: 'dr.test' });
    s = (await callApi(h.services.handlers, 'cases.setCall', { caseId: c.id, referral: 'refer', eye: 'left', patientId: ' P009 ' })).summary;
    expect(s).toMatchObject({ eye: 'left', patientId: 'P009', call: { referral: 'refer', referralReason: null, grade: 'glaucoma', notes: 'see OCT' } });
    // Nothing given, nothing changed, nothing logged.
    await callApi(h.services.handlers, 'cases.setCall', { caseId: c.id, grade: 'glaucoma' });
    const trail = (await callApi(h.services.handlers, 'cases.get', { caseId: c.id })).audit.slice(1);
    expect(trail.map((e) => `${e.kind}: ${e.detail}`)).toEqual([
      'referral: referral: none → ungradable (media opacity)',
      'grade: glaucoma grade: none → glaucoma',
      'notes: notes: see OCT',
      'eye: eye: right → left',
      'patient: patient id: P001 → P009',
      'referral: referral: ungradable (media opacity) → refer',
    ]);
    // It survives a restart.
    await h.services.close();
    h.restart();
    expect((await summaryOf(c.id)).call).toMatchObject({ referral: 'refer', grade: 'glaucoma', notes: 'see OCT' });
    expect(await dispatch(h.services.handlers, 'cases.setCall', { caseId: c.id, grade: 'maybe' } as never)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('exports one CSV row per case with both decisions, the model id and the reviewer, formula-like notes made inert', async () => {
    h = await appHarness({ behaviour: predicting(0.7) });
    const { studyId, byName } = await importAndScreen(h);
    const c = byName.get('P001_OD.png')!;
    await callApi(h.services.handlers, 'cases.setCall', { caseId: c.id, referral: 'refer', grade: 'suspect', notes: '=HYPERLINK("http://x","y"), rim thin' });
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: c.id, status: 'approved' });
    const out = path.join(h.root, 'out');
    const { file, rows } = await callApi(h.services.handlers, 'export.casesCsv', { studyId, folder: out });
    expect(file).toBe(path.join(out, 'Clinic-cases.csv'));
    expect(rows).toBe(8);
    const table = parseCsv(fs.readFileSync(file, 'utf8'));
    const records = table.rows.map((r) => Object.fromEntries(table.header.map((name, i) => [name, r.cells[i] ?? ''])));
    const row = records.find((r) => r.image === 'P001_OD.png')!;
    expect(row).toMatchObject({
      patient_id: 'P001', eye: 'right', status: 'approved', vcdr: '0.5', probability: '0.7', decision: 'glaucoma', decision_model_id: BUNDLED_MODEL_ID,
      model_probability: '0.7', model_decision: 'glaucoma', model_id: BUNDLED_MODEL_ID, model_name: 'Default model', model_is_active: 'yes',
      model_changed_since_approval: 'no', referral: 'refer', grade: 'suspect', reviewer: 'dr.test', threshold: '0.5',
      notes: `'=HYPERLINK("http://x","y"), rim thin`,
    });
    expect(row.approved_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(records.find((r) => r.image === 'grey.png')).toMatchObject({ status: 'unreviewed', referral: '', reviewer: '' });
    // The case report carries the clinician's call and what she signed.
    const report = await callApi(h.services.handlers, 'export.report', { caseId: c.id, format: 'html', folder: out });
    const html = fs.readFileSync(report.file, 'utf8');
    expect(html).toContain('<tr><th scope="row">Referral</th><td>Refer</td></tr>');
    expect(html).toContain('<tr><th scope="row">Glaucoma grade</th><td>suspect</td></tr>');
    expect(html).toContain('<tr><th scope="row">Signed assessment</th><td>70.0 % · vCDR 0.50 · Suspected glaucoma — refer</td></tr>');
    expect(html).toContain('=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;), rim thin');

    // The study report lists every case with the model's result and model, the signed record and the call, patient by patient.
    const study = await callApi(h.services.handlers, 'export.studyReport', { studyId, folder: out });
    expect(study.file).toBe(path.join(out, 'Clinic-study-report.html'));
    const page = fs.readFileSync(study.file, 'utf8');
    expect(page).toContain('8 cases · 1 approved · 1 referred. Active model: Default model (bundled-default).');
    expect(page).toContain('<tr><td>P001</td><td>OD</td><td>P001_OD.png</td><td>70 % · vCDR 0.50 · glaucoma suspect (Default model, bundled-default) at P ≥ 0.500 (the paper&#39;s rule)</td><td>70 % · vCDR 0.50 · glaucoma suspect — dr.test, ');
    expect(page).toContain('<td>Refer</td><td>suspect</td><td>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;), rim thin</td></tr>');
    // Patient P001 comes before P002, and cases without a patient id after both.
    expect(page.indexOf('P001_OD.png')).toBeLessThan(page.indexOf('P002_L.jpg'));
    expect(page.indexOf('P002_L.jpg')).toBeLessThan(page.indexOf('grey.png'));
  });
});
