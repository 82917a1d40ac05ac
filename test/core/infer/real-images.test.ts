// The inference pipeline and its geometry on real photographs from ../shared/data:
// REFUGE samples at 2124x2056 and Drishti-GS1 with its expert maps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDrishti } from '../../../src-main/core/data/drishti';
import { readRefuge } from '../../../src-main/core/data/refuge';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { letterbox, letterboxRegion, mapToOriginalMask } from '../../../src-main/core/geometry/letterbox';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { area, boundingBox, largestComponent } from '../../../src-main/core/masks';
import { dice, refugeVerticalCupToDiscRatio } from '../../../src-main/core/metrics';
import { resampleMaskRegion } from '../../../src-main/core/geometry/resample-region';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-real-'));
beforeAll(useTestBackend);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The bundled default model finds the disc on every REFUGE sample (its data card
// says so), so the disc-crop stage and the cup-inside-disc rule really run
// here; an untrained model would find no disc and leave them untested.
const defaultModel = path.resolve(import.meta.dirname, '..', '..', '..', 'resources', 'model');

describe.runIf(hasSharedData('refuge-samples') && fs.existsSync(path.join(defaultModel, 'model.json')))('REFUGE samples through the inference pipeline', () => {
  it('returns masks at 2124x2056, the cup inside the disc, and coordinates in original pixels', async () => {
    const predictor = Predictor.open(defaultModel, codec);
    try {
      // Then the two disc-crop stages (Cartesian, then polar), which run only on a found disc.
      expect(predictor.model.manifest.networks.map((n) => (n.input.kind === 'disc-crop' ? `${n.input.kind} ${n.input.stage ?? 1}` : n.input.kind))).toEqual(['full-image', 'disc-crop 1', 'disc-crop 2']);
      const samples = readRefuge(sharedPath('refuge-samples')).samples;
      expect(samples).toHaveLength(10);
      const prediction = await predictor.predictFile(samples[0]!.imageFile, { tta: true });
      const s = prediction.summary;
      expect([s.width, s.height]).toEqual([2124, 2056]);
      expect([prediction.od.width, prediction.od.height]).toEqual([2124, 2056]);
      expect([prediction.maps.od.width, prediction.maps.od.height]).toEqual([128, 128]);
      expect(s.disc.found).toBe(true);
      expect(s.cup.found).toBe(true);
      const cupPixels = area(prediction.oc);
      expect(cupPixels).toBeGreaterThan(0);
      let cupOutsideDisc = 0;
      for (let i = 0; i < prediction.oc.data.length; i++) if (prediction.oc.data[i] && !prediction.od.data[i]) cupOutsideDisc++;
      expect(cupOutsideDisc).toBe(0);
      // The disc of a macula-centred REFUGE photograph: a few per cent of the image, inside it.
      const box = boundingBox(prediction.od)!;
      expect(box.x0).toBeGreaterThanOrEqual(0);
      expect(box.x1).toBeLessThanOrEqual(2124);
      expect(box.y1).toBeLessThanOrEqual(2056);
      expect(s.disc.areaPx / (2124 * 2056)).toBeGreaterThan(0.002);
      expect(s.disc.areaPx / (2124 * 2056)).toBeLessThan(0.1);
      expect(s.vcdr).not.toBeNull();
      expect(s.uncertainty).not.toBeNull();
      // With a disc, the glaucoma score combines the network and the vCDR regression.
      expect(s.glaucoma.vcdrRegression).not.toBeNull();
      expect(s.glaucoma.network).not.toBeNull();
    } finally {
      predictor.dispose();
    }
  });
});

describe.runIf(hasSharedData('refuge-samples'))('the cup is kept inside the disc', () => {
  it('even when the network\'s own cup reaches outside its disc', async () => {
    // An untrained network's maps hover around one value; a threshold at the
    // median of its disc map gives a disc and a cup that overlap only in part.
    const dir = path.join(tmp, 'median-threshold');
    await writeTinyModel(dir, { size: 32, tasks: ['od', 'oc'] });
    const file = readRefuge(sharedPath('refuge-samples')).samples[0]!.imageFile;
    const probe = Predictor.open(dir, codec);
    let discMap: Float32Array;
    try {
      discMap = (await probe.predictFile(file, { tta: false })).maps.od.data;
    } finally {
      probe.dispose();
    }
    const sorted = Float32Array.from(discMap).sort();
    const manifestFile = path.join(dir, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { preprocessing: { threshold: number } };
    manifest.preprocessing.threshold = sorted[Math.floor(sorted.length / 2)]!;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const predictor = Predictor.open(dir, codec);
    try {
      const prediction = await predictor.predictFile(file, { tta: false });
      const lb = letterbox({ width: prediction.od.width, height: prediction.od.height }, 32);
      const rawCup = mapToOriginalMask(lb, prediction.maps.oc, manifest.preprocessing.threshold);
      const outside = (cup: Uint8Array): number => {
        let n = 0;
        for (let i = 0; i < cup.length; i++) if (cup[i] && !prediction.od.data[i]) n++;
        return n;
      };
      expect(prediction.summary.disc.found).toBe(true);
      expect(outside(rawCup.data)).toBeGreaterThan(0);
      expect(area(prediction.oc)).toBeGreaterThan(0);
      expect(outside(prediction.oc.data)).toBe(0);
    } finally {
      predictor.dispose();
    }
  });
});

describe.runIf(hasSharedData('drishti-gs1'))('Drishti-GS1 expert maps through the pipeline geometry', () => {
  it('a perfect network-size prediction comes back to the expert consensus at original size', async () => {
    const samples = readDrishti(sharedPath('drishti-gs1')).samples.slice(0, 4);
    for (const sample of samples) {
      const truth = await readSampleMasks(sample, codec);
      const original = { width: truth.od.width, height: truth.od.height };
      const size = 256;
      // What a perfect network would output at 256 px, brought back to the image as inference does.
      const small = resampleMaskRegion(truth.od, letterboxRegion(original), size);
      const map = { width: size, height: size, data: Float32Array.from(small.data) };
      const back = largestComponent(mapToOriginalMask(letterbox(original, size), map, 0.5));
      expect(dice(back, truth.od)).toBeGreaterThan(0.97);
      // The disc centre of the expert file lies inside the consensus disc.
      const box = boundingBox(truth.od)!;
      expect(sample.discCenter!.x).toBeGreaterThan(box.x0);
      expect(sample.discCenter!.x).toBeLessThan(box.x1);
      expect(area(truth.oc)).toBeGreaterThan(0);
    }
  });

  it('the REFUGE vCDR of the consensus masks agrees with the experts\' own cup-to-disc ratios', async () => {
    const samples = readDrishti(sharedPath('drishti-gs1')).samples;
    const errors: number[] = [];
    for (const sample of samples.slice(0, 10)) {
      const truth = await readSampleMasks(sample, codec);
      const id = sample.id;
      const values = fs.readFileSync(sharedPath('drishti-gs1', sample.split === 'test' ? 'Test' : 'Training', 'GT', id, `${id}_cdrValues.txt`), 'utf8').trim().split(/\s+/).map(Number);
      const experts = values.reduce((a, b) => a + b, 0) / values.length;
      errors.push(Math.abs(refugeVerticalCupToDiscRatio(truth.od, truth.oc) - experts));
    }
    // The experts' CDRs were read clinically, the masks are a 2-of-4 consensus: close, not equal.
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(0.1);
  });
});
