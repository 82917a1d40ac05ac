import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import { MultiTaskUNet } from '../../../src-main/core/model/network';
import { fromPolar, fromPolarTable, toPolar, toPolarTable } from '../../../src-main/core/model/polar';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

beforeAll(useTestBackend);

let models: MultiTaskUNet[] = [];
afterEach(() => {
  for (const m of models) m.dispose();
  models = [];
});

/** A centred disc of radius r (pixels) on a size x size crop, 1 inside. */
function disc(size: number, r: number, cx = size / 2, cy = size / 2): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r ? 1 : 0;
  return out;
}

describe('polar sampling tables', () => {
  it('weights of every target pixel sum to one and indices stay inside the image', () => {
    for (const table of [toPolarTable(32), fromPolarTable(32)]) {
      for (let t = 0; t < 32 * 32; t++) {
        const w = table.weights.slice(4 * t, 4 * t + 4).reduce((a, b) => a + b, 0);
        expect(w).toBeCloseTo(1, 5);
      }
      expect(Math.min(...table.indices)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...table.indices)).toBeLessThan(32 * 32);
    }
  });
});

describe('polar warp', () => {
  it('turns a centred disc into a band across the top: its radius is the band height at every angle', () => {
    const size = 64;
    const polar = tf.tidy(() => toPolar(tf.tensor4d(disc(size, 12), [1, size, size, 1])).dataSync());
    // Row i is radius (i + 0.5) / size * 32; radius 12 -> rows 0..23 inside.
    for (let col = 0; col < size; col += 7) {
      expect(polar[10 * size + col]).toBeCloseTo(1, 5);
      expect(polar[30 * size + col]).toBeCloseTo(0, 5);
      let rows = 0;
      for (let row = 0; row < size; row++) rows += polar[row * size + col]! > 0.5 ? 1 : 0;
      expect(rows).toBeGreaterThanOrEqual(23);
      expect(rows).toBeLessThanOrEqual(25);
    }
  });

  it('an off-centre disc is taller on the side it leans to: the angle runs counter-clockwise from the right (y down)', () => {
    const size = 64;
    // Shifted right by 6 px: at angle 0 (right) the edge is 18 px out, at pi (left) 6 px.
    const polar = tf.tidy(() => toPolar(tf.tensor4d(disc(size, 12, 38, 32), [1, size, size, 1])).dataSync());
    const height = (col: number): number => {
      let rows = 0;
      for (let row = 0; row < size; row++) rows += polar[row * size + col]! > 0.5 ? 1 : 0;
      return rows;
    };
    expect(height(0)).toBeGreaterThan(height(size / 2) + 16);
    // Angle pi/2 points down (y grows downward) and 3pi/2 up: symmetric for this shift.
    expect(Math.abs(height(size / 4) - height((3 * size) / 4))).toBeLessThanOrEqual(1);
  });

  it('warping back gives the disc again (a round trip moves its edge by under a pixel)', () => {
    const size = 64;
    const original = disc(size, 14, 30, 35);
    const back = tf.tidy(() => fromPolar(toPolar(tf.tensor4d(original, [1, size, size, 1]))).dataSync());
    let inside = 0;
    let agree = 0;
    for (let i = 0; i < original.length; i++) {
      inside += original[i]!;
      if ((back[i]! > 0.5 ? 1 : 0) === original[i]) agree++;
    }
    expect(inside).toBeGreaterThan(500);
    // Disagreement only on the edge: a 14-px disc has about 88 edge pixels.
    expect(original.length - agree).toBeLessThan(60);
  });

  it('passes gradients back to the input', () => {
    const size = 16;
    const x = tf.variable(tf.randomUniform([2, size, size, 3]));
    const grads = tf.grad((v: tf.Tensor) => tf.sum(fromPolar(toPolar(v as tf.Tensor4D))))(x);
    // Every pixel inside the inscribed circle feeds some polar sample.
    const g = grads.dataSync();
    const centre = ((size / 2) * size + size / 2) * 3;
    expect(g[centre]).toBeGreaterThan(0);
    tf.dispose([x, grads]);
  });
});

describe('a polar network', () => {
  it('is an option of the architecture; absent means Cartesian and changes nothing', () => {
    expect(resolveArchConfig({ polar: true }).polar).toBe(true);
    expect('polar' in resolveArchConfig({})).toBe(false);
  });

  it('predicts on the polar image and returns Cartesian disc and cup maps', () => {
    const cartesian = MultiTaskUNet.create({ variant: 'vgg16', width: 0.0625, inputSize: 32 }, 3);
    const polar = MultiTaskUNet.create({ variant: 'vgg16', width: 0.0625, inputSize: 32, polar: true }, 3);
    models.push(cartesian, polar);
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const a = cartesian.forward(x, { training: false, tasks: ['od', 'oc'] });
    const b = polar.forward(x, { training: false, tasks: ['od', 'oc'] });
    expect(b.od!.shape).toEqual([1, 32, 32, 1]);
    // Same weights (same seed), different geometry: the maps differ.
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.od!, b.od!))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-4);
    // And they are the Cartesian warp of what the same weights give on the polar image.
    const direct = cartesian.forward(toPolar(x), { training: false, tasks: ['od'] });
    const expected = fromPolar(direct.od!);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(expected, b.od!))).dataSync()[0]!)).toBeLessThan(1e-5);
    tf.dispose([x, a.od, a.oc, b.od, b.oc, direct.od, expected]);
  });
});

describe('a model package with a polar disc-crop network', () => {
  it('keeps the option through save and load, for the disc-crop network only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-polar-'));
    try {
      const manifest = await writeTinyModel(dir, { tasks: ['od', 'oc'], cropStage: true, polarCrop: true });
      expect(manifest.networks.map((n) => n.architecture.polar)).toEqual([undefined, true]);
      // The package's README says which network is polar.
      expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/disc-crop \(vgg16, width [\d.]+, 32px, disc-crop, polar; tasks od, oc\)/);
      const predictor = Predictor.open(dir, createSharpCodec());
      try {
        expect(predictor.model.networks.map((n) => n.net.config.polar)).toEqual([undefined, true]);
      } finally {
        predictor.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a package whose whole-image network claims to be polar', () => {
  it('is refused on loading, naming the manifest and the network', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-polar-bad-'));
    try {
      await writeTinyModel(dir, { tasks: ['od', 'oc'] });
      const manifestFile = path.join(dir, 'model.json');
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
      manifest.networks[0].architecture.polar = true;
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
      expect(() => Predictor.open(dir, createSharpCodec())).toThrow(/model\.json.*network "main": polar: only a disc-crop network can be polar, this one reads full-image input/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
