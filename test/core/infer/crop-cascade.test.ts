// The crop cascade (three networks): the whole-image network finds the disc, a
// Cartesian disc-crop network places and sizes it, and a second crop stage (a polar
// network) reads a crop cut around that disc and gives the final disc and cup.
// The networks' outputs are replaced by drawn discs, so where each stage looks and
// what reaches the result can be checked exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../src-main/core/backend';
import { openDataset } from '../../../src-main/core/data/spec';
import { writeSyntheticRefuge } from '../../../src-main/core/data/synth';
import { Predictor, type AdaptationPhotograph, type PredictOptions } from '../../../src-main/core/infer/predictor';
import { MIN_ADAPTATION_IMAGES } from '../../../src-main/core/infer/batch-norm-adaptation';
import { boundingBox, verticalDiameter } from '../../../src-main/core/masks';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import type { PackageNetwork, StageFusion } from '../../../src-main/core/model/package';
import { readManifest, rewritePackage } from '../../../src-main/core/model/package';
import { DEFAULT_TRAINING, runTraining, type CropStageConfig } from '../../../src-main/core/train/run-training';
import type { BinaryMask, RgbImage } from '../../../src-main/core/types';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

const SIZE = 32;
const PHOTO = 200;
const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cascade-'));
let backend: BackendInfo;
beforeAll(async () => {
  backend = await useTestBackend();
  await writeSyntheticRefuge(path.join(tmp, 'data'), { count: 6, seed: 5, width: 96, height: 90 }, codec);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Logits (+-`logit`) of a disc of radius r (network pixels) centred in a SIZE x SIZE frame, for `batch` images. */
function drawnDisc(batch: number, r: number, logit = 10): tf.Tensor4D {
  const data = new Float32Array(batch * SIZE * SIZE);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) data[b * SIZE * SIZE + y * SIZE + x] = (x + 0.5 - SIZE / 2) ** 2 + (y + 0.5 - SIZE / 2) ** 2 < r * r ? logit : -logit;
  }
  return tf.tensor4d(data, [batch, SIZE, SIZE, 1]);
}

/**
 * Makes a network answer a drawn disc and cup at inference and counts the inputs it is given; in
 * training mode (batch-norm adaptation) it still runs itself.
 */
function drawOutputs(network: PackageNetwork, disc: number, cup: number, logit?: number): { inputs: number } {
  const seen = { inputs: 0 };
  const own = network.net.forward.bind(network.net);
  network.net.forward = (x, options, sink) => {
    if (options.training) return own(x, options, sink);
    seen.inputs += x.shape[0];
    return { od: drawnDisc(x.shape[0], disc, logit), oc: drawnDisc(x.shape[0], cup, logit) };
  };
  return seen;
}

/** A networks' drawn disc and cup radii (of 32) and, optionally, how sure it is (logit, default 10); `null`: the network runs itself. */
type Drawn = readonly [disc: number, cup: number, logit?: number] | null;

/**
 * A predictor on a new tiny package (with a second crop stage unless `cascade` is false) whose networks answer drawn
 * discs; how many inputs the second stage was given is counted.
 */
async function drawnPredictor(name: string, main: Drawn, crop: Drawn, second: Drawn, cascade = true, packageFusion?: StageFusion): Promise<{ predictor: Predictor; second: { inputs: number } }> {
  const dir = path.join(tmp, name);
  await writeTinyModel(dir, { tasks: ['od', 'oc'], cropStage: true, cascade });
  if (packageFusion) await rewritePackage(dir, dir, { preprocessing: { ...readManifest(dir).preprocessing, stageFusion: packageFusion } });
  const predictor = Predictor.open(dir, codec);
  const draw = (id: string, radii: Drawn): { inputs: number } => {
    const network = predictor.model.networks.find((n) => n.entry.id === id);
    return network && radii ? drawOutputs(network, radii[0], radii[1], radii[2]) : { inputs: 0 };
  };
  draw('main', main);
  draw('disc-crop', crop);
  return { predictor, second: draw('disc-crop-polar', second) };
}

/** A grey photograph with a lighter field, PHOTO px square. */
function photograph(): RgbImage {
  const data = new Uint8Array(PHOTO * PHOTO * 3);
  for (let i = 0; i < PHOTO * PHOTO; i++) data.set([150 + (i % 7), 80, 40], i * 3);
  return { width: PHOTO, height: PHOTO, data };
}

const centre = (mask: BinaryMask): { x: number; y: number } => {
  const b = boundingBox(mask)!;
  return { x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 };
};

async function predict(predictor: Predictor, options: Partial<PredictOptions> = {}): Promise<Awaited<ReturnType<Predictor['predictLetterboxed']>>> {
  const photo = photograph();
  const letterboxed = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3).fill(120) };
  return predictor.predictLetterboxed(letterboxed, { width: PHOTO, height: PHOTO }, async () => photo, { tta: false, wideSearch: false, ...options });
}

describe('a package with a second disc-crop stage', () => {
  it('reads the final disc and cup with the second stage, on a crop cut around the first crop stage\'s disc', async () => {
    // Whole image: a disc of radius 3 of 32; first crop stage: radius 10 of 32, cup 7; second: radius 6, cup 3.
    const { predictor: plain } = await drawnPredictor('two-stage', [3, 1], [10, 7], null, false);
    const { predictor: three, second } = await drawnPredictor('cascade', [3, 1], [10, 7], [6, 3]);
    try {
      const a = await predict(plain);
      const b = await predict(three);
      expect(second.inputs).toBe(1);
      // Two stages: the first crop network's disc and cup (vCDR 7 / 10).
      expect(a.summary.vcdr).toBeCloseTo(0.7, 1);
      const d1 = verticalDiameter(a.od);
      // The second stage's crop is twice the first's disc (cropScale 2): its disc of 12 / 32 of the crop is 0.75 of it,
      // around the same centre, and its cup (vCDR 3 / 6) replaces the first stage's.
      expect(verticalDiameter(b.od) / d1).toBeGreaterThan(0.7);
      expect(verticalDiameter(b.od) / d1).toBeLessThan(0.8);
      expect(Math.abs(centre(b.od).x - centre(a.od).x)).toBeLessThanOrEqual(2);
      expect(Math.abs(centre(b.od).y - centre(a.od).y)).toBeLessThanOrEqual(2);
      expect(b.summary.vcdr).toBeCloseTo(0.5, 1);
    } finally {
      plain.dispose();
      three.dispose();
    }
  });

  it('leaves a photograph read as a disc crop to the first crop stage\'s direct reading: the second stage\'s crop would reach past its edges', async () => {
    // A whole-image disc of half the frame sends the search wider; the first crop network, reading the whole
    // photograph, finds a disc of 20 / 32 of it: a tight disc crop.
    const { predictor: p, second } = await drawnPredictor('cascade-direct', [8, 2], [10, 7], [6, 3]);
    try {
      const photo = photograph();
      const letterboxed = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3).fill(120) };
      const r = await p.predictLetterboxed(letterboxed, { width: PHOTO, height: PHOTO }, async () => photo, { tta: false });
      expect(r.summary.warnings.join('; ')).toContain('read as a disc crop');
      expect(second.inputs).toBe(0);
      expect(r.summary.vcdr).toBeCloseTo(0.7, 1);
      expect(verticalDiameter(r.od) / PHOTO).toBeCloseTo(20 / 32, 1);
    } finally {
      p.dispose();
    }
  });

  it('averages the two crop stages\' probabilities when asked (stageFusion average), in the second stage\'s crop', async () => {
    // The first crop stage is sure of a disc of 10 and a cup of 7 (logit 10); the second, less sure (logit 1: p 0.73
    // inside, 0.27 outside), draws a disc of 6 and a cup of 3. Averaged, a pixel only the first stage calls disc has
    // p (1 + 0.27) / 2 = 0.64 and stays in; one only the second calls disc has (0.73 + 0) / 2 = 0.37 and drops out:
    // the average reads the first stage's disc and cup, the second stage alone its own.
    const { predictor: p } = await drawnPredictor('cascade-average', [3, 1], [10, 7], [6, 3, 1]);
    const { predictor: two } = await drawnPredictor('cascade-average-two', [3, 1], [10, 7], null, false);
    try {
      const replace = await predict(p, { stageFusion: 'replace' });
      const average = await predict(p, { stageFusion: 'average' });
      const first = await predict(two);
      expect(replace.summary.vcdr).toBeCloseTo(0.5, 1);
      // The first stage's disc and cup as it read them alone (vCDR 0.7), less a pixel or two at each of the drawn
      // maps' hard edges, which the resampling into the second crop softens (here 46 / 30 px against 48 / 34).
      expect(first.summary.vcdr).toBeCloseTo(0.7, 1);
      expect(average.summary.vcdr).toBeGreaterThan(0.6);
      expect(Math.abs(verticalDiameter(average.od) - verticalDiameter(first.od))).toBeLessThanOrEqual(3);
      expect(Math.abs(verticalDiameter(average.oc) - verticalDiameter(first.oc))).toBeLessThanOrEqual(5);
      expect(Math.abs(centre(average.od).x - centre(first.od).x)).toBeLessThanOrEqual(2);
      // The disc alone averaged: the first stage's disc around the second stage's own cup, so a smaller ratio than either.
      const discOnly = await predict(p, { stageFusion: 'average-disc' });
      expect(Math.abs(verticalDiameter(discOnly.od) - verticalDiameter(first.od))).toBeLessThanOrEqual(3);
      expect(verticalDiameter(discOnly.oc)).toBe(verticalDiameter(replace.oc));
      expect(discOnly.summary.vcdr).toBeLessThan(0.45);
      // The default is replace.
      expect((await predict(p)).summary.vcdr).toBeCloseTo(0.5, 1);
    } finally {
      p.dispose();
      two.dispose();
    }
  });

  it('averages the two crop stages when the package says so (format version 3), unless the caller asks otherwise', async () => {
    const { predictor: p } = await drawnPredictor('cascade-package-average', [3, 1], [10, 7], [6, 3, 1], true, 'average');
    try {
      expect(p.model.manifest.formatVersion).toBe(3);
      expect(fs.readFileSync(path.join(p.model.dir, 'README.md'), 'utf8')).toMatch(/Crop stages: the second stage's disc and cup probabilities averaged with the first's/);
      // As the test above: averaged, the first stage's vCDR of 0.7; the second stage alone, its 0.5.
      expect((await predict(p)).summary.vcdr).toBeGreaterThan(0.6);
      expect((await predict(p, { stageFusion: 'replace' })).summary.vcdr).toBeCloseTo(0.5, 1);
    } finally {
      p.dispose();
    }
    // An older app (format 2) would read such a package as 'replace': it must say version 3, and need a second stage.
    const dir = path.join(tmp, 'cascade-package-average');
    const file = path.join(dir, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...manifest, formatVersion: 2 }));
    expect(() => readManifest(dir)).toThrow(/model\.json.*"formatVersion": a package whose crop stages are averaged must be format version 3/);
    fs.writeFileSync(file, JSON.stringify({ ...manifest, networks: manifest.networks.filter((n: { id: string }) => n.id !== 'disc-crop-polar') }));
    expect(() => readManifest(dir)).toThrow(/model\.json.*"preprocessing\.stageFusion": 'average' needs a second disc-crop stage/);
    // Back to replace: the field goes and the package is version 2 again.
    fs.writeFileSync(file, JSON.stringify(manifest));
    const { stageFusion: _average, ...replace } = manifest.preprocessing;
    expect((await rewritePackage(dir, dir, { preprocessing: replace })).formatVersion).toBe(2);
  });

  it('draws the crop stages\' cup at another probability when a benchmark asks (cupThreshold), the disc as before', async () => {
    // The second stage is unsure (logit 1: p 0.73 inside its drawn disc and cup, 0.27 outside).
    const { predictor: p } = await drawnPredictor('cascade-cup-threshold', [3, 1], [10, 7], [6, 3, 1]);
    try {
      const plain = await predict(p);
      const lower = await predict(p, { cupThreshold: 0.25 });
      const higher = await predict(p, { cupThreshold: 0.8 });
      expect(plain.summary.vcdr).toBeCloseTo(0.5, 1);
      // At 0.25 every pixel of the crop is cup, cut back to the disc; above 0.73 none is.
      expect(lower.summary.vcdr).toBeCloseTo(1, 1);
      expect(higher.summary.cup.found).toBe(false);
      expect(verticalDiameter(lower.od)).toBe(verticalDiameter(plain.od));
      expect(verticalDiameter(higher.od)).toBe(verticalDiameter(plain.od));
    } finally {
      p.dispose();
    }
  });

  it("draws a crop stage's cup at the probability its network records (a network trained on the experts' agreement), unless a benchmark overrides it", async () => {
    const dir = path.join(tmp, 'cascade-own-cut');
    await writeTinyModel(dir, { tasks: ['od', 'oc'], cropStage: true, cascade: true });
    const file = path.join(dir, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    const polar = manifest.networks.find((n: { id: string }) => n.id === 'disc-crop-polar');
    polar.cupThreshold = 0.25;
    // A version-4 app would draw that cup at 0.5: the package must say it needs version 5.
    fs.writeFileSync(file, JSON.stringify(manifest));
    expect(() => readManifest(dir)).toThrow(/"formatVersion": a package with a network that draws its cup at its own probability must be format version 5/);
    fs.writeFileSync(file, JSON.stringify({ ...manifest, formatVersion: 5 }));
    const p = Predictor.open(dir, codec);
    try {
      for (const [id, radii] of [['main', [3, 1]], ['disc-crop', [10, 7]], ['disc-crop-polar', [6, 3, 1]]] as const) {
        drawOutputs(p.model.networks.find((n) => n.entry.id === id)!, radii[0], radii[1], radii[2]);
      }
      // The second stage is unsure (p 0.73 inside its drawn cup, 0.27 outside): at its own 0.25 the whole crop is cup.
      expect((await predict(p)).summary.vcdr).toBeCloseTo(1, 1);
      expect((await predict(p, { cupThreshold: 0.5 })).summary.vcdr).toBeCloseTo(0.5, 1);
    } finally {
      p.dispose();
    }
  });

  it('keeps the first stage\'s reading when the second finds no disc', async () => {
    const { predictor: p } = await drawnPredictor('cascade-empty', [3, 1], [10, 7], [0, 0]);
    try {
      const r = await predict(p);
      expect(r.summary.disc.found).toBe(true);
      expect(r.summary.vcdr).toBeCloseTo(0.7, 1);
    } finally {
      p.dispose();
    }
  });

  it('adapts the second stage\'s batch norms on the crops the adapted first stage places', async () => {
    // The second stage runs itself: its batch norms are what adaptation changes.
    const { predictor: p } = await drawnPredictor('cascade-adapt', [3, 1], [10, 7], null);
    try {
      const secondNet = p.model.networks.find((n) => n.entry.id === 'disc-crop-polar')!.net;
      const before = secondNet.batchNormStatistics();
      // Synthetic fundus photographs, which the quality gate finds gradable.
      const files = (await openDataset(path.join(tmp, 'data'), codec)).dataset.samples.map((s) => s.imageFile).slice(0, MIN_ADAPTATION_IMAGES);
      expect(files).toHaveLength(MIN_ADAPTATION_IMAGES);
      const photos: AdaptationPhotograph[] = await Promise.all(
        files.map(async (file) => {
          const read = await codec.readLetterboxed(file, SIZE);
          return { image: read.image, original: read.original, readOriginal: () => codec.readRgb(file) };
        }),
      );
      const adaptation = await p.adapt(photos, { tta: false, wideSearch: false });
      expect(adaptation.images).toBe(MIN_ADAPTATION_IMAGES);
      const after = secondNet.batchNormStatistics();
      expect([...after[0]!.mean.dataSync()]).not.toEqual([...before[0]!.mean.dataSync()]);
      p.resetAdaptation();
      const reset = secondNet.batchNormStatistics();
      expect([...reset[0]!.mean.dataSync()]).toEqual([...before[0]!.mean.dataSync()]);
      tf.dispose([...before, ...after, ...reset].flatMap((s) => [s.mean, s.variance]));
    } finally {
      p.dispose();
    }
  });

  it('is written as format version 2 (older apps refuse it rather than average its crop networks); one without stays version 1', async () => {
    const cascade = path.join(tmp, 'cascade-format');
    const plain = path.join(tmp, 'plain-format');
    expect((await writeTinyModel(cascade, { tasks: ['od', 'oc'], cropStage: true, cascade: true })).formatVersion).toBe(2);
    expect((await writeTinyModel(plain, { tasks: ['od', 'oc'], cropStage: true })).formatVersion).toBe(1);
    expect(fs.readFileSync(path.join(cascade, 'README.md'), 'utf8')).toMatch(/disc-crop-polar \(vgg16, width [\d.]+, 32px, disc-crop \(second stage\), polar; tasks od, oc\)/);
    const file = path.join(cascade, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...manifest, formatVersion: 1 }));
    expect(() => readManifest(cascade)).toThrow(/model\.json.*"formatVersion": a package with a second disc-crop stage must be format version 2/);
    // A second stage with no first to place it.
    fs.writeFileSync(file, JSON.stringify({ ...manifest, networks: manifest.networks.filter((n: { id: string }) => n.id !== 'disc-crop') }));
    expect(() => readManifest(cascade)).toThrow(/model\.json.*"networks": a second disc-crop stage needs a first one to place its crop/);
  });
});

describe('training a crop cascade', () => {
  it('trains the whole-image, Cartesian and polar crop networks and packages the polar one as the second stage', async () => {
    const data = path.join(tmp, 'data');
    const logs: string[] = [];
    const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
    const run = await runTraining(
      {
        ...DEFAULT_TRAINING,
        data,
        tasks: ['od', 'oc'],
        arch,
        epochs: 1,
        batchSize: 4,
        cropStage: { arch: { ...arch, polar: true }, epochs: 1, cropScale: 2, minSideFraction: 0.05, augment: 'none', cascade: true },
        name: 'cascade test model',
      },
      path.join(tmp, 'cascade-run'),
      { codec, backend, stallPolicy: false, onEvent: (e) => e.type === 'log' && logs.push(e.message) },
      false,
    );
    const manifest = readManifest(run.modelDir!);
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.networks.map((n) => [n.id, n.input.kind === 'disc-crop' ? (n.input.stage ?? 1) : 0, n.architecture.polar ?? false])).toEqual([
      ['main', 0, false],
      ['disc-crop', 1, false],
      ['disc-crop-polar', 2, true],
    ]);
    // Both crop networks train on the same crops around the experts' disc: prepared once.
    expect(logs.filter((l) => l.startsWith('preparing'))).toHaveLength(2);
    const predictor = Predictor.open(run.modelDir!, codec);
    predictor.dispose();
  });

  /** Trains a tiny package for `epochs` with this crop stage (augmentation 'none' unless it says otherwise); each network's per-epoch losses. */
  const lossesOf = async (name: string, epochs: number, cropStage: Partial<CropStageConfig> & Pick<CropStageConfig, 'arch'>): Promise<Record<string, Record<string, number>[]>> => {
    const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
    const run = await runTraining(
      {
        ...DEFAULT_TRAINING,
        data: path.join(tmp, 'data'),
        tasks: ['od', 'oc'],
        arch,
        epochs,
        batchSize: 4,
        learningRate: 1e-3,
        cropStage: { epochs, cropScale: 2, minSideFraction: 0.05, augment: 'none', ...cropStage },
        name,
      },
      path.join(tmp, name),
      { codec, backend, stallPolicy: false },
      false,
    );
    const histories = readManifest(run.modelDir!).training['histories'] as Record<string, { losses: Record<string, number> }[]>;
    return Object.fromEntries(Object.entries(histories).map(([id, h]) => [id, h.map((e) => e.losses)]));
  };

  it('warms up only the crop networks\' learning rate when asked (--crop-warmup)', async () => {
    const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
    const plain = await lossesOf('no-warmup', 2, { arch });
    const warm = await lossesOf('warmup', 2, { arch, warmupEpochs: 1 });
    expect(warm['main']).toEqual(plain['main']);
    expect(warm['disc-crop']).not.toEqual(plain['disc-crop']);
  });

  it("gives the polar network its own augmentation when asked (--crop-polar-augment), the Cartesian one's unchanged", async () => {
    const polar = { ...resolveArchConfig({ width: 0.0625, inputSize: 32 }), polar: true as const };
    const same = await lossesOf('cascade-one-augmentation', 1, { arch: polar, cascade: true });
    const own = await lossesOf('cascade-polar-camera', 1, { arch: polar, cascade: true, polarAugment: 'camera' });
    expect(own['main']).toEqual(same['main']);
    expect(own['disc-crop']).toEqual(same['disc-crop']);
    expect(own['disc-crop-polar']).not.toEqual(same['disc-crop-polar']);
  });

  it('refuses a polar augmentation without a cascade to give it to', async () => {
    const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
    await expect(
      runTraining(
        { ...DEFAULT_TRAINING, data: path.join(tmp, 'data'), tasks: ['od', 'oc'], arch, epochs: 1, cropStage: { arch: { ...arch, polar: true }, epochs: 1, cropScale: 2, minSideFraction: 0.05, augment: 'none', polarAugment: 'camera' }, name: 'x' },
        path.join(tmp, 'polar-augment-bad'),
        { codec, backend },
        false,
      ),
    ).rejects.toThrow(/a separate polar augmentation belongs to a crop cascade's polar network/);
  });

  it('refuses a cascade without a polar crop network', async () => {
    const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
    await expect(
      runTraining(
        { ...DEFAULT_TRAINING, data: path.join(tmp, 'data'), tasks: ['od', 'oc'], arch, epochs: 1, cropStage: { arch, epochs: 1, cropScale: 2, minSideFraction: 0.05, augment: 'none', cascade: true }, name: 'x' },
        path.join(tmp, 'cascade-bad'),
        { codec, backend },
        false,
      ),
    ).rejects.toThrow(/a crop cascade needs a polar disc-crop network \(--crop-polar\)/);
  });
});
