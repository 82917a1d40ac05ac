// The benches' score sets: run folders and score files joined image by image, an image scored twice refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readScores } from '../../bench/robustness/score-sets';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-score-sets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const image = (id: string, vcdr: number | null) => ({ id, odDice: 0.9, ocDice: 0.8, vcdr, vcdrTrue: 0.6, glaucoma: 1 });
function writeFold(run: string, fold: number, images: object[]): void {
  fs.mkdirSync(path.join(run, 'folds', String(fold)), { recursive: true });
  fs.writeFileSync(path.join(run, 'folds', String(fold), 'evaluation.json'), JSON.stringify({ images }));
}

describe('readScores', () => {
  it("joins a run folder's folds and a score file into one map by image", () => {
    const run = path.join(tmp, 'run');
    writeFold(run, 1, [image('a', 0.5)]);
    writeFold(run, 2, [image('b', null)]);
    const file = path.join(tmp, 'metrics.json');
    fs.writeFileSync(file, JSON.stringify({ images: [image('c', 0.7)] }));
    const scores = readScores(`${run},${file}`);
    expect([...scores.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(scores.get('b')!.vcdr).toBeNull();
  });

  it('refuses an image scored twice, naming the file, and a file that is not a score file', () => {
    const run = path.join(tmp, 'twice');
    writeFold(run, 1, [image('a', 0.5)]);
    writeFold(run, 2, [image('a', 0.6)]);
    expect(() => readScores(run)).toThrow(/folds\/2\/evaluation\.json: image a is scored twice/);
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ images: [{ id: 'x' }] }));
    expect(() => readScores(bad)).toThrow(/bad\.json/);
  });
});
