// The inference pipeline and its geometry on real photographs from ../shared/data:
// REFUGE samples at 2124x2056 and Drishti-GS1 with its expert maps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDrishti } from '../../../src-main/core/data/drishti';
import { readRefuge } from '../../../src-main/core/data/refuge';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { letterbox, mapToOriginalMask } from '../../../src-main/core/geometry/letterbox';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { area, boundingBox, largestComponent } from '../../../src-main/core/masks';
import { dice, refugeVerticalCupToDiscRatio } from '../../../src-main/core/metrics';
import { letterboxRegion } from '../../../src-main/core/train/prepare';
import { resampleMaskRegion } from '../../../src-main/core/geometry/resample-region';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-real-'));
beforeAll(useTestBackend);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.runIf(hasSharedData('refuge-samples'))('REFUGE samples through the inference pipeline', () => {
  it('returns masks at 2124x2056, the cup inside the disc, and coordinates in original pixels', async () => {
    await writeTinyModel(path.join(tmp, 'model'), { size: 32, cropStage: true });
    const predictor = Predictor.open(path.join(tmp, 'model'), codec);
    try {
      const samples = readRefuge(sharedPath('refuge-samples')).samples;
      expect(samples).toHaveLength(10);
      const prediction = await predictor.predictFile(samples[0]!.imageFile, { tta: true });
      const s = prediction.summary;
      expect([s.width, s.height]).toEqual([2124, 2056]);
      expect([prediction.od.width, prediction.od.height]).toEqual([2124, 2056]);
      expect([prediction.maps.od.width, prediction.maps.od.height]).toEqual([32, 32]);
      for (let i = 0; i < prediction.oc.data.length; i++) if (prediction.oc.data[i]) expect(prediction.od.data[i]).toBe(1);
      expect(s.uncertainty).not.toBeNull();
      if (s.fovea) {
        expect(s.fovea.x).toBeGreaterThanOrEqual(0);
        expect(s.fovea.x).toBeLessThanOrEqual(2123);
        expect(s.fovea.y).toBeLessThanOrEqual(2055);
      }
      // The untrained model's glaucoma score still combines the network and the vCDR regression when there is a disc.
      if (s.disc.found) expect(s.glaucoma.vcdrRegression).not.toBeNull();
      expect(s.glaucoma.network).not.toBeNull();
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
