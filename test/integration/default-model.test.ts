// The bundled default model (resources/model) on real photographs: it must find
// one disc of plausible size on the REFUGE samples (another camera, a wider
// field of view than its Drishti-GS1 training images) and not call them all
// glaucoma, find the disc in the ROI crops of four hospitals, and the files
// `screen` writes for Drishti-GS1 images must match the expert consensus.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../src-main/core/backend';
import { readDrishti } from '../../src-main/core/data/drishti';
import { readRefuge } from '../../src-main/core/data/refuge';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { seenInTraining } from '../../src-main/core/data/training-images';
import { Predictor } from '../../src-main/core/infer/predictor';
import { screenFolder } from '../../src-main/core/infer/screen-folder';
import { decodeMaskAuto } from '../../src-main/core/masks';
import { dice } from '../../src-main/core/metrics';
import { readManifest } from '../../src-main/core/model/package';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { useTestBackend } from '../helpers/backend';
import { hasSharedData, isCI, sharedPath } from '../helpers/shared-data';

const modelDir = path.resolve(import.meta.dirname, '..', '..', 'resources', 'model');
const hasModel = fs.existsSync(path.join(modelDir, 'model.json'));
if (!hasModel && isCI) throw new Error(`the bundled default model is missing: ${modelDir}`);
const codec = createSharpCodec();
/**
 * Regression floors for the eight ROI crops, below what was measured on 2026-12-01 with the disc of the two crop
 * stages averaged (docs/robustness.md, "The disc averaged, the cup the polar network's"): disc Dice 0.851-0.975,
 * all eight at 0.85 or more, the lowest (a RIM-ONE crop) at 0.851, so the floor allows it to slip below.
 */
const ROI_MIN_OD_DICE = 0.83;
const ROI_AT_085 = 7;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-default-model-'));
let backend: BackendInfo;
beforeAll(async () => {
  backend = await useTestBackend();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.runIf(hasModel)('the bundled default model', () => {
  it('carries its data card, its cross-validated metrics and no fovea task (Drishti-GS1 has no fovea labels)', () => {
    const m = readManifest(modelDir);
    expect(m.trainedTasks).not.toContain('fovea');
    expect(m.dataCard.source).toMatch(/Drishti-GS1/);
    expect(m.dataCard.intendedUse).toMatch(/not for clinical use/);
    // What it was seen to get wrong on another camera travels with it (shown in reports and the app).
    expect(m.dataCard.notes).toMatch(/over-estimates the cup/);
    expect(m.validation?.note).toMatch(/5-fold cross-validation/);
    expect(m.validation!.metrics.odDice).toBeGreaterThanOrEqual(0.93);
    expect(m.validation!.metrics.ocDice).toBeGreaterThanOrEqual(0.8);
    // The decision rule was chosen by cross-validation on images the networks did not train on, with its operating point.
    const d = m.decision!;
    expect(d.validation.cases).toBe(101);
    expect(d.validation.auc.low).toBeLessThan(d.validation.auc.value);
    expect(d.operatingPoint.targetSpecificity).toBe(0.85);
    // The threshold estimates where the normal eyes' probabilities reach 85 % (Harrell-Davis): the specificity counted on
    // the 31 cross-validated normal eyes may fall just below it (docs/screening.md, "How the threshold is set").
    expect(d.operatingPoint.rule).toBe('harrell-davis');
    expect(d.operatingPoint.specificity.value).toBeGreaterThanOrEqual(0.8);
    expect(d.selection.candidates.map((c) => c.id)).toEqual(expect.arrayContaining(['paper', 'vcdr', 'measurements']));
    expect(m.preprocessing.luminanceReference).toBeGreaterThan(0);
    // Its disc is the two crop stages' averaged, its cup the polar stage's: the readings its decision was fitted on.
    expect(m.preprocessing.stageFusion).toBe('average-disc');
    // Disc and cup are read as their convex hulls: the readings its decision was fitted on (cv101c3-hull).
    expect(m.preprocessing.shapePrior).toBe('hull');
    expect(m.formatVersion).toBe(4);
    expect(d.validation.note).toMatch(/cv101c3-hull/);
    // It decides on the disc sizes the robustness benchmark measured its recipe reading well at, not only its cases'.
    expect(d.domain?.evidence).toMatch(/measured by the robustness benchmark/);
    expect(d.domain!.discSize.low).toBeLessThan(0.12);
    const bytes = fs.readdirSync(modelDir).reduce((n, f) => n + fs.statSync(path.join(modelDir, f)).size, 0);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
  });

  describe.runIf(hasSharedData('refuge-samples'))('on the ten REFUGE samples (2124x2056, macula-centred)', () => {
    it('finds one disc of plausible size and place in every image, and no fovea', async () => {
      const predictor = Predictor.open(modelDir, codec);
      try {
        const samples = readRefuge(sharedPath('refuge-samples')).samples;
        expect(samples).toHaveLength(10);
        for (const sample of samples) {
          const p = await predictor.predictFile(sample.imageFile, { tta: true });
          const s = p.summary;
          expect(s.disc.found, sample.id).toBe(true);
          // A REFUGE disc is about 1.5-2 mm: some 250-350 px tall at this camera's resolution.
          expect(s.disc.verticalDiameterPx, sample.id).toBeGreaterThan(150);
          expect(s.disc.verticalDiameterPx, sample.id).toBeLessThan(550);
          const box = s.disc.box!;
          const width = box.x1 - box.x0;
          const height = box.y1 - box.y0;
          // Roughly round.
          expect(width / height, sample.id).toBeGreaterThan(0.6);
          expect(width / height, sample.id).toBeLessThan(1.6);
          // On the disc, not on the black border or the retina: the disc is the brightest structure of the fundus,
          // so the pixels called disc are brighter than the field of view on average. (Not the box's middle alone:
          // the central vessels leave the disc there, and in g0005 they cross it. Nor a fixed margin from the edges:
          // in g0001 the disc sits 106 px from the left.)
          const image = await codec.readRgb(sample.imageFile);
          const luma = (i: number): number => 0.299 * image.data[i * 3]! + 0.587 * image.data[i * 3 + 1]! + 0.114 * image.data[i * 3 + 2]!;
          let fieldSum = 0;
          let fieldCount = 0;
          let discSum = 0;
          let discCount = 0;
          for (let i = 0; i < image.width * image.height; i += 7) {
            if (luma(i) > 15) (fieldSum += luma(i)), fieldCount++;
            if (p.od.data[i]) (discSum += luma(i)), discCount++;
          }
          expect(discSum / discCount, sample.id).toBeGreaterThan(1.1 * (fieldSum / fieldCount));
          expect(s.fovea).toBeNull();
          expect(s.vcdr, sample.id).not.toBeNull();
        }
      } finally {
        predictor.dispose();
      }
    });

    it("meets the issue's quick start: at most one of the five normal eyes called glaucoma, at least four of the five glaucomatous ones, none withheld for its 45-degree field", async () => {
      const predictor = Predictor.open(modelDir, codec);
      try {
        let falseAlarms = 0;
        let caught = 0;
        for (const sample of readRefuge(sharedPath('refuge-samples')).samples) {
          const g = (await predictor.predictFile(sample.imageFile, { tta: true })).summary.glaucoma;
          // REFUGE's discs span 12-16 % of the image: inside the field of view the benchmark measured (set-domain).
          if (g.decision === null) expect(g.withheld, sample.id).toMatch(/ungradable/);
          if (g.decision === 'glaucoma' && sample.glaucoma === 0) falseAlarms++;
          if (g.decision === 'glaucoma' && sample.glaucoma === 1) caught++;
        }
        expect(falseAlarms).toBeLessThanOrEqual(1);
        expect(caught).toBeGreaterThanOrEqual(4);
      } finally {
        predictor.dispose();
      }
    });
  });

  describe.runIf(hasSharedData('drishti-gs1'))('its record of the images it trained on', () => {
    it('lists all 101 Drishti-GS1 images, both splits, so evaluate can tell that no Drishti-GS1 figure of it is held out', async () => {
      const listed = readManifest(modelDir).training['sampleIds'] as string[];
      const samples = readDrishti(sharedPath('drishti-gs1')).samples;
      expect(samples).toHaveLength(101);
      expect([...listed].sort()).toEqual(samples.map((s) => s.id).sort());
      const test = samples.filter((s) => s.split === 'test').map((s) => s.id);
      expect(test).toHaveLength(51);
      expect(seenInTraining(test, new Set(listed))).toEqual(test);
    });
  });

  describe.runIf(hasSharedData('roi-multidomain'))('on the eight ROI crops of four hospitals (the disc fills about half the frame)', () => {
    it('finds the disc in every crop, with the experts\' disc', async () => {
      const predictor = Predictor.open(modelDir, codec);
      try {
        const samples = readRoiFolder(sharedPath('roi-multidomain')).samples;
        expect(samples).toHaveLength(8);
        const odDice: number[] = [];
        for (const sample of samples) {
          const p = await predictor.predictFile(sample.imageFile, { tta: true });
          expect(p.summary.disc.found, sample.id).toBe(true);
          odDice.push(dice(p.od, (await readSampleMasks(sample, codec)).od));
        }
        expect(Math.min(...odDice)).toBeGreaterThanOrEqual(ROI_MIN_OD_DICE);
        expect(odDice.filter((d) => d >= 0.85).length).toBeGreaterThanOrEqual(ROI_AT_085);
      } finally {
        predictor.dispose();
      }
    });
  });

  describe.runIf(hasSharedData('drishti-gs1'))('screening Drishti-GS1 images with the default model', () => {
    it('writes REFUGE masks that match the expert consensus (the images it was trained on)', async () => {
      const samples = readDrishti(sharedPath('drishti-gs1')).samples.filter((s) => s.split === 'train').slice(0, 8);
      const folder = path.join(tmp, 'drishti');
      fs.mkdirSync(folder);
      for (const s of samples) fs.copyFileSync(s.imageFile, path.join(folder, path.basename(s.imageFile)));
      const predictor = Predictor.open(modelDir, codec);
      try {
        await screenFolder(folder, path.join(tmp, 'out'), predictor, codec, backend, { tta: true, overlays: false, overlaySide: 1024 });
      } finally {
        predictor.dispose();
      }
      const od: number[] = [];
      const oc: number[] = [];
      for (const s of samples) {
        const file = path.join(tmp, 'out', 'segmentation', `${s.id}.bmp`);
        const written = decodeMaskAuto(await codec.readGrey(file), file);
        const truth = await readSampleMasks(s, codec);
        od.push(dice(written.od, truth.od));
        oc.push(dice(written.oc, truth.oc));
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      expect(mean(od)).toBeGreaterThanOrEqual(0.93);
      expect(mean(oc)).toBeGreaterThanOrEqual(0.8);
    });
  });
});
