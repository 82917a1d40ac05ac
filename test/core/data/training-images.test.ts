import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inSplit } from '../../../src-main/core/data/splits';
import { seenInTraining, trainingImageIds } from '../../../src-main/core/data/training-images';
import { trainingNote } from '../../../src-main/core/infer/evaluation-report';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'training-images-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
for (const name of ['a', 'b', 'c', 'd']) fs.writeFileSync(path.join(tmp, `${name}.jpg`), 'x');
const manifest = path.join(tmp, 'm.csv');
fs.writeFileSync(manifest, 'id,image,split\na,a.jpg,train\nb,b.jpg,train\nc,c.jpg,test\nd,d.jpg,\n');

const sorted = (ids: ReadonlySet<string> | null): string[] | null => (ids ? [...ids].sort() : null);

describe('inSplit', () => {
  const samples = [{ id: 'a', split: 'train' as const }, { id: 'v', split: 'validation' as const }, { id: 't', split: 'test' as const }, { id: 'n' }];
  it("'train' is everything outside the test split, 'test' the test split, 'all' every image", () => {
    expect(inSplit(samples, 'train').map((s) => s.id)).toEqual(['a', 'v', 'n']);
    expect(inSplit(samples, 'test').map((s) => s.id)).toEqual(['t']);
    expect(inSplit(samples, 'all').map((s) => s.id)).toEqual(['a', 'v', 't', 'n']);
  });
});

describe('trainingImageIds', () => {
  it('reads the ids a package lists', async () => {
    expect(sorted(await trainingImageIds({ data: 'manifest:/nowhere.csv', sampleIds: ['x', 'y'] }))).toEqual(['x', 'y']);
  });

  it('opens the dataset an older package names, with the splits it trained on', async () => {
    expect(sorted(await trainingImageIds({ data: `manifest:${manifest}` }))).toEqual(['a', 'b', 'd']);
    expect(sorted(await trainingImageIds({ data: `manifest:${manifest}`, splits: 'all' }))).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted(await trainingImageIds({ data: `manifest:${manifest}`, splits: 'test' }))).toEqual(['c']);
  });

  it("a fine-tune adds its corrections to its parent's training images", async () => {
    const child = { finetune: { sampleIds: ['c'] }, parent: { data: `manifest:${manifest}` } };
    expect(sorted(await trainingImageIds(child))).toEqual(['a', 'b', 'c', 'd']);
    const grandchild = { finetune: { sampleIds: ['z'] }, parent: child };
    expect(sorted(await trainingImageIds(grandchild))).toEqual(['a', 'b', 'c', 'd', 'z']);
  });

  it('null when it cannot be known here: the dataset is not on this machine, or a fine-tune does not list its cases', async () => {
    expect(await trainingImageIds({ data: 'drishti:/not/on/this/machine' })).toBeNull();
    expect(await trainingImageIds({})).toBeNull();
    expect(await trainingImageIds({ finetune: { epochs: 3 }, parent: { sampleIds: ['a'] } })).toBeNull();
    expect(await trainingImageIds({ finetune: { sampleIds: ['c'] }, parent: { data: 'drishti:/not/on/this/machine' } })).toBeNull();
  });

  it('seenInTraining keeps the ids the model trained on, in order', () => {
    expect(seenInTraining(['d', 'q', 'a'], new Set(['a', 'b', 'd']))).toEqual(['d', 'a']);
    expect(seenInTraining(['q'], new Set(['a']))).toEqual([]);
  });
});

describe('trainingNote', () => {
  it('warns when the model trained on scored images, says when it could not check, is silent otherwise', () => {
    expect(trainingNote(3, 10)).toBe('The model trained on 3 of these 10 images: for them these figures are training-set figures, not a held-out measurement.');
    expect(trainingNote(null, 10)).toMatch(/could not be checked/);
    expect(trainingNote(0, 10)).toBeNull();
    expect(trainingNote(undefined, 10)).toBeNull();
  });
});
