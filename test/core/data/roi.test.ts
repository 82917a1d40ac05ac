import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { readRoiFolder } from '../../../src-main/core/data/roi';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'roi-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const grey = (w: number, h: number, v: (i: number) => number) => ({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => v(i)) });

describe('readRoiFolder on a hand-made tree', () => {
  it('pairs image/ and mask/ files by name, takes the split from the path, reports what is unpaired', async () => {
    const a = path.join(tmp, 'site', 'train');
    for (const d of ['image', 'mask']) fs.mkdirSync(path.join(a, d), { recursive: true });
    await codec.writePng(path.join(a, 'image', 'x1.png'), grey(64, 64, () => 100));
    await codec.writePng(path.join(a, 'mask', 'x1.png'), grey(64, 64, (i) => (i < 100 ? 0 : i < 400 ? 128 : 255)));
    await codec.writePng(path.join(a, 'image', 'x2.png'), grey(64, 64, () => 100));
    await codec.writePng(path.join(a, 'mask', 'x3.png'), grey(64, 64, () => 255));
    const dataset = readRoiFolder(path.join(tmp, 'site'));
    expect(dataset.samples.map((s) => [s.id, s.split, s.masks?.kind])).toEqual([
      ['train/x1', 'train', 'refuge'],
      ['train/x2', 'train', undefined],
    ]);
    expect(dataset.problems.map((p) => p.problem)).toEqual(['1 image(s) have no same-named file in mask/: train/x2', '1 mask(s) without an image: train/x3']);
    const masks = await readSampleMasks(dataset.samples[0]!, codec);
    expect(masks.oc.data.reduce((s, v) => s + v, 0)).toBe(100);
    expect(masks.od.data.reduce((s, v) => s + v, 0)).toBe(400);
  });

  it('a mask of another size than its image is an InputError naming the mask and both sizes', async () => {
    const b = path.join(tmp, 'mismatch');
    for (const d of ['images', 'masks']) fs.mkdirSync(path.join(b, d), { recursive: true });
    await codec.writePng(path.join(b, 'images', 'y.png'), grey(80, 64, () => 100));
    await codec.writePng(path.join(b, 'masks', 'y.png'), grey(64, 64, () => 255));
    const [sample] = readRoiFolder(b).samples;
    await expect(readSampleMasks(sample!, codec)).rejects.toThrow(new InputError(path.join(b, 'masks', 'y.png'), 'mask is 64x64 but its image y.png is 80x64; masks must be at image size'));
  });

  it('no pairs: InputError', () => {
    const c = path.join(tmp, 'none');
    fs.mkdirSync(path.join(c, 'image'), { recursive: true });
    expect(() => readRoiFolder(c)).toThrow(/no image\/ and mask\/ folder pairs found/);
  });
});

describe.runIf(hasSharedData('roi-multidomain'))('readRoiFolder on the real multi-domain crops', () => {
  it('reads 8 samples from 4 domains; every mask has its image size and a disc and a cup', async () => {
    const dataset = readRoiFolder(sharedPath('roi-multidomain'));
    expect(dataset.problems).toEqual([]);
    expect(dataset.samples).toHaveLength(8);
    expect(dataset.samples.map((s) => s.id.split('/')[0])).toEqual(['Domain1', 'Domain1', 'Domain2', 'Domain2', 'Domain3', 'Domain3', 'Domain4', 'Domain4']);
    expect(dataset.samples.filter((s) => s.split === 'train')).toHaveLength(4);
    for (const sample of dataset.samples) {
      const { od, oc, warnings } = await readSampleMasks(sample, codec);
      expect(od).toMatchObject({ width: 800, height: 800 });
      expect(warnings).toEqual([]);
      const odArea = od.data.reduce((s, v) => s + v, 0);
      const ocArea = oc.data.reduce((s, v) => s + v, 0);
      expect(ocArea).toBeGreaterThan(1000);
      expect(odArea).toBeGreaterThan(ocArea);
    }
  });
});
