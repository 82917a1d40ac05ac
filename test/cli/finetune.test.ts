// `glaucoma-studio finetune` as a user runs it: the bin script, the bundled CLI
// and the job process, on a tiny model and synthetic REFUGE-layout images.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src-main/core/model/package';
import { addSyntheticDecision, writeTinyModel } from '../helpers/model';
import { useTestBackend } from '../helpers/backend';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'glaucoma-studio.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cli-ft-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  await useTestBackend();
  await writeTinyModel(path.join(tmp, 'parent'), { size: 32 });
  // A decision rule with a measured field of view, which the child keeps as its parent's.
  await addSyntheticDecision(path.join(tmp, 'parent'));
  fs.writeFileSync(path.join(tmp, 'fov.json'), JSON.stringify({ domain: { discSize: { low: 0.05, high: 0.4 }, evidence: 'measured on the test shifts' } }));
  expect(cli('set-domain', '--model', 'parent', '--from', 'fov.json', '--out', 'parent').code).toBe(0);
  expect(cli('synth', '--out', 'data', '--count', '4', '--width', '96', '--height', '92', '--seed', '5').code).toBe(0);
});

describe('glaucoma-studio finetune', () => {
  it('fine-tunes a package into a child that records its parent, data, settings and held-back comparison; resumes; never overwrites', () => {
    const parentBefore = sha256(path.join(tmp, 'parent', 'main.weights.bin'));
    const args = ['finetune', '--model', 'parent', '--data', 'refuge:data', '--splits', 'all', '--out', 'ft', '--batch', '2', '--holdout-fraction', '0.25', '--seed', '3'];
    const run = cli(...args, '--epochs', '1');
    expect(run.stderr).toContain('backend: tensorflow');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/distilling the parent at weight 1/);
    // Too few graded images of a class for a decision rule of this data's own: the parent's is kept, and the log says why.
    expect(run.stderr).toMatch(/decision rule kept from the parent: \d+ glaucoma and \d+ normal graded cases/);
    expect(run.stdout).toMatch(/held-back images \(\d+\): child vs parent/);
    expect(run.stdout).toMatch(/odDice\s+\d\.\d{3}\s+\(parent \d\.\d{3}\)/);

    const child = readManifest(path.join(tmp, 'ft', 'model'));
    expect(child.parent).toBe('tiny-test-model');
    const ft = child.training['finetune'] as {
      epochs: number; distillWeight: number; frozenBatchNorm: boolean; seed: number;
      data: { source: string; images: number; files: { id: string; file: string; sha256: string }[] }; heldBack: string[];
    };
    expect(ft.epochs).toBe(1);
    expect(ft.seed).toBe(3);
    expect(ft.distillWeight).toBe(1);
    expect(ft.frozenBatchNorm).toBe(true);
    expect(ft.data.source).toBe('refuge:data');
    expect(ft.data.images).toBe(ft.data.files.length);
    expect(ft.heldBack.length).toBeGreaterThan(0);
    // Held back means never trained on.
    for (const id of ft.heldBack) expect(ft.data.files.map((f) => f.id)).not.toContain(id);
    const images = fs.readdirSync(path.join(tmp, 'data'), { recursive: true }).map(String).filter((f) => f.endsWith('.jpg'));
    expect(ft.data.images + ft.heldBack.length).toBe(images.length);
    const first = ft.data.files[0]!;
    const onDisk = images.find((f) => path.basename(f) === first.file)!;
    expect(first.sha256).toBe(sha256(path.join(tmp, 'data', onDisk)));
    expect(child.validation?.baseline?.modelId).toBe('tiny-test-model');
    // The parent's rule is kept, its measured field of view marked as measured on the parent's networks.
    expect(child.decision?.rule).toEqual(readManifest(path.join(tmp, 'parent')).decision?.rule);
    expect(child.decision?.domain).toEqual({ discSize: { low: 0.05, high: 0.4 }, evidence: 'measured on the test shifts', measuredOn: 'tiny-test-model' });
    expect(fs.readFileSync(path.join(tmp, 'ft', 'model', 'README.md'), 'utf8')).toContain(
      "(measured on the test shifts; measured on the networks of tiny-test-model, from which this package's networks were fine-tuned)",
    );
    // The parent is untouched.
    expect(sha256(path.join(tmp, 'parent', 'main.weights.bin'))).toBe(parentBefore);

    // Nothing is overwritten without --resume.
    const again = cli(...args, '--epochs', '1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ft[/\\]model: already holds a model package/);

    // --resume continues from the checkpoints: a run stopped before its package was written trains no epoch again.
    const weights = sha256(path.join(tmp, 'ft', 'model', 'main.weights.bin'));
    fs.rmSync(path.join(tmp, 'ft', 'model'), { recursive: true });
    const resumed = cli(...args, '--epochs', '1', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/network main epoch 1:/);
    expect(sha256(path.join(tmp, 'ft', 'model', 'main.weights.bin'))).toBe(weights);
    // Other settings are another run: its checkpoints are not resumed into.
    fs.rmSync(path.join(tmp, 'ft', 'model'), { recursive: true });
    const changed = cli(...args.map((a) => (a === '3' ? '4' : a)), '--epochs', '1', '--resume');
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/checkpoint belongs to a run with another configuration/);
  });

  it('refuses bad input with the file and the problem', () => {
    const help = cli('finetune', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: glaucoma-studio finetune --model PKG --data SPEC --out DIR');
    expect(cli('--help').stdout).toMatch(/finetune\s+fine-tune a model package/);
    const missing = cli('finetune', '--model', 'parent', '--data', 'refuge:nowhere', '--out', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: .*nowhere/);
    const noModel = cli('finetune', '--model', 'no-such-model', '--data', 'refuge:data', '--out', 'y');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/error: .*no-such-model/);
    expect(cli('finetune', '--data', 'refuge:data', '--out', 'z').stderr).toContain('--model is required');
  });
});
