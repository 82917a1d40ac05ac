// The app's operating point (one target specificity for every study): the
// setting is persisted and audited with its old and new values, every
// unsigned decision is made again from its stored probability, a new
// screening decides at it, signed approvals never change, and bad values are
// refused with a clear error. Real store, registry, job manager and handlers;
// the job process is the in-memory fake, the package a manifest whose
// decision model stores out-of-fold ROC counts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../../src-main/core/contract/contract';
import { callApi, dispatch } from '../../../src-main/core/contract/dispatch';
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { parseCsv } from '../../../src-main/core/data/csv';
import { operatingPointFor, type RocCounts } from '../../../src-main/core/decision/operating-point';
import type { DecisionModel } from '../../../src-main/core/decision/model';
import { wilsonInterval } from '../../../src-main/core/decision/statistics';
import { MANIFEST_FILE } from '../../../src-main/core/model/package';
import { columnPrediction } from '../jobs/fake-job-process';
import { appHarness, codec, importAndScreen, type AppHarness } from './study-fixture';

let h: AppHarness;
afterEach(async () => {
  await h?.cleanup();
});

/**
 * 10 glaucoma and 20 normal out-of-fold cases. Allowed false positives: 3 at 85 % specificity (threshold
 * half-way between 0.6 and 0.5: 0.55, 7 of 10 found), 1 at 95 % (between 0.8 and 0.7: 0.75, 5 of 10).
 */
const ROC: RocCounts = {
  thresholds: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
  truePositives: [3, 5, 6, 7, 8, 9, 10],
  falsePositives: [0, 1, 2, 3, 4, 8, 20],
  positives: 10,
  negatives: 20,
};

/** P(glaucoma) = the network's own probability (a logistic regression on its logit with weight 1), decided at 85 % by default. */
function decisionModel(domain?: DecisionModel['domain']): DecisionModel {
  const point = operatingPointFor(ROC, 0.85);
  return {
    ...(domain ? { domain } : {}),
    version: 1,
    id: 'network',
    label: 'the network alone',
    rule: { kind: 'logistic', logistic: { inputs: ['networkLogit'], means: [0], sds: [1], weights: [1], intercept: 0 } },
    selection: { protocol: 'fixture', candidates: [], nestedAuc: null },
    validation: { note: 'fixture', cases: 30, positives: 10, auc: { value: 0.8, low: 0.7, high: 0.9 }, brier: 0.2, ece: 0.05, reliability: [] },
    roc: { ...ROC, thresholds: [...ROC.thresholds], truePositives: [...ROC.truePositives], falsePositives: [...ROC.falsePositives] },
    operatingPoint: { targetSpecificity: 0.85, threshold: point.threshold, sensitivity: { ...point.sensitivity }, specificity: { ...point.specificity } },
  };
}

/** The job process decides at the package's default, as the real one does; main decides again at the app's setting. */
function predicting(network: number) {
  return {
    predict: async (file: string) => {
      const image = await codec.readRgb(file);
      const p = columnPrediction(image.width, image.height, network);
      const glaucoma = { ...p.summary.glaucoma, rule: 'network', threshold: 0.55, targetSpecificity: 0.85, withheld: null, decision: network >= 0.55 ? ('glaucoma' as const) : ('normal' as const) };
      return { ...p, summary: { ...p.summary, glaucoma } };
    },
  };
}

/** A harness whose bundled package has the decision model above (the manifest is read again by a restart). */
async function harnessWithRoc(network: number, domain?: DecisionModel['domain']): Promise<AppHarness> {
  const harness = await appHarness({ behaviour: predicting(network) });
  const file = path.join(harness.bundled, MANIFEST_FILE);
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), decision: decisionModel(domain) }));
  await harness.services.close();
  harness.restart();
  return harness;
}

const summaryOf = async (caseId: string): Promise<CaseSummary> => (await callApi(h.services.handlers, 'cases.get', { caseId })).summary;
const approvalRows = (): unknown[] => h.services.store.db.prepare('SELECT * FROM approvals ORDER BY id').all();
const auditCount = (): number => (h.services.store.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;

describe('the operating point setting', () => {
  it('re-decides unsigned cases from their probability, keeps signed approvals, is audited, persisted and used by new screenings', async () => {
    h = await harnessWithRoc(0.7);
    const { studyId, byName } = await importAndScreen(h);
    const signedCase = byName.get('P001_OD.png')!;
    const open = byName.get('P002_L.jpg')!;
    const corrected = byName.get('grey.png')!;
    expect(open.prediction).toMatchObject({ probability: 0.7, decision: 'glaucoma', threshold: 0.55 });
    expect(open.operatingPoint).toEqual({ targetSpecificity: 0.85, threshold: 0.55, sensitivity: wilsonInterval(7, 10), specificity: wilsonInterval(17, 20) });

    // Approve one as screened; correct another (its decision comes from the same rule on the same network score).
    await callApi(h.services.handlers, 'cases.setStatus', { caseId: signedCase.id, status: 'approved' });
    const labels = new Uint8Array(corrected.width! * corrected.height!);
    for (let y = 10; y < 40; y++) labels[y * corrected.width! + 20] = y < 20 ? 2 : 1;
    await callApi(h.services.handlers, 'cases.saveAnnotation', { caseId: corrected.id, baseRevision: 0, labels: encodeLabelRuns(labels, corrected.width!, corrected.height!), fovea: null, note: 'disc redrawn' });
    expect((await summaryOf(corrected.id)).corrected).toMatchObject({ decision: 'glaucoma' });
    const signed = (await summaryOf(signedCase.id)).approval!;
    expect(signed).toMatchObject({ decision: 'glaucoma', threshold: 0.55, targetSpecificity: 0.85, rule: 'network' });
    const approvalsBefore = approvalRows();

    // What the app offers: the package's default and the presets, each with its threshold and expected figures.
    const before = await callApi(h.services.handlers, 'settings.operatingPoint', {});
    expect(before).toMatchObject({ targetSpecificity: null, packageDefault: 0.85, unavailable: null, history: [], model: { name: 'Default model' }, fieldOfView: null });
    expect(before.inUse).toMatchObject({ targetSpecificity: 0.85, threshold: 0.55 });
    expect(before.choices.map((c) => [c.targetSpecificity, c.threshold.toFixed(3), c.packageDefault])).toEqual([
      [0.8, '0.450', false],
      [0.85, '0.550', true],
      [0.9, '0.650', false],
      [0.95, '0.750', false],
    ]);
    expect(before.choices[3]!.sensitivity).toEqual(wilsonInterval(5, 10));
    expect(before.choices[3]!.specificity).toEqual(wilsonInterval(19, 20));

    // 95 %: the threshold moves to 0.75, above every case's 0.7.
    const changed = await callApi(h.services.handlers, 'settings.setOperatingPoint', { targetSpecificity: 0.95 });
    expect(changed).toMatchObject({ redecided: 4, changedDecisions: 4, setting: { targetSpecificity: 0.95, updatedBy: 'dr.test', inUse: { threshold: 0.75 } } });
    const now = await summaryOf(open.id);
    expect(now.prediction).toMatchObject({ probability: 0.7, decision: 'normal', threshold: 0.75 });
    expect(now.operatingPoint).toEqual({ targetSpecificity: 0.95, threshold: 0.75, sensitivity: wilsonInterval(5, 10), specificity: wilsonInterval(19, 20) });
    expect((await callApi(h.services.handlers, 'cases.get', { caseId: open.id })).prediction!.glaucoma).toMatchObject({ decision: 'normal', threshold: 0.75, targetSpecificity: 0.95 });
    expect((await summaryOf(corrected.id)).corrected).toMatchObject({ decision: 'normal' });
    expect((await summaryOf(corrected.id)).operatingPoint).toMatchObject({ targetSpecificity: 0.95, threshold: 0.75 });
    expect((await callApi(h.services.handlers, 'studies.list', {})).find((s) => s.id === studyId)!.suspects).toBe(0);

    // The signed record never changes: the same row in the database, the same record shown, the new call beside it.
    expect(approvalRows()).toEqual(approvalsBefore);
    const signedNow = await summaryOf(signedCase.id);
    expect(signedNow.approval).toEqual(signed);
    expect(signedNow.sinceApproval).toMatchObject({ decision: 'normal', probability: 0.7 });

    // Audited: once app-wide with the old and new values, and in every re-decided case's trail.
    const setting = await callApi(h.services.handlers, 'settings.operatingPoint', {});
    expect(setting.history).toHaveLength(1);
    expect(setting.history[0]!.author).toBe('dr.test');
    expect(setting.history[0]!.detail).toMatch(/^target specificity each model's default \(85 % for Default model\) → 95 %; Default model \(bundled-default\): glaucoma at P ≥ 0\.550 \(85 % specificity\).* → glaucoma at P ≥ 0\.750 \(95 % specificity\).*4 prediction\(s\) decided again, 4 decision\(s\) changed; signed approvals unchanged$/);
    const trail = (await callApi(h.services.handlers, 'cases.get', { caseId: open.id })).audit;
    expect(trail.at(-1)).toMatchObject({ kind: 'operating-point', author: 'dr.test' });
    expect(trail.at(-1)!.detail).toBe('operating point 85 % → 95 % specificity for Default model (bundled-default): glaucoma at P ≥ 0.550 → 0.750; P 70 %: glaucoma suspect → normal');
    expect((await callApi(h.services.handlers, 'cases.get', { caseId: signedCase.id })).audit.at(-1)!.detail).toMatch(/glaucoma suspect → normal; the signed approval is kept$/);

    // Every export states the operating point: the signed one for the approved case, the current one for the others.
    const out = path.join(h.root, 'out');
    const { file } = await callApi(h.services.handlers, 'export.casesCsv', { studyId, folder: out });
    const table = parseCsv(fs.readFileSync(file, 'utf8'));
    const rows = new Map(table.rows.map((r) => [r.cells[0], Object.fromEntries(table.header.map((name, i) => [name, r.cells[i] ?? '']))]));
    expect(rows.get('P002_L.jpg')).toMatchObject({ decision: 'normal', threshold: '', current_threshold: '0.75', current_target_specificity: '0.95', current_expected_sensitivity: String(Number(wilsonInterval(5, 10).value.toFixed(4))) });
    expect(rows.get('P001_OD.png')).toMatchObject({ decision: 'glaucoma', threshold: '0.55', signed_target_specificity: '0.85', model_decision: 'normal', current_threshold: '0.75' });
    const report = fs.readFileSync((await callApi(h.services.handlers, 'export.studyReport', { studyId, folder: out })).file, 'utf8');
    expect(report).toContain('Operating point (app setting, every study): target specificity 95 % — glaucoma at P ≥ 0.750 for Default model; expected sensitivity 0.50 (95 % CI');
    expect(report).toContain('normal (Default model, bundled-default) at P ≥ 0.750 (95 % specificity)');
    expect(report).toContain('signed at P ≥ 0.550 (85 % specificity)');

    // Setting the value in force changes and records nothing.
    const entries = auditCount();
    expect(await callApi(h.services.handlers, 'settings.setOperatingPoint', { targetSpecificity: 0.95 })).toMatchObject({ redecided: 0, changedDecisions: 0 });
    expect(auditCount()).toBe(entries);

    // A new screening decides at the setting (the job process still answers with the package default).
    await callApi(h.services.handlers, 'screening.start', { studyId, rescreen: true });
    await h.services.jobs.whenIdle();
    expect((await summaryOf(open.id)).prediction).toMatchObject({ decision: 'normal', threshold: 0.75 });
    expect(approvalRows()).toEqual(approvalsBefore);

    // Persisted: a restart finds it.
    await h.services.close();
    h.restart();
    expect(await callApi(h.services.handlers, 'settings.operatingPoint', {})).toMatchObject({ targetSpecificity: 0.95, updatedBy: 'dr.test', inUse: { threshold: 0.75 } });

    // Back to 85 %: the same cases decide as screened again, the signed record still as it was.
    await callApi(h.services.handlers, 'settings.setOperatingPoint', { targetSpecificity: 0.85 });
    expect((await summaryOf(open.id)).prediction).toMatchObject({ decision: 'glaucoma', threshold: 0.55 });
    expect((await summaryOf(signedCase.id)).sinceApproval).toBeNull();
    expect(approvalRows()).toEqual(approvalsBefore);
    const history = (await callApi(h.services.handlers, 'settings.operatingPoint', {})).history.map((e) => e.detail);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/^target specificity 95 % → 85 %; .* 4 prediction\(s\) decided again, 4 decision\(s\) changed/);
    expect(history[1]).toMatch(/^target specificity each model's default/);
  });

  it('refuses bad values with a clear error and changes nothing', async () => {
    h = await harnessWithRoc(0.7);
    await importAndScreen(h);
    const entries = auditCount();
    for (const [value, message] of [
      [1.2, /settings\.setOperatingPoint: targetSpecificity: the target specificity must be between 0\.5 and 0\.99/],
      [0.3, /between 0\.5 and 0\.99/],
      [Number.NaN, /the target specificity must be a number/],
      ['0.9', /targetSpecificity: the target specificity must be a number/],
    ] as const) {
      expect(await dispatch(h.services.handlers, 'settings.setOperatingPoint', { targetSpecificity: value })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(message) } });
    }
    expect(await dispatch(h.services.handlers, 'settings.operatingPoint', { preview: 2 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await callApi(h.services.handlers, 'settings.operatingPoint', {})).toMatchObject({ targetSpecificity: null, history: [] });
    expect(auditCount()).toBe(entries);
    // A preview shows another value's figures without applying it.
    const preview = await callApi(h.services.handlers, 'settings.operatingPoint', { preview: 0.88 });
    expect(preview.choices.find((c) => c.targetSpecificity === 0.88)).toMatchObject({ threshold: expect.closeTo(0.65, 9), packageDefault: false });
    expect(preview.targetSpecificity).toBeNull();
  });

  it('says on which disc sizes the active model decides, and how they were measured', async () => {
    h = await harnessWithRoc(0.7, { discSize: { low: 0.07, high: 0.34 }, evidence: 'measured by the robustness benchmark' });
    expect((await callApi(h.services.handlers, 'settings.operatingPoint', {})).fieldOfView).toEqual({ low: 0.07, high: 0.34, evidence: 'measured by the robustness benchmark' });
    // The study report says it beside the operating point.
    const { studyId } = await importAndScreen(h);
    const report = fs.readFileSync((await callApi(h.services.handlers, 'export.studyReport', { studyId, folder: path.join(h.root, 'out') })).file, 'utf8');
    expect(report).toContain("It decides only where the disc spans 7 % to 34 % of the image&#39;s shorter side (measured by the robustness benchmark); other photographs get no decision.");
    await h.cleanup();
    h = await harnessWithRoc(0.7, { discSize: { low: 0.17, high: 0.34 } });
    expect((await callApi(h.services.handlers, 'settings.operatingPoint', {})).fieldOfView).toEqual({ low: 0.17, high: 0.34, evidence: 'the span of the cases its decision was fitted on, widened by a tenth' });
  });

  it('a package without ROC evidence (the paper rule) cannot have its operating point changed, and says why', async () => {
    h = await appHarness();
    const state = await callApi(h.services.handlers, 'settings.operatingPoint', {});
    expect(state).toMatchObject({ inUse: null, choices: [], unavailable: expect.stringMatching(/^Default model decides by the paper's fixed rule \(glaucoma at P ≥ 0\.50\); its package stores no cross-validated ROC evidence/) });
    expect(await dispatch(h.services.handlers, 'settings.setOperatingPoint', { targetSpecificity: 0.9 })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/^the operating point cannot be changed: Default model decides by the paper's fixed rule/) },
    });
  });
});
