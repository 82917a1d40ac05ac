import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { encodeBmpGrey } from '../../../src-main/core/data/bmp';
import { readSampleMasks, type Sample } from '../../../src-main/core/data/sample';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sample-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (name: string): string => path.join(tmp, name);
const grey = (w: number, h: number, v: (i: number) => number) => ({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => v(i)) });

describe('readSampleMasks', () => {
  it('decodes a REFUGE BMP mask: disc = value < 255 (includes the cup), cup = 0', async () => {
    await codec.writePng(at('img.png'), { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) });
    fs.writeFileSync(at('mask.bmp'), encodeBmpGrey(grey(64, 64, (i) => (i < 10 ? 0 : i < 30 ? 128 : 255))));
    const sample: Sample = { id: 'a', imageFile: at('img.png'), dataset: 'manifest', masks: { kind: 'refuge', file: at('mask.bmp') } };
    const { od, oc, warnings } = await readSampleMasks(sample, codec);
    expect(od.data.reduce((s, v) => s + v, 0)).toBe(30);
    expect(oc.data.reduce((s, v) => s + v, 0)).toBe(10);
    expect(warnings).toEqual([]);
  });

  it('soft maps: consensus at minValue, both maps checked against the image size', async () => {
    await codec.writePng(at('od.png'), grey(64, 64, (i) => [0, 64, 128, 191, 255][i % 5]!));
    await codec.writePng(at('oc.png'), grey(64, 64, (i) => (i % 5 === 4 ? 255 : 0)));
    const sample: Sample = { id: 'b', imageFile: at('img.png'), dataset: 'drishti-gs1', masks: { kind: 'soft', odFile: at('od.png'), ocFile: at('oc.png'), minValue: 191 } };
    const { od, oc } = await readSampleMasks(sample, codec);
    expect([...od.data.subarray(0, 5)]).toEqual([0, 0, 0, 1, 1]);
    expect([...oc.data.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
    await codec.writePng(at('oc-small.png'), grey(64, 70, () => 0));
    const wrong: Sample = { ...sample, masks: { kind: 'soft', odFile: at('od.png'), ocFile: at('oc-small.png'), minValue: 128 } };
    await expect(readSampleMasks(wrong, codec)).rejects.toThrow(new InputError(at('oc-small.png'), 'mask is 64x70 but its image img.png is 64x64; masks must be at image size'));
  });

  it('a sample without masks is an InputError naming the image', async () => {
    await expect(readSampleMasks({ id: 'c', imageFile: at('img.png'), dataset: 'folder' }, codec)).rejects.toThrow(new InputError(at('img.png'), 'this sample has no disc/cup masks'));
  });
});
