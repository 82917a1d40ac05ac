import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFolder } from '../../../src-main/core/data/folder';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function touch(rel: string): void {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x'); // contents are not read: images are recognised by extension here
}

describe('readImageFolder', () => {
  it('lists images recursively and sorted, ids are relative paths; other files are problems, hidden files ignored', () => {
    for (const rel of ['b.JPG', 'a.png', 'left/P2.tif', 'left/P1.jpeg', 'right/deep/Q.bmp', 'x.tiff', 'notes.txt', '.DS_Store', 'Thumbs.db', 'right/data.csv']) touch(`set/${rel}`);
    const dataset = readImageFolder(path.join(tmp, 'set'));
    expect(dataset.samples.map((s) => s.id)).toEqual(['a', 'b', 'left/P1', 'left/P2', 'right/deep/Q', 'x']);
    expect(dataset.samples.every((s) => s.dataset === 'folder' && path.isAbsolute(s.imageFile) && s.glaucoma === undefined)).toBe(true);
    expect(dataset.problems).toEqual([
      { file: path.join(tmp, 'set', 'notes.txt'), problem: "not an image file (extension '.txt'); skipped" },
      { file: path.join(tmp, 'set', 'right', 'data.csv'), problem: "not an image file (extension '.csv'); skipped" },
    ]);
  });

  it('two images differing only in extension: the second is a problem, not a duplicate id', () => {
    touch('dup/a.jpg');
    touch('dup/a.png');
    const dataset = readImageFolder(path.join(tmp, 'dup'));
    expect(dataset.samples.map((s) => s.imageFile)).toEqual([path.join(tmp, 'dup', 'a.jpg')]);
    expect(dataset.problems[0]!.problem).toMatch(/also named a/);
  });

  it('a single image file is a dataset of one', () => {
    touch('one/eye.jpg');
    expect(readImageFolder(path.join(tmp, 'one', 'eye.jpg')).samples.map((s) => s.id)).toEqual(['eye']);
  });

  it('empty or missing folder: InputError', () => {
    fs.mkdirSync(path.join(tmp, 'empty'));
    expect(() => readImageFolder(path.join(tmp, 'empty'))).toThrow(/no images found/);
    expect(() => readImageFolder(path.join(tmp, 'missing'))).toThrow(/image folder not found/);
  });
});
