import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drishtiId, parseDiskCenter, readDrishti } from '../../../src-main/core/data/drishti';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { readXlsxWorkbook } from '../../../src-main/core/data/xlsx';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drishti-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('Drishti-GS1 helpers', () => {
  it('diskCenter.txt is "row col": converted to x = col, y = row', () => {
    expect(parseDiskCenter('840 992\n')).toEqual({ x: 992, y: 840 });
    expect(parseDiskCenter(' 1100\t988 ')).toEqual({ x: 988, y: 1100 });
    expect(parseDiskCenter('840')).toBeNull();
    expect(parseDiskCenter('a b')).toBeNull();
  });

  it('ids are zero-padded to three digits', () => {
    expect(drishtiId(2)).toBe('drishtiGS_002');
    expect(drishtiId(101)).toBe('drishtiGS_101');
  });
});

describe('readDrishti on a hand-made tree', () => {
  it('reports missing soft maps and a missing labels table as problems, and no images as an error', async () => {
    const root = path.join(tmp, 'tiny');
    const gt = path.join(root, 'Training', 'GT', 'drishtiGS_007');
    fs.mkdirSync(path.join(root, 'Training', 'Images'), { recursive: true });
    fs.mkdirSync(path.join(gt, 'SoftMap'), { recursive: true });
    fs.mkdirSync(path.join(gt, 'AvgBoundary'), { recursive: true });
    const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) };
    await codec.writePng(path.join(root, 'Training', 'Images', 'drishtiGS_007.png'), image);
    await codec.writePng(path.join(root, 'Training', 'Images', 'drishtiGS_009.png'), image);
    const soft = { width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 }, (_, i) => [0, 64, 128, 191, 255][i % 5]!) };
    await codec.writePng(path.join(gt, 'SoftMap', 'drishtiGS_007_ODsegSoftmap.png'), soft);
    await codec.writePng(path.join(gt, 'SoftMap', 'drishtiGS_007_cupsegSoftmap.png'), soft);
    fs.writeFileSync(path.join(gt, 'AvgBoundary', 'drishtiGS_007_diskCenter.txt'), '10 20\n');
    const dataset = readDrishti(root);
    expect(dataset.samples.map((s) => s.id)).toEqual(['drishtiGS_007', 'drishtiGS_009']);
    expect(dataset.samples[0]).toMatchObject({ split: 'train', discCenter: { x: 20, y: 10 }, masks: { kind: 'soft', minValue: 128 } });
    expect(dataset.samples[1]!.masks).toBeUndefined();
    expect(dataset.problems.map((p) => p.problem)).toEqual([
      expect.stringMatching(/^labels table not found \(looked for Training\/GT\/Notching___Image__level_decisions\.xlsx/),
      expect.stringMatching(/^1 image\(s\) without both soft maps .*: drishtiGS_009$/),
    ]);
    // Consensus >= 128: values 128, 191 and 255 of every five.
    const masks = await readSampleMasks(dataset.samples[0]!, codec);
    expect([...masks.od.data.subarray(0, 5)]).toEqual([0, 0, 1, 1, 1]);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    expect(() => readDrishti(empty)).toThrow(/no Drishti-GS1 images found/);
  });
});

describe.runIf(hasSharedData('drishti-gs1'))('readDrishti on the real Drishti-GS1 training and test splits', () => {
  const root = sharedPath('drishti-gs1');

  it('reads 101 samples with soft-map masks, disc centres and G/N labels (70 glaucoma), split 50 train / 51 test', () => {
    const dataset = readDrishti(root);
    expect(dataset.problems).toEqual([]);
    expect(dataset.samples).toHaveLength(101);
    expect(dataset.samples.every((s) => s.masks?.kind === 'soft' && s.discCenter && s.glaucoma !== undefined)).toBe(true);
    expect(dataset.samples.filter((s) => s.glaucoma === 1)).toHaveLength(70);
    const train = dataset.samples.filter((s) => s.split === 'train');
    const test = dataset.samples.filter((s) => s.split === 'test');
    expect([train.length, test.length]).toEqual([50, 51]);
    expect(train.filter((s) => s.glaucoma === 1)).toHaveLength(32);
    expect(test.filter((s) => s.glaucoma === 1)).toHaveLength(38);
    // The labels agree with the workbook's own list of the 50 training images (its second sheet).
    const training = readXlsxWorkbook(path.join(root, 'Training', 'GT', 'Notching___Image__level_decisions.xlsx'))[1]!;
    for (const row of training.rows) {
      const sample = dataset.samples.find((s) => s.id === drishtiId(row[0] as number))!;
      expect(sample.split).toBe('train');
      expect(sample.glaucoma).toBe(String(row[3]).trim() === 'G' ? 1 : 0);
    }
    expect(train[0]).toMatchObject({ id: 'drishtiGS_002', discCenter: { x: 992, y: 840 }, glaucoma: 1 });
  });

  it('consensus masks have the image size and contain the disc centre; the cup lies inside the disc', async () => {
    const dataset = readDrishti(root);
    for (const sample of dataset.samples.filter((_, i) => i % 10 === 0)) {
      const size = await codec.probe(sample.imageFile);
      const { od, oc } = await readSampleMasks(sample, codec);
      expect(od).toMatchObject({ width: size.width, height: size.height });
      const c = sample.discCenter!;
      expect(od.data[Math.round(c.y) * od.width + Math.round(c.x)]).toBe(1);
      let odArea = 0;
      let cupOutside = 0;
      for (let i = 0; i < od.data.length; i++) {
        odArea += od.data[i]!;
        if (oc.data[i] && !od.data[i]) cupOutside++;
      }
      expect(odArea).toBeGreaterThan(10_000);
      expect(cupOutside).toBe(0);
    }
  });
});
