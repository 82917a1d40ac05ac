import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, rewritePackage } from '../../../src-main/core/model/package';
import { crossValidationOf, fitDecisionFromScores, readScoreFiles } from '../../../src-main/core/train/fit-decision';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

function measurements(vcdr: number) {
  const rim = (1 - vcdr) / 2;
  return { vcdr, hcdr: vcdr, areaCdr: vcdr * vcdr, rimToDisc: rim, rimInferior: rim, rimSuperior: rim, rimHorizontalWide: rim, rimHorizontalNarrow: rim, isntRule: 1, discSize: 0.25 };
}

/** An evaluate metrics.json: vCDR carries the label. */
function scores(n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => {
    const glaucoma: 0 | 1 = i % 3 === 0 ? 0 : 1;
    const vcdr = (glaucoma ? 0.62 : 0.45) + (((i * 37) % 13) - 6) / 60;
    return { id: `img${i + offset}`, file: `/x/img${i + offset}.jpg`, glaucoma, probability: 0.5, networkProbability: ((i * 53) % 17) / 17, regressionProbability: 0.5, odDice: 0.9, ocDice: 0.8, vcdr, vcdrTrue: vcdr, foveaErrorPx: null, measurements: measurements(vcdr) };
  });
}

describe('fit-decision', () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-fit-decision-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads evaluate metrics files and training runs, fits the rule and writes it into a package copy', async () => {
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ images: scores(30) }));
    fs.mkdirSync(path.join(dir, 'run', 'folds', '1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'run', 'folds', '1', 'evaluation.json'), JSON.stringify({ images: scores(30, 100) }));
    const read = readScoreFiles([path.join(dir, 'metrics.json'), path.join(dir, 'run')]);
    expect(read).toHaveLength(60);
    const logs: string[] = [];
    const decision = fitDecisionFromScores(read, 'synthetic', (m) => logs.push(m))!;
    expect(decision.validation.cases).toBe(60);
    expect(logs[0]).toMatch(/^decision model: /);
    await writeTinyModel(path.join(dir, 'model'));
    await rewritePackage(path.join(dir, 'model'), path.join(dir, 'with-decision'), { decision });
    const manifest = readManifest(path.join(dir, 'with-decision'));
    expect(manifest.decision?.id).toBe(decision.id);
    expect(readManifest(path.join(dir, 'model')).decision).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'with-decision', 'README.md'), 'utf8')).toMatch(/## Glaucoma decision[\s\S]*Operating point: glaucoma when P >= [\d.]+, fitted for specificity 85 % \(the normal eyes' estimated quantile, Harrell-Davis\)/);
  });

  it('refuses scores without measurements, duplicates and a damaged package, naming the file', async () => {
    const old = scores(10).map(({ measurements: _m, ...rest }) => rest);
    fs.writeFileSync(path.join(dir, 'old.json'), JSON.stringify({ images: old }));
    expect(() => readScoreFiles([path.join(dir, 'old.json')])).toThrow(/old\.json.*before disc\/cup measurements were recorded/);
    fs.writeFileSync(path.join(dir, 'dup.json'), JSON.stringify({ images: scores(5) }));
    expect(() => readScoreFiles([path.join(dir, 'dup.json'), path.join(dir, 'dup.json')])).toThrow(/scored twice/);
    // A damaged score file, and one with a value out of its schema, are named with the problem.
    fs.writeFileSync(path.join(dir, 'cut.json'), JSON.stringify({ images: scores(5) }).slice(0, 40));
    expect(() => readScoreFiles([path.join(dir, 'cut.json')])).toThrow(/cut\.json: not valid JSON/);
    fs.writeFileSync(path.join(dir, 'odd.json'), JSON.stringify({ images: scores(5).map((s, i) => (i === 2 ? { ...s, glaucoma: 2 } : s)) }));
    expect(() => readScoreFiles([path.join(dir, 'odd.json')])).toThrow(/odd\.json: invalid score of images\[2\] at "glaucoma"/);
    const decision = fitDecisionFromScores(scores(30), 'synthetic', () => undefined)!;
    await writeTinyModel(path.join(dir, 'damaged'));
    const weights = fs.readdirSync(path.join(dir, 'damaged')).find((f) => f.endsWith('.weights.bin'))!;
    const bytes = fs.readFileSync(path.join(dir, 'damaged', weights));
    bytes[10] = bytes[10]! ^ 0xff;
    fs.writeFileSync(path.join(dir, 'damaged', weights), bytes);
    await expect(rewritePackage(path.join(dir, 'damaged'), path.join(dir, 'out'), { decision })).rejects.toThrow(/do not match the hash/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it("records a run's cross-validation as a package's validation, and refuses what is not a run", async () => {
    const run = path.join(dir, 'cv-run');
    const summary = (odDice: number, auc: number | null) => ({ images: 10, odDice, ocDice: 0.8, vcdrMae: 0.06, auc, aucNetwork: null, aucVcdr: auc, sensitivityAt85: 0.5, foveaErrorPx: null });
    for (const [fold, s] of [['1', summary(0.9, 0.8)], ['2', summary(0.96, 0.9)]] as const) {
      fs.mkdirSync(path.join(run, 'folds', fold), { recursive: true });
      fs.writeFileSync(path.join(run, 'folds', fold, 'evaluation.json'), JSON.stringify({ summary: s, images: scores(10, Number(fold) * 100) }));
    }
    const record = crossValidationOf(run);
    expect(record.note).toBe('2-fold cross-validation on 20 images (each fold scored by a model that did not train on it; cv-run)');
    expect(record.metrics['odDice']).toBeCloseTo(0.93, 10);
    expect(record.sd!['odDice']).toBeCloseTo(Math.SQRT2 * 0.03, 10);
    expect(record.metrics['foveaErrorPx']).toBeNull();
    expect(record.folds).toHaveLength(2);
    await writeTinyModel(path.join(dir, 'validated-src'));
    await rewritePackage(path.join(dir, 'validated-src'), path.join(dir, 'validated'), { validation: record });
    expect(readManifest(path.join(dir, 'validated')).validation?.note).toMatch(/^2-fold cross-validation on 20 images/);
    // A metrics file is not a run; a fold without its summary is named.
    expect(() => crossValidationOf(path.join(dir, 'metrics.json'))).toThrow(/metrics\.json.*not a cross-validated run folder/);
    fs.writeFileSync(path.join(run, 'folds', '2', 'evaluation.json'), JSON.stringify({ images: scores(10, 200) }));
    expect(() => crossValidationOf(run)).toThrow(/folds\/2\/evaluation\.json.*summary/);
  });

  it('says why no rule was fitted when a class is missing', () => {
    const logs: string[] = [];
    expect(fitDecisionFromScores(scores(30).filter((s) => s.glaucoma === 1), 'x', (m) => logs.push(m))).toBeNull();
    expect(logs[0]).toMatch(/no decision model fitted/);
  });
});
