// The glaucoma-studio command as a user runs it: the bin script, the bundled
// CLI and the job process, on small synthetic data and on bad input.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBmp } from '../../src-main/core/data/bmp';
import { readManifest } from '../../src-main/core/model/package';
import { CHECKPOINT_DIR } from '../../src-main/core/train/checkpoint';
import { writeTinyModel } from '../helpers/model';
import { useTestBackend } from '../helpers/backend';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'glaucoma-studio.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, GLAUCOMA_STUDIO_MODEL: path.join(tmp, 'tiny-model') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--size', '32', '--width', '0.0625', '--batch', '4', '--lr', '1e-3'];

beforeAll(async () => {
  await useTestBackend();
  await writeTinyModel(path.join(tmp, 'tiny-model'), { size: 32 });
  expect(cli('synth', '--out', 'data', '--count', '6', '--width', '96', '--height', '92', '--seed', '4').code).toBe(0);
});

describe('glaucoma-studio', () => {
  it('prints help for every command and refuses bad usage with exit code 2', () => {
    const top = cli('--help');
    expect(top.code).toBe(0);
    const commands = ['screen', 'train', 'evaluate', 'experiment', 'synth', 'bench', 'info'];
    for (const c of commands) {
      expect(top.stdout).toContain(c);
      const help = cli(c, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: glaucoma-studio ${c}`);
    }
    expect(cli().code).toBe(2);
    const unknown = cli('segment');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "segment"');
    const badNumber = cli('train', '--data', 'data', '--out', 'x', '--epochs', 'many');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--epochs: "many" is not an integer');
    expect(cli('screen', '--out', 'x').stderr).toContain('missing FOLDER');
  });

  it('trains with cross-validation, evaluates and screens, writing every promised file', () => {
    const train = cli('train', '--data', 'data', '--out', 'run', '--epochs', '1', '--folds', '2', '--source', 'synthetic set', '--notes', 'finds only synthetic discs', ...TINY);
    expect(train.stderr).toContain('backend: tensorflow');
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/2-fold cross-validation on 12 images/);
    expect(train.stdout).toMatch(/OD Dice\s+\d\.\d{4} ± \d\.\d{4}/);
    const manifest = readManifest(path.join(tmp, 'run', 'model'));
    expect(manifest.validation?.note).toMatch(/2-fold cross-validation/);
    expect(manifest.dataCard).toMatchObject({ source: 'synthetic set', notes: 'finds only synthetic discs', licence: 'as the source dataset; see its terms' });
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'run', 'config.json'), 'utf8')).backend.name).toBe('tensorflow');

    const evaluate = cli('evaluate', '--data', 'data', '--model', 'run/model', '--out', 'eval');
    expect(evaluate.code).toBe(0);
    expect(evaluate.stdout).toContain('6 images scored');
    for (const f of ['metrics.json', 'report.md', 'report.html', 'config.json']) expect(fs.existsSync(path.join(tmp, 'eval', f))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'data', 'glaucoma-studio-synth.json'), 'utf8')).seed).toBe(4);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'eval', 'metrics.json'), 'utf8')).split).toBe('test');
    // The test split is held out, and the package's list of training images says so.
    expect(manifest.training['sampleIds']).toHaveLength(12);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'eval', 'metrics.json'), 'utf8')).seenInTraining).toEqual([]);
    expect(evaluate.stderr).not.toContain('training-set figures');
    const onAll = cli('evaluate', '--data', 'data', '--model', 'run/model', '--out', 'eval-all', '--split', 'all');
    expect(onAll.code).toBe(0);
    expect(onAll.stderr).toContain('warning: The model trained on 12 of these 18 images');
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'eval-all', 'metrics.json'), 'utf8')).seenInTraining).toHaveLength(12);
    expect(fs.readFileSync(path.join(tmp, 'eval-all', 'report.md'), 'utf8')).toContain('training-set figures, not a held-out measurement');
    expect(fs.readFileSync(path.join(tmp, 'eval', 'report.md'), 'utf8')).toContain('## Reliability (calibration)');
    expect(fs.readFileSync(path.join(tmp, 'eval', 'report.md'), 'utf8')).toMatch(/Operating point: .*glaucoma at P >= /);
    expect(fs.readFileSync(path.join(tmp, 'eval', 'report.html'), 'utf8')).toContain('aria-label="Reliability plot"');
    // Six scored images cannot support a decision rule: said so, nothing written.
    const fit = cli('fit-decision', '--scores', path.join('eval', 'metrics.json'), '--model', 'run/model', '--out', 'fitted');
    expect(fit.code).toBe(1);
    expect(fit.stdout).toMatch(/no decision model fitted .*needs at least 5 glaucoma and 5 normal cases/);
    expect(fs.existsSync(path.join(tmp, 'fitted'))).toBe(false);
    // --validation records a cross-validated run's folds: a metrics file is not one, and nothing is written.
    const notRun = cli('fit-decision', '--scores', path.join('eval', 'metrics.json'), '--model', 'run/model', '--out', 'fitted', '--validation');
    expect(notRun.code).toBe(1);
    expect(notRun.stderr).toMatch(/metrics\.json.*not a cross-validated run folder/);
    expect(fs.existsSync(path.join(tmp, 'fitted'))).toBe(false);

    const screen = cli('screen', path.join('data', 'REFUGE-Test400'), '--out', 'screened', '--model', 'run/model');
    expect(screen.code).toBe(0);
    expect(screen.stdout).toContain('screened 6 image(s)');
    const out = path.join(tmp, 'screened');
    const bmp = decodeBmp(new Uint8Array(fs.readFileSync(path.join(out, 'segmentation', 'T0001.bmp'))), 'T0001.bmp');
    expect([bmp.width, bmp.height]).toEqual([96, 92]);
    expect(fs.readFileSync(path.join(out, 'classification_results.csv'), 'utf8').split('\n')[0]).toBe('FileName,Glaucoma Risk');
    expect(fs.readFileSync(path.join(out, 'fovea_location_results.csv'), 'utf8').split('\n')[0]).toBe('ImageName,Fovea_X,Fovea_Y');
    expect(fs.readFileSync(path.join(out, 'classification_results.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
    for (const f of ['summary.csv', 'report.html', 'config.json', 'overlays/T0001.png']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Known limitations of this model: finds only synthetic discs');
    expect(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').split('\n')[0]).toContain('Decision,Decision Rule,Threshold,Target Specificity,Quality,Decision Withheld');
    expect(screen.stdout).toMatch(/operating point: /);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Operating point: ');
  });

  it('screens with the bundled default model when no --model is given', () => {
    const screen = cli('screen', path.join('data', 'REFUGE-Test400'), '--out', 'default-screened', '--no-overlays');
    expect(screen.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'default-screened', 'config.json'), 'utf8')).model.id).toBe('tiny-test-model');
  });

  it('joins two packages into an ensemble that screens, and refuses a lone package', async () => {
    await writeTinyModel(path.join(tmp, 'tiny-seed-5'), { size: 32, seed: 5 });
    const joined = cli('ensemble', '--models', 'tiny-model,tiny-seed-5', '--out', 'joined', '--name', 'two tiny models', '--id', 'two-tiny-models');
    expect(joined.code).toBe(0);
    expect(readManifest(path.join(tmp, 'joined')).id).toBe('two-tiny-models');
    const badId = cli('ensemble', '--models', 'tiny-model,tiny-seed-5', '--out', 'bad-id', '--id', 'Two Tiny');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--id: "Two Tiny" must be lowercase letters, digits and dashes');
    expect(fs.existsSync(path.join(tmp, 'bad-id'))).toBe(false);
    expect(joined.stdout).toContain('ensemble of 2 models');
    expect(joined.stdout).toContain('refit it on the ensemble');
    expect(joined.stdout).toContain('crop stages: the last one read alone');
    expect(readManifest(path.join(tmp, 'joined')).networks.map((n) => n.id)).toEqual(['m1-main', 'm2-main']);
    const screen = cli('screen', path.join('data', 'REFUGE-Test400'), '--out', 'screened-joined', '--model', 'joined', '--no-overlays');
    expect(screen.code).toBe(0);
    expect(screen.stdout).toContain('screened 6 image(s)');
    const lone = cli('ensemble', '--models', 'tiny-model', '--out', 'lone');
    expect(lone.code).toBe(1);
    expect(lone.stderr).toMatch(/tiny-model.*at least 2 model packages, got 1/);
    expect(fs.existsSync(path.join(tmp, 'lone'))).toBe(false);
    // Averaging crop stages needs a second stage; an unknown fusion is a usage error naming the choices.
    const noStage = cli('ensemble', '--models', 'tiny-model,tiny-seed-5', '--out', 'averaged', '--stage-fusion', 'average');
    expect(noStage.code).toBe(1);
    expect(noStage.stderr).toMatch(/tiny-model.*no second disc-crop stage/);
    const unknown = cli('ensemble', '--models', 'tiny-model,tiny-seed-5', '--out', 'averaged', '--stage-fusion', 'mean');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--stage-fusion: "mean" is not one of replace, average/);
    expect(fs.existsSync(path.join(tmp, 'averaged'))).toBe(false);
  });

  it('records how a package reads its two crop stages (set-stage-fusion), and refuses a package without a second', async () => {
    await writeTinyModel(path.join(tmp, 'tiny-cascade'), { size: 32, cropStage: true, cascade: true });
    const set = cli('set-stage-fusion', '--model', 'tiny-cascade', '--fusion', 'average-disc', '--out', 'tiny-cascade-avgdisc');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('crop stages: average-disc (format version 3)');
    const m = readManifest(path.join(tmp, 'tiny-cascade-avgdisc'));
    expect([m.preprocessing.stageFusion, m.formatVersion]).toEqual(['average-disc', 3]);
    expect(fs.readFileSync(path.join(tmp, 'tiny-cascade-avgdisc', 'README.md'), 'utf8')).toContain("Crop stages: the second stage's disc probabilities averaged with the first's before thresholding; its cup its own");
    // Back to replace: the field goes and the version falls back to 2.
    expect(cli('set-stage-fusion', '--model', 'tiny-cascade-avgdisc', '--fusion', 'replace', '--out', 'tiny-cascade-avgdisc').code).toBe(0);
    const back = readManifest(path.join(tmp, 'tiny-cascade-avgdisc'));
    expect([back.preprocessing.stageFusion, back.formatVersion]).toEqual([undefined, 2]);
    const none = cli('set-stage-fusion', '--model', 'tiny-model', '--fusion', 'average', '--out', 'tiny-model-avg');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/tiny-model.*no second disc-crop stage/);
    expect(fs.existsSync(path.join(tmp, 'tiny-model-avg'))).toBe(false);
  });

  it('records the shape a package gives its disc and cup (set-shape-prior), and takes it back', () => {
    const set = cli('set-shape-prior', '--model', 'tiny-cascade', '--prior', 'hull', '--out', 'tiny-cascade-hull');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('shape prior: disc and cup replaced by their filled convex hulls (format version 4)');
    const m = readManifest(path.join(tmp, 'tiny-cascade-hull'));
    expect([m.preprocessing.shapePrior, m.formatVersion]).toEqual(['hull', 4]);
    // Back to none: the field goes and the version falls back to the cascade's 2.
    expect(cli('set-shape-prior', '--model', 'tiny-cascade-hull', '--prior', 'none', '--out', 'tiny-cascade-hull').code).toBe(0);
    const back = readManifest(path.join(tmp, 'tiny-cascade-hull'));
    expect([back.preprocessing.shapePrior, back.formatVersion]).toEqual([undefined, 2]);
    const bad = cli('set-shape-prior', '--model', 'tiny-cascade', '--prior', 'round', '--out', 'tiny-round');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--prior: "round" is not one of none, filled, hull, ellipse/);
    expect(fs.existsSync(path.join(tmp, 'tiny-round'))).toBe(false);
  });

  it('records a measured field of view (set-domain), which a refit of the decision keeps', () => {
    // Thirty scored images whose vCDR carries the label, every disc at 25 % of the image.
    const images = Array.from({ length: 30 }, (_, i) => {
      const glaucoma = i % 3 === 0 ? 0 : 1;
      const vcdr = (glaucoma ? 0.62 : 0.45) + (((i * 37) % 13) - 6) / 60;
      const rim = (1 - vcdr) / 2;
      const measurements = { vcdr, hcdr: vcdr, areaCdr: vcdr * vcdr, rimToDisc: rim, rimInferior: rim, rimSuperior: rim, rimHorizontalWide: rim, rimHorizontalNarrow: rim, isntRule: 1, discSize: 0.25 };
      return { id: `d${i}`, file: `/x/d${i}.jpg`, glaucoma, probability: 0.5, networkProbability: null, regressionProbability: 0.5, odDice: 0.9, ocDice: 0.8, vcdr, vcdrTrue: vcdr, foveaErrorPx: null, measurements };
    });
    fs.writeFileSync(path.join(tmp, 'domain-scores.json'), JSON.stringify({ images }));
    expect(cli('fit-decision', '--scores', 'domain-scores.json', '--out', 'with-rule').code).toBe(0);
    expect(readManifest(path.join(tmp, 'with-rule')).decision?.domain).toEqual({ discSize: { low: 0.25 / 1.1, high: 0.25 * 1.1 } });

    const evidence = 'measured by the robustness benchmark: zoomed out x1.7';
    fs.writeFileSync(path.join(tmp, 'fov.json'), JSON.stringify({ domain: { discSize: { low: 0.08, high: 0.34 }, evidence }, conditions: [] }));
    const set = cli('set-domain', '--model', 'with-rule', '--from', 'fov.json', '--out', 'with-fov');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("decides on discs spanning 8 %-34 % of the image's shorter side (was 23 %-28 %)");
    expect(readManifest(path.join(tmp, 'with-fov')).decision?.domain).toEqual({ discSize: { low: 0.08, high: 0.34 }, evidence });
    expect(fs.readFileSync(path.join(tmp, 'with-fov', 'README.md'), 'utf8')).toContain(`Decides on discs spanning 8 %-34 % of the image's shorter side (${evidence})`);
    expect(fs.readFileSync(path.join(tmp, 'with-rule', 'README.md'), 'utf8')).toContain('(the span of the cases its decision was fitted on, widened by a tenth)');

    // info states the default model's rule, operating point and field of view.
    const info = spawnSync(process.execPath, [bin, 'info'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, GLAUCOMA_STUDIO_MODEL: path.join(tmp, 'with-fov') } });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/ {2}reading:\n {4}Exposure normalisation: none \(inputs as decoded\)\n {2}decision:/);
    expect(info.stdout).toMatch(/ {2}decision:\n {4}Rule: vCDR alone .*\n {4}Cross-validated AUC: .*\n {4}Operating point: glaucoma when P >= .*\n {4}Decides on discs spanning 8 %-34 % of the image's shorter side \(measured by the robustness benchmark: zoomed out x1\.7\)/);

    // Refitting the rule on the same networks keeps the measured span, and says so.
    const refit = cli('fit-decision', '--scores', 'domain-scores.json', '--model', 'with-fov', '--out', 'with-fov');
    expect(refit.code).toBe(0);
    expect(refit.stdout).toContain(`field of view kept from the package (measured): ${evidence}`);
    expect(readManifest(path.join(tmp, 'with-fov')).decision?.domain).toEqual({ discSize: { low: 0.08, high: 0.34 }, evidence });

    // A span without its evidence, a bad file and a package without a rule are refused, naming them; nothing is written.
    fs.writeFileSync(path.join(tmp, 'bare.json'), JSON.stringify({ domain: { discSize: { low: 0.08, high: 0.34 } } }));
    expect(cli('set-domain', '--model', 'with-rule', '--from', 'bare.json', '--out', 'nope').stderr).toMatch(/bare\.json: invalid value at "domain\.evidence"/);
    fs.writeFileSync(path.join(tmp, 'upside.json'), JSON.stringify({ domain: { discSize: { low: 0.34, high: 0.08 }, evidence } }));
    expect(cli('set-domain', '--model', 'with-rule', '--from', 'upside.json', '--out', 'nope').stderr).toMatch(/upside\.json: .*discSize\.low must be below discSize\.high/);
    expect(cli('set-domain', '--model', 'tiny-model', '--from', 'fov.json', '--out', 'nope').stderr).toMatch(/tiny-model: has no decision model/);
    expect(fs.existsSync(path.join(tmp, 'nope'))).toBe(false);
  });

  it('names each bad file and its problem, and screens the rest', () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.copyFileSync(path.join(tmp, 'data', 'REFUGE-Test400', 'Test400', 'T0001.jpg'), path.join(bad, 'good.jpg'));
    fs.writeFileSync(path.join(bad, 'notes.txt'), 'hello');
    fs.writeFileSync(path.join(bad, 'fake.png'), 'not an image at all');
    fs.writeFileSync(path.join(bad, 'cut.jpg'), fs.readFileSync(path.join(bad, 'good.jpg')).subarray(0, 600));
    const screen = cli('screen', 'bad', '--out', 'bad-out');
    expect(screen.code).toBe(0);
    expect(screen.stdout).toContain('screened 1 image(s)');
    expect(screen.stderr).toMatch(/fake\.png: not an image/);
    expect(screen.stderr).toMatch(/cut\.jpg: truncated JPEG/);
    expect(screen.stderr).toMatch(/notes\.txt: not an image file/);
    const summary = fs.readFileSync(path.join(tmp, 'bad-out', 'summary.csv'), 'utf8');
    expect(summary).toMatch(/cut\.jpg,.*truncated JPEG/);
    expect(cli('screen', 'no-such-folder', '--out', 'x').stderr).toMatch(/no-such-folder: image folder not found/);
  });

  it('spreads a cross-validation over separate fold runs, then collects them without retraining', () => {
    // The whole run also measures each fold model's field of view as it trains it (one photograph each); that trains
    // nothing, so the collected run below, which does not measure it, must still agree with it.
    const whole = cli('train', '--data', 'data', '--out', 'whole', '--epochs', '1', '--folds', '2', '--field-of-view', '1', ...TINY);
    expect(whole.code).toBe(0);
    expect(whole.stdout + whole.stderr).toMatch(/fold 2\/2: measuring the field of view on 1 held-out photograph /);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'whole', 'folds', '1', 'field-of-view.json'), 'utf8')).readings).toHaveLength(7);
    // Fold 2 alone, as another machine or session would train it: no fold 1, no final model.
    const second = cli('train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--fold', '2', ...TINY);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/fold\(s\) 2 trained and scored: .*no final model/);
    const folds = path.join(tmp, 'spread', 'folds');
    expect(fs.readdirSync(folds)).toEqual(['2']);
    for (const f of ['evaluation.json', 'fold.json', 'model']) expect(fs.existsSync(path.join(folds, '2', f))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'spread', 'model'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'spread', 'cross-validation.json'))).toBe(false);
    expect(cli('train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--fold', '1', ...TINY).code).toBe(0);
    const scored = fs.statSync(path.join(folds, '2', 'evaluation.json')).mtimeMs;
    // The whole run resumed over the collected folds reuses both and trains only the final model.
    const collected = cli('train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--resume', ...TINY);
    expect(collected.code).toBe(0);
    expect(collected.stdout + collected.stderr).toMatch(/fold 1\/2: already trained and scored with these settings/);
    expect(collected.stdout + collected.stderr).toMatch(/fold 2\/2: already trained and scored with these settings/);
    expect(fs.statSync(path.join(folds, '2', 'evaluation.json')).mtimeMs).toBe(scored);
    const read = (run: string, file: string): unknown => JSON.parse(fs.readFileSync(path.join(tmp, run, file), 'utf8'));
    expect(read('spread', 'cross-validation.json')).toEqual(read('whole', 'cross-validation.json'));
    expect(readManifest(path.join(tmp, 'spread', 'model')).validation).toEqual(readManifest(path.join(tmp, 'whole', 'model')).validation);
    // Read another way (a shape prior), the folds are scored again from their checkpoints, not trained again, and the
    // packages record the reading they were scored with.
    const hull = cli('train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--resume', '--shape-prior', 'hull', ...TINY);
    expect(hull.code).toBe(0);
    expect(hull.stdout + hull.stderr).not.toMatch(/already trained and scored/);
    expect(hull.stdout + hull.stderr).toMatch(/fold 2\/2: scoring 6 held-out images/);
    expect(hull.stdout + hull.stderr).not.toMatch(/ epoch \d+: loss/);
    expect(fs.statSync(path.join(folds, '2', 'evaluation.json')).mtimeMs).toBeGreaterThan(scored);
    expect(JSON.parse(fs.readFileSync(path.join(folds, '2', 'fold.json'), 'utf8')).reading).toEqual({ shapePrior: 'hull' });
    for (const model of [path.join(folds, '1', 'model'), path.join(tmp, 'spread', 'model')]) expect(readManifest(model).preprocessing.shapePrior).toBe('hull');
    // The field of view: each fold model reads two of its held-out photographs zoomed out and cropped, trains nothing,
    // and keeps the readings beside its evaluation; asked again, they are reused.
    const fieldOfView = ['train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--resume', '--shape-prior', 'hull', '--field-of-view', '2', ...TINY];
    const measured = cli(...fieldOfView);
    expect(measured.code).toBe(0);
    expect(measured.stdout + measured.stderr).toMatch(/fold 1\/2: measuring the field of view on 2 held-out photographs/);
    expect(measured.stdout + measured.stderr).not.toMatch(/ epoch \d+: loss/);
    const readings = JSON.parse(fs.readFileSync(path.join(folds, '2', 'field-of-view.json'), 'utf8'));
    expect(readings.reading).toEqual({ shapePrior: 'hull' });
    expect(readings.images).toHaveLength(2);
    expect(readings.readings.map((r: { condition: string }) => r.condition)).toEqual([
      'clean',
      'zoomed out x1.3 into a black frame',
      'zoomed out x1.7 into a black frame',
      'zoomed out x2.2 into a black frame',
      'a square crop 3x the disc diameter (the disc fills 33 %)',
      'a square crop 2x the disc diameter (the disc fills 50 %)',
      'a square crop 1.5x the disc diameter (the disc fills 67 %)',
    ]);
    expect(readings.readings[0].images).toBe(2);
    const reused = cli(...fieldOfView);
    expect(reused.stdout + reused.stderr).toMatch(/fold 2\/2: field of view already measured on these 2 held-out photographs .*: reused/);
    expect(cli('train', '--data', 'data', '--out', 'x', '--field-of-view', '5', ...TINY).stderr).toContain('field-of-view: is measured by the fold models on the photographs they held out: add --folds K');
    const averaged = cli('train', '--data', 'data', '--out', 'x', '--folds', '2', '--stage-fusion', 'average-disc', ...TINY);
    expect(averaged.code).not.toBe(0);
    expect(averaged.stderr).toContain("stage-fusion: 'average-disc' averages the two disc-crop stages of a cascade");
    // A fold trained with other settings is trained again, not reused.
    const longer = cli('train', '--data', 'data', '--out', 'spread', '--epochs', '2', '--folds', '2', '--fold', '1', '--resume', ...TINY);
    expect(longer.code).toBe(0);
    expect(longer.stdout + longer.stderr).not.toMatch(/already trained and scored/);
    expect(JSON.parse(fs.readFileSync(path.join(folds, '1', 'fold.json'), 'utf8')).units[0].epochs).toBe(2);
    // A fold evaluation that does not cover the fold's held-out images is refused by name, not reused.
    const evaluationFile = path.join(folds, '2', 'evaluation.json');
    const evaluation = JSON.parse(fs.readFileSync(evaluationFile, 'utf8'));
    fs.writeFileSync(evaluationFile, JSON.stringify({ ...evaluation, images: evaluation.images.slice(1) }));
    const cut = cli('train', '--data', 'data', '--out', 'spread', '--epochs', '1', '--folds', '2', '--fold', '2', '--resume', '--shape-prior', 'hull', ...TINY);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/folds\/2\/evaluation\.json: scores 5 images, but this fold holds out 6 others: delete the fold folder to train it again/);
    // Folds that do not exist are refused by name.
    const outside = cli('train', '--data', 'data', '--out', 'x', '--folds', '2', '--fold', '3', ...TINY);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('fold: 3: each fold must be a whole number from 1 to 2');
    expect(cli('train', '--data', 'data', '--out', 'x', '--fold', '1', ...TINY).stderr).toContain('needs --folds K');
    const word = cli('train', '--data', 'data', '--out', 'x', '--folds', '2', '--fold', 'last', ...TINY);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('--fold: "last" is not a list of fold numbers');
  });

  it('continues a killed training run with --resume', async () => {
    const args = ['train', '--data', 'data', '--out', 'killed', '--epochs', '4', ...TINY];
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmp, stdio: 'ignore' });
    const state = path.join(tmp, 'killed', 'final', 'runs', 'main', CHECKPOINT_DIR, 'state.json');
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (fs.existsSync(state)) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - started > 120_000) {
          clearInterval(timer);
          reject(new Error('no checkpoint appeared'));
        }
      }, 100);
    });
    await new Promise((r) => child.on('exit', r));
    expect(fs.existsSync(path.join(tmp, 'killed', 'model'))).toBe(false);
    const resumed = cli(...args, '--resume');
    expect(resumed.code).toBe(0);
    const manifest = readManifest(path.join(tmp, 'killed', 'model'));
    const history = (manifest.training as { histories: { main: unknown[] } }).histories.main;
    expect(history).toHaveLength(4);
  });
});
