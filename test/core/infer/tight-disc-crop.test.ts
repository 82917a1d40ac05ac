// A photograph that is itself a tight disc crop (the disc filling two thirds of
// the frame, as some cameras' and datasets' region-of-interest exports do) with
// the bundled default model: the whole-image network does not know a disc that
// large, and the two-stage crop around it would reach far past the photograph's
// edges. Reading the photograph with the disc-crop network finds it.
import path from 'node:path';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDrishti } from '../../../src-main/core/data/drishti';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import type { SquareCrop } from '../../../src-main/core/geometry/crop';
import { resampleMaskRegion, resampleRgbRegion } from '../../../src-main/core/geometry/resample-region';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { boundingBox } from '../../../src-main/core/masks';
import { dice } from '../../../src-main/core/metrics';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const defaultModel = path.resolve(import.meta.dirname, '..', '..', '..', 'resources', 'model');
beforeAll(useTestBackend);

describe.runIf(hasSharedData('drishti-gs1') && fs.existsSync(path.join(defaultModel, 'model.json')))('a tight disc crop (the disc fills 67 % of the frame)', () => {
  // Two test-split photographs in which the two-stage path alone found no disc at this crop. The bundled model trained
  // on all 101 Drishti-GS1 images, these two included: this guards the pipeline's reading of a tight crop (the
  // held-out figures are the fold models', docs/robustness.md), not the model's accuracy.
  it.each(['drishtiGS_006', 'drishtiGS_007'])('%s: the disc is found and segmented', async (id) => {
    const sample = readDrishti(sharedPath('drishti-gs1')).samples.find((s) => s.id.endsWith(id))!;
    const image = await codec.readRgb(sample.imageFile);
    const { od, oc } = await readSampleMasks(sample, codec);
    const box = boundingBox(od)!;
    const side = Math.round(1.5 * (box.y1 - box.y0));
    const crop: SquareCrop = { x0: Math.round((box.x0 + box.x1) / 2 - side / 2), y0: Math.round((box.y0 + box.y1) / 2 - side / 2), side };
    const photo = resampleRgbRegion(image, crop, 800);
    const truth = { od: resampleMaskRegion(od, crop, 800), oc: resampleMaskRegion(oc, crop, 800) };
    const predictor = Predictor.open(defaultModel, codec);
    try {
      const letterboxed = resampleRgbRegion(photo, { x0: 0, y0: 0, side: 800 }, predictor.inputSize);
      const p = await predictor.predictLetterboxed(letterboxed, { width: 800, height: 800 }, async () => photo, { tta: true });
      expect(p.summary.disc.found).toBe(true);
      expect(p.summary.warnings.join('; ')).toContain('read as a disc crop');
      expect(dice(p.od, truth.od)).toBeGreaterThan(0.75);
      expect(dice(p.oc, truth.oc)).toBeGreaterThan(0.4);
    } finally {
      predictor.dispose();
    }
  });
});
