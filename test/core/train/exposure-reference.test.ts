import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { readManifest, rewritePackage } from '../../../src-main/core/model/package';
import { medianFieldColour, medianFieldLuminance } from '../../../src-main/core/train/exposure-reference';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import type { RgbImage } from '../../../src-main/core/types';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

/** A 10x10 image: a grey field of the given level on the left half, black on the right. */
function half(level: number): RgbImage {
  const data = new Uint8Array(300);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 5; x++) data.fill(level, (y * 10 + x) * 3, (y * 10 + x) * 3 + 3);
  return { width: 10, height: 10, data };
}

describe('exposure reference', () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-exposure-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the median luminance of the illuminated field, black border left out', () => {
    expect(medianFieldLuminance([half(40), half(100), half(60)])).toBeCloseTo(60, 6);
    expect(medianFieldLuminance([half(40), half(100)])).toBeCloseTo(70, 6);
    expect(medianFieldLuminance([half(0)])).toBeNull();
  });

  it('takes the colour target as the per-channel median of the mean field colours', () => {
    const coloured = (r: number, g: number, b: number): RgbImage => {
      const image = half(0);
      for (let i = 0; i < 300; i += 3) if (image.data[i] === 0 && (i / 3) % 10 < 5) image.data.set([r, g, b], i);
      return image;
    };
    expect(medianFieldColour([coloured(100, 50, 10), coloured(160, 40, 30), coloured(120, 60, 20)])).toEqual([120, 50, 20]);
    expect(medianFieldColour([half(0)])).toBeNull();
  });

  it('records the colour target in a package copy, shows it in the README, rejects a malformed one, and the predictor applies it by default', async () => {
    await writeTinyModel(path.join(dir, 'model-c'));
    const before = readManifest(path.join(dir, 'model-c'));
    const reference = [100, 50, 15] as const;
    await rewritePackage(path.join(dir, 'model-c'), path.join(dir, 'coloured'), { preprocessing: { ...before.preprocessing, colourReference: [...reference] } });
    expect(readManifest(path.join(dir, 'coloured')).preprocessing.colourReference).toEqual([100, 50, 15]);
    expect(fs.readFileSync(path.join(dir, 'coloured', 'README.md'), 'utf8')).toContain('R, G, B of 100.0, 50.0, 15.0');
    const file = path.join(dir, 'coloured', 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...json, preprocessing: { ...json.preprocessing, colourReference: [100, 50] } }));
    fs.mkdirSync(path.join(dir, 'bad'));
    fs.renameSync(path.join(dir, 'bad.json'), path.join(dir, 'bad', 'model.json'));
    expect(() => readManifest(path.join(dir, 'bad'))).toThrow(/colourReference/);

    // A bluish field: with the package's target its inputs are rebalanced, so the maps differ from colours as decoded.
    const image: RgbImage = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
    for (let i = 0; i < image.data.length; i += 3) image.data.set([60 + (i % 40), 50, 60], i);
    const predictor = Predictor.open(path.join(dir, 'coloured'), createSharpCodec());
    try {
      const run = async (options: { colourReference?: null | readonly [number, number, number] }) =>
        (await predictor.predictLetterboxed(image, { width: 32, height: 32 }, async () => image, { tta: false, ...options })).maps.od.data;
      const byDefault = await run({});
      expect(await run({ colourReference: reference })).toEqual(byDefault);
      expect(await run({ colourReference: null })).not.toEqual(byDefault);
    } finally {
      predictor.dispose();
    }
  });

  it('is recorded in a package copy and shown in its README; the weights are untouched', async () => {
    await writeTinyModel(path.join(dir, 'model'));
    const before = readManifest(path.join(dir, 'model'));
    await rewritePackage(path.join(dir, 'model'), path.join(dir, 'exposed'), { preprocessing: { ...before.preprocessing, luminanceReference: 61.5 } });
    const after = readManifest(path.join(dir, 'exposed'));
    expect(after.preprocessing.luminanceReference).toBe(61.5);
    expect(after.networks).toEqual(before.networks);
    expect(fs.readFileSync(path.join(dir, 'exposed', 'README.md'), 'utf8')).toContain('field luminance of 61.5');
  });
});
