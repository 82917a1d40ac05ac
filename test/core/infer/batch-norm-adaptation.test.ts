// Unsupervised adaptation to a screened folder (AdaBN, infer/batch-norm-adaptation.ts):
// after it, the network normalises a folder's inputs with that folder's own
// statistics; the package's statistics come back on reset; the package on disk is
// never written; too few gradable photographs are refused with a reason.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resampleRgbRegion } from '../../../src-main/core/geometry/resample-region';
import { adaptBatchNorm, batchStatistics, evenlySpaced, MIN_ADAPTATION_IMAGES } from '../../../src-main/core/infer/batch-norm-adaptation';
import { Predictor, type AdaptationPhotograph } from '../../../src-main/core/infer/predictor';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import type { RgbImage } from '../../../src-main/core/types';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const SIZE = 32;

/** A dim, tinted "camera": a field with a bright blob, different for each i. */
function photograph(i: number, gain = 0.5): RgbImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const blob = (x - 12 - (i % 5)) ** 2 + (y - 16 + (i % 3)) ** 2 < 30;
      data.set([(blob ? 230 : 120 + ((x * 7 + y * 3 + i) % 40)) * gain, (blob ? 200 : 50) * gain, (blob ? 150 : 30) * gain * 1.5], (y * SIZE + x) * 3);
    }
  }
  return { width: SIZE, height: SIZE, data };
}

describe('evenlySpaced', () => {
  it('takes items spread over the whole list, or all of them when there are no more', () => {
    expect(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([1, 3, 5, 7, 9]);
    expect(evenlySpaced([1, 2], 5)).toEqual([1, 2]);
  });
});

describe('adaptBatchNorm', () => {
  beforeAll(async () => {
    await useTestBackend();
  });

  it('makes inference normalise the folder with its own statistics, as training mode does', () => {
    // 64 px and 12 inputs: the bottleneck's 4 x 4 x 12 values make the unbiased variance the
    // inference path uses differ from training mode's biased one by 0.5 %.
    const big = 64;
    const net = MultiTaskUNet.create({ variant: 'vgg16', width: 0.25, inputSize: big });
    const inputs = Array.from({ length: 12 }, (_, i) => resampleRgbRegion(photograph(i), { x0: 0, y0: 0, side: SIZE }, big));
    const x = tf.div(tf.tensor4d(Float32Array.from(inputs.flatMap((im) => [...im.data])), [12, big, big, 3]), 255) as tf.Tensor4D;
    const read = (training: boolean) => tf.tidy(() => tf.sigmoid(net.forward(x, { training, tasks: ['od', 'oc'] }).od!).dataSync() as Float32Array);
    const difference = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    // Training mode, ignoring the statistics it reports: what the batch's own statistics give.
    const own = tf.tidy(() => {
      const stats: tf.Tensor[] = [];
      const out = tf.sigmoid(net.forward(x, { training: true, tasks: ['od', 'oc'] }, (_l, m, v) => stats.push(m, v)).od!).dataSync() as Float32Array;
      tf.dispose(stats);
      return out;
    });
    // A fresh network's statistics (mean 0, variance 1) are not this dim camera's.
    const unadapted = difference(read(false), own);
    adaptBatchNorm(net, inputs, ['od', 'oc']);
    const adapted = difference(read(false), own);
    expect(unadapted).toBeGreaterThan(0.05);
    expect(adapted).toBeLessThan(unadapted / 20);
    tf.dispose(x);
    net.dispose();
  });

  it('reports one mean and variance per batch norm and leaves the network unchanged', () => {
    const net = MultiTaskUNet.create({ variant: 'vgg16', width: 0.25, inputSize: SIZE });
    const before = net.batchNormStatistics();
    const stats = batchStatistics(net, [photograph(0), photograph(1)], ['od']);
    expect(stats.map((s) => s.layer)).toEqual(before.map((s) => s.layer));
    expect(stats.length).toBeGreaterThan(4);
    const after = net.batchNormStatistics();
    after.forEach((s, i) => expect([...s.mean.dataSync()]).toEqual([...before[i]!.mean.dataSync()]));
    expect(() => batchStatistics(net, [photograph(0)], ['od'])).toThrow(/at least 2 network inputs, got 1/);
    tf.dispose([...before, ...after, ...stats].flatMap((s) => [s.mean, s.variance]));
    net.dispose();
  });
});

describe('Predictor.adapt', () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-adapt-'));
    await writeTinyModel(path.join(dir, 'model'), { tasks: ['od', 'oc'], cropStage: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a folder with fewer gradable photographs than it needs, naming the count, and changes nothing', async () => {
    const predictor = Predictor.open(path.join(dir, 'model'), createSharpCodec());
    const photos: AdaptationPhotograph[] = [0, 1, 2].map((i) => ({ image: photograph(i), original: { width: SIZE, height: SIZE }, readOriginal: async () => photograph(i) }));
    const before = (await predictor.predictLetterboxed(photos[0]!.image, photos[0]!.original, photos[0]!.readOriginal, { tta: false })).maps.od.data;
    await expect(predictor.adapt(photos, { tta: false })).rejects.toThrow(new RegExp(`at least ${MIN_ADAPTATION_IMAGES} gradable photographs, the folder has \\d of 3 examined`));
    expect(predictor.adaptation).toBeNull();
    expect((await predictor.predictLetterboxed(photos[0]!.image, photos[0]!.original, photos[0]!.readOriginal, { tta: false })).maps.od.data).toEqual(before);
    predictor.dispose();
  });
});

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const defaultModel = path.resolve(__dirname, '..', '..', '..', 'resources', 'model');

describe.runIf(hasSharedData('drishti-gs1', 'Test', 'Images'))('Predictor.adapt on real photographs', () => {
  it('adapts to a folder, changes the answers, restores the package exactly on reset and never writes the package', async () => {
    await useTestBackend();
    const codec = createSharpCodec();
    const files = fs.readdirSync(sharedPath('drishti-gs1', 'Test', 'Images')).filter((f) => f.endsWith('.png') || f.endsWith('.jpg')).sort().slice(0, MIN_ADAPTATION_IMAGES).map((f) => sharedPath('drishti-gs1', 'Test', 'Images', f));
    const hashes = fs.readdirSync(defaultModel).map((f) => [f, sha(path.join(defaultModel, f))]);
    const predictor = Predictor.open(defaultModel, codec);
    // A darker camera: every photograph at 60 % (the exposure normalisation undoes a gain, so also a tint).
    const darker = async (file: string): Promise<AdaptationPhotograph> => {
      const read = await codec.readLetterboxed(file, predictor.inputSize);
      const shift = (im: RgbImage): RgbImage => ({ ...im, data: im.data.map((v, i) => (i % 3 === 2 ? Math.min(255, v * 1.6) : v * 0.6)) });
      return { image: shift(read.image), original: read.original, readOriginal: async () => shift(await codec.readRgb(file)) };
    };
    const photos = await Promise.all(files.map(darker));
    const p0 = photos[0]!;
    const answer = async () => (await predictor.predictLetterboxed(p0.image, p0.original, p0.readOriginal, { tta: false })).maps;
    const before = await answer();
    const adaptation = await predictor.adapt(photos, { tta: false });
    expect(adaptation.images).toBeGreaterThanOrEqual(MIN_ADAPTATION_IMAGES - 1);
    expect(predictor.adaptation).toEqual(adaptation);
    const adapted = await answer();
    expect(adapted.oc.data).not.toEqual(before.oc.data);
    predictor.resetAdaptation();
    expect(predictor.adaptation).toBeNull();
    const after = await answer();
    expect(after.od.data).toEqual(before.od.data);
    expect(after.oc.data).toEqual(before.oc.data);
    predictor.dispose();
    expect(fs.readdirSync(defaultModel).map((f) => [f, sha(path.join(defaultModel, f))])).toEqual(hashes);
  }, 300_000);
});
