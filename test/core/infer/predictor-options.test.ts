// The predictor's optional measures (docs/robustness.md): a shape prior and colour normalisation, both off by default.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Predictor, type PredictOptions } from '../../../src-main/core/infer/predictor';
import { area } from '../../../src-main/core/masks/measure';
import { readManifest, rewritePackage, withShapePrior } from '../../../src-main/core/model/package';
import { applyShapePrior } from '../../../src-main/core/masks/shape-prior';
import type { RgbImage } from '../../../src-main/core/types';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

describe('predictor options: shape prior and colour normalisation', () => {
  let dir: string;
  let predictor: Predictor;
  // A reddish field with a brighter, bluish blob: enough structure for an untrained network to answer unevenly.
  const image: RgbImage = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) image.data.set((x - 20) ** 2 + (y - 14) ** 2 < 40 ? [200, 150, 140] : [90 + ((x * 7 + y * 3) % 30), 40, 60], (y * 32 + x) * 3);
  const predict = (options: Partial<PredictOptions>) => predictor.predictLetterboxed(image, { width: 32, height: 32 }, async () => image, { tta: false, ...options });

  beforeAll(async () => {
    await useTestBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-predict-options-'));
    await writeTinyModel(path.join(dir, 'model'), { tasks: ['od', 'oc'] });
    // An untrained network's probabilities hover around one value: threshold its disc map at the 70th percentile,
    // so the disc is an irregular region a prior changes.
    predictor = Predictor.open(path.join(dir, 'model'), createSharpCodec());
    const map = [...(await predict({})).maps.od.data].sort((a, b) => a - b);
    predictor.dispose();
    const manifest = readManifest(path.join(dir, 'model'));
    await rewritePackage(path.join(dir, 'model'), path.join(dir, 'model'), { preprocessing: { ...manifest.preprocessing, threshold: map[Math.floor(0.7 * map.length)]! } });
    predictor = Predictor.open(path.join(dir, 'model'), createSharpCodec());
  });
  afterAll(() => {
    predictor.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies the shape prior to the final disc (and keeps the cup inside it); none by default', async () => {
    const plain = await predict({});
    expect(area(plain.od)).toBeGreaterThan(0);
    expect((await predict({ shapePrior: 'none' })).od).toEqual(plain.od);
    for (const prior of ['hull', 'ellipse'] as const) {
      const shaped = await predict({ shapePrior: prior });
      expect(shaped.od).toEqual(applyShapePrior(plain.od, prior));
      for (let i = 0; i < shaped.oc.data.length; i++) if (shaped.oc.data[i]) expect(shaped.od.data[i]).toBe(1);
    }
    expect((await predict({ shapePrior: 'hull' })).od).not.toEqual(plain.od);
  });

  it("reads with the package's recorded shape prior (format version 4), unless the caller asks otherwise", async () => {
    const plain = await predict({});
    const hull = await predict({ shapePrior: 'hull' });
    expect(hull.od).not.toEqual(plain.od);
    const shapedDir = path.join(dir, 'model-hull');
    const manifest = await rewritePackage(path.join(dir, 'model'), shapedDir, { preprocessing: withShapePrior(readManifest(path.join(dir, 'model')).preprocessing, 'hull') });
    expect(manifest.formatVersion).toBe(4);
    expect(fs.readFileSync(path.join(shapedDir, 'README.md'), 'utf8')).toContain('- Shape prior: disc and cup replaced by their filled convex hulls, after the last segmentation stage');
    const shaped = Predictor.open(shapedDir, createSharpCodec());
    try {
      const read = (options: Partial<PredictOptions>) => shaped.predictLetterboxed(image, { width: 32, height: 32 }, async () => image, { tta: false, ...options });
      expect((await read({})).od).toEqual(hull.od);
      expect((await read({ shapePrior: 'none' })).od).toEqual(plain.od);
    } finally {
      shaped.dispose();
    }
    // An app that reads format 3 would read it unshaped: the package must say version 4. 'none' is never written.
    const file = path.join(shapedDir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...json, formatVersion: 3 }));
    expect(() => readManifest(shapedDir)).toThrow(/model\.json.*"formatVersion": a package that shapes its disc and cup must be format version 4/);
    expect(withShapePrior(manifest.preprocessing, 'none')).not.toHaveProperty('shapePrior');
  });

  it('rebalances the inputs to a colour target when given one, and not by default', async () => {
    const plain = (await predict({})).maps.od.data;
    expect((await predict({ colourReference: null })).maps.od.data).toEqual(plain);
    expect((await predict({ colourReference: [100, 50, 15] })).maps.od.data).not.toEqual(plain);
  });
});
