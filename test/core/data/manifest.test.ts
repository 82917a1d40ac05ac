import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { readManifest } from '../../../src-main/core/data/manifest';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
for (const rel of ['imgs/P1.jpg', 'imgs/P 2.png', 'masks/P1.png', 'other/abs.jpg']) {
  fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  fs.writeFileSync(path.join(tmp, rel), 'x');
}

function manifest(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('readManifest', () => {
  it('reads every column; paths are relative to the CSV, quoted fields work', () => {
    const abs = path.join(tmp, 'other', 'abs.jpg');
    const file = manifest(
      'm.csv',
      `Image,Mask,Glaucoma,Fovea_X,Fovea_Y,Split\nimgs/P1.jpg,masks/P1.png,1,10.5,20,train\n"imgs/P 2.png",,0,,,val\n"${abs}",,G,,,test\n`,
    );
    const dataset = readManifest(file);
    expect(dataset).toMatchObject({ name: 'm', root: tmp, problems: [] });
    expect(dataset.samples).toEqual([
      { id: 'imgs/P1', imageFile: path.join(tmp, 'imgs', 'P1.jpg'), dataset: 'manifest', glaucoma: 1, split: 'train', fovea: { x: 10.5, y: 20 }, masks: { kind: 'refuge', file: path.join(tmp, 'masks', 'P1.png') } },
      { id: 'imgs/P 2', imageFile: path.join(tmp, 'imgs', 'P 2.png'), dataset: 'manifest', glaucoma: 0, split: 'validation' },
      { id: abs.replace(/\.jpg$/, ''), imageFile: abs, dataset: 'manifest', glaucoma: 1, split: 'test' },
    ]);
  });

  it('missing files are problems: the image row is skipped, a missing mask is dropped', () => {
    const dataset = readManifest(manifest('missing.csv', 'image,mask\nimgs/nope.jpg,\nimgs/P1.jpg,masks/nope.png\n'));
    expect(dataset.samples.map((s) => [s.id, s.masks])).toEqual([['imgs/P1', undefined]]);
    expect(dataset.problems.map((p) => p.problem)).toEqual([
      'image listed on line 2 of missing.csv not found; row skipped',
      'mask listed on line 3 of missing.csv not found; imgs/P1 has no mask',
    ]);
  });

  it('malformed values are InputErrors naming the line', () => {
    const bad = (name: string, text: string, problem: string) => {
      const file = manifest(name, text);
      expect(() => readManifest(file)).toThrow(new InputError(file, problem));
    };
    bad('b1.csv', 'image,glaucoma\nimgs/P1.jpg,maybe\n', "line 2: glaucoma must be 1 or 0 (or G/N), got 'maybe'");
    bad('b2.csv', 'image,fovea_x,fovea_y\nimgs/P1.jpg,3,\n', "line 2: fovea_x and fovea_y must both be numbers (or both empty), got '3', ''");
    bad('b3.csv', 'image,split\nimgs/P1.jpg,dev\n', "line 2: split must be train, validation or test, got 'dev'");
    bad('b4.csv', 'image\nimgs/P1.jpg\nimgs/P1.jpg\n', "line 3: id 'imgs/P1' is already used on line 2");
    bad('b5.csv', 'file,label\na.jpg,1\n', "no 'image' column; its columns are: file, label (expected image, mask, glaucoma, fovea_x, fovea_y, split, id)");
    bad('b6.csv', 'image\n"imgs/P1.jpg\n', 'line 2: a quoted field is not closed');
  });

  it('an id column names the samples', () => {
    expect(readManifest(manifest('ids.csv', 'id,image\nfirst,imgs/P1.jpg\n')).samples[0]!.id).toBe('first');
  });
});
