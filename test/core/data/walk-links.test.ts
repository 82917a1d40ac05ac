// Links, cycles and special files in a photograph folder: each photograph is
// found once, and what is skipped is listed with its reason.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFolder } from '../../../src-main/core/data/folder';
import { walkFiles, walkFolder } from '../../../src-main/core/data/walk';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walk-links-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function folderWithCycles(): string {
  const root = path.join(dir, 'photos');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'a.jpg'), 'x');
  fs.writeFileSync(path.join(root, 'sub', 'b.jpg'), 'x');
  fs.symlinkSync('.', path.join(root, 'self'));
  fs.symlinkSync('..', path.join(root, 'sub', 'up'));
  fs.symlinkSync('missing.jpg', path.join(root, 'dangling.jpg'));
  fs.mkdirSync(path.join(root, 'folder.jpg'));
  execFileSync('mkfifo', [path.join(root, 'pipe.jpg')]);
  return root;
}

describe('walking a folder with links', () => {
  const root = folderWithCycles();

  it('symlink cycles (self -> ., sub/up -> ..) do not multiply the photographs', () => {
    expect(walkFiles(root, 16)).toEqual(['a.jpg', 'sub/b.jpg']);
    const { skipped } = walkFolder(root, 16);
    expect(skipped.map((s) => s.relPath)).toEqual(['dangling.jpg', 'pipe.jpg', 'self', 'sub/up']);
    expect(skipped.find((s) => s.relPath === 'self')!.reason).toMatch(/already searched/);
  });

  it('readImageFolder lists dangling links, FIFOs, cycles and folders named like images as problems', () => {
    const dataset = readImageFolder(root);
    expect(dataset.samples.map((s) => s.id)).toEqual(['a', 'sub/b']);
    const problems = new Map(dataset.problems.map((p) => [path.relative(root, p.file), p.problem]));
    expect(problems.get('dangling.jpg')).toMatch(/dangling/);
    expect(problems.get('pipe.jpg')).toMatch(/FIFO/);
    expect(problems.get('self')).toMatch(/cycle/);
    expect(problems.get(path.join('sub', 'up'))).toMatch(/cycle/);
    expect(problems.get('folder.jpg')).toMatch(/folder named like an image/);
  });

  it('a link to a folder outside is still followed once', () => {
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'c.jpg'), 'x');
    const top = path.join(dir, 'top');
    fs.mkdirSync(top);
    fs.symlinkSync(outside, path.join(top, 'one'));
    fs.symlinkSync(outside, path.join(top, 'two'));
    expect(walkFiles(top)).toEqual(['one/c.jpg']);
  });
});
