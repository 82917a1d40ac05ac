// Ensemble packages (core/model/ensemble.ts) and the predictor's averaging of their networks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingImageIds } from '../../../src-main/core/data/training-images';
import { InputError } from '../../../src-main/core/errors';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { ensemblePackages } from '../../../src-main/core/model/ensemble';
import { readManifest, rewritePackage, verifyModelPackage } from '../../../src-main/core/model/package';
import type { RgbImage } from '../../../src-main/core/types';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-ensemble-'));
const a = path.join(tmp, 'a');
const b = path.join(tmp, 'b');
const ens = path.join(tmp, 'ab');
// A reddish field with a brighter disc-like blob.
const image: RgbImage = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) image.data.set((x - 20) ** 2 + (y - 14) ** 2 < 40 ? [200, 150, 140] : [90 + ((x * 7 + y * 3) % 30), 40, 60], (y * 32 + x) * 3);

async function predict(dir: string, tta: boolean) {
  const predictor = Predictor.open(dir, createSharpCodec());
  try {
    return await predictor.predictLetterboxed(image, { width: 32, height: 32 }, async () => image, { tta, wideSearch: false });
  } finally {
    predictor.dispose();
  }
}

beforeAll(async () => {
  await useTestBackend();
  await writeTinyModel(a, { cropStage: true, seed: 1 });
  await writeTinyModel(b, { cropStage: true, seed: 7 });
  await ensemblePackages([a, b], ens, { name: 'test ensemble', createdAt: new Date('2026-01-02T00:00:00Z') });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ensemble packages', () => {
  it('holds every member network, hash-checked, under its own id and file', () => {
    const m = verifyModelPackage(ens);
    expect(m.networks.map((n) => n.id)).toEqual(['m1-main', 'm1-disc-crop', 'm2-main', 'm2-disc-crop']);
    expect(m.name).toBe('test ensemble');
    expect(m.validation).toBeNull();
    expect(m.decision ?? null).toEqual(readManifest(a).decision ?? null);
    const members = (m.training as { ensemble: { id: string }[] }).ensemble;
    expect(members).toHaveLength(2);
    // The members' own files are untouched.
    expect(verifyModelPackage(a).networks.map((n) => n.weights.file)).toEqual(['main.weights.bin', 'disc-crop.weights.bin']);
  });

  it('predicts the mean of its members’ probability maps and glaucoma outputs', async () => {
    for (const tta of [false, true]) {
      const [pa, pb, pe] = await Promise.all([predict(a, tta), predict(b, tta), predict(ens, tta)]);
      let worst = 0;
      for (let i = 0; i < pe.maps.od.data.length; i++) worst = Math.max(worst, Math.abs(pe.maps.od.data[i]! - (pa.maps.od.data[i]! + pb.maps.od.data[i]!) / 2));
      expect(worst).toBeLessThan(1e-6);
      // The two members differ, so a predictor that took one member's maps would fail above.
      expect(pa.maps.od.data).not.toEqual(pb.maps.od.data);
      expect(pe.summary.glaucoma.network).toBeCloseTo(((pa.summary.glaucoma.network ?? NaN) + (pb.summary.glaucoma.network ?? NaN)) / 2, 6);
    }
  });

  it('keeps a network two members share once and predicts the same mean', async () => {
    // Two cascades with the same whole-image and Cartesian networks and different polar ones (two polar networks
    // trained on one placement): the shared networks' mean with themselves is themselves.
    const [c, d] = [path.join(tmp, 'cascade-c'), path.join(tmp, 'cascade-d')];
    await writeTinyModel(c, { cropStage: true, cascade: true, seed: 1 });
    await writeTinyModel(d, { cropStage: true, cascade: true, seed: 1, secondSeed: 9 });
    const cd = path.join(tmp, 'cd');
    const m = await ensemblePackages([c, d], cd);
    expect(m.networks.map((n) => n.id)).toEqual(['m1-main', 'm1-disc-crop', 'm1-disc-crop-polar', 'm2-disc-crop-polar']);
    expect(fs.readdirSync(cd).filter((f) => f.endsWith('.bin')).sort()).toEqual(['m1-disc-crop-polar.weights.bin', 'm1-disc-crop.weights.bin', 'm1-main.weights.bin', 'm2-disc-crop-polar.weights.bin']);
    expect(m.description).toMatch(/2 network\(s\) the members share are kept once/);
    const polar = (dir: string): string => readManifest(dir).networks.find((n) => n.id === 'disc-crop-polar')!.weights.sha256;
    expect(polar(c)).not.toBe(polar(d));
    // Whatever the tiny networks find on this picture, the package reads as the mean of its two members.
    const [pc, pd, pe] = await Promise.all([predict(c, true), predict(d, true), predict(cd, true)]);
    let worst = 0;
    for (let i = 0; i < pe.maps.oc.data.length; i++) worst = Math.max(worst, Math.abs(pe.maps.oc.data[i]! - (pc.maps.oc.data[i]! + pd.maps.oc.data[i]!) / 2));
    expect(worst).toBeLessThan(1e-6);
    // The crop stages averaged in the ensemble: recorded in its pre-processing, format version 3.
    const averaged = await ensemblePackages([c, d], path.join(tmp, 'cd-average'), { stageFusion: 'average' });
    expect(averaged.preprocessing.stageFusion).toBe('average');
    expect(averaged.formatVersion).toBe(3);
    expect(averaged.description).toMatch(/second crop stage is averaged with the first/);
    expect(m.preprocessing.stageFusion).toBeUndefined();
    expect(m.formatVersion).toBe(2);
    await expect(ensemblePackages([a, b], path.join(tmp, 'bad4'), { stageFusion: 'average' })).rejects.toThrow(/crop stages cannot be averaged: the members have no second disc-crop stage/);
    // A member all of whose networks an earlier one has adds nothing.
    const copy = path.join(tmp, 'cascade-c-copy');
    fs.cpSync(c, copy, { recursive: true });
    await expect(ensemblePackages([c, copy], path.join(tmp, 'bad3'))).rejects.toThrow(/cascade-c-copy.*only networks an earlier member has too/);
    expect(fs.existsSync(path.join(tmp, 'bad3'))).toBe(false);
  });

  it('lists every image any member trained on, and none when a member cannot say', async () => {
    const listed = (dir: string, ids: string[]): string => {
      const copy = `${dir}-listed-${ids.join('-')}`;
      fs.cpSync(dir, copy, { recursive: true });
      const file = path.join(copy, 'model.json');
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), training: { sampleIds: ids } }));
      return copy;
    };
    const [la, lb] = [listed(a, ['img1', 'img2']), listed(b, ['img2', 'img3'])];
    const both = await ensemblePackages([la, lb], path.join(tmp, 'listed'));
    expect(both.training['sampleIds']).toEqual(['img1', 'img2', 'img3']);
    expect(await trainingImageIds(both.training)).toEqual(new Set(['img1', 'img2', 'img3']));
    // The tiny packages record no training images (and name no dataset): the ensemble of one of them cannot say either.
    const unknown = await ensemblePackages([la, b], path.join(tmp, 'unlisted'));
    expect(unknown.training['sampleIds']).toBeUndefined();
    expect(await trainingImageIds(unknown.training)).toBeNull();
  });

  it('refuses members that do not read the same inputs, naming the package and the difference', async () => {
    const other = path.join(tmp, 'other-size');
    await writeTinyModel(other, { size: 64, cropStage: true });
    await expect(ensemblePackages([a, other], path.join(tmp, 'bad'))).rejects.toThrow(InputError);
    await expect(ensemblePackages([a, other], path.join(tmp, 'bad'))).rejects.toThrow(/other-size.*pre-processing differs in foveaSigmaPx/);
    const threshold = path.join(tmp, 'threshold');
    await rewritePackage(a, threshold, { preprocessing: { ...readManifest(a).preprocessing, threshold: 0.4 } });
    await expect(ensemblePackages([a, threshold], path.join(tmp, 'bad'))).rejects.toThrow(/threshold \(0\.5 vs 0\.4\)/);
    const noCrop = path.join(tmp, 'no-crop');
    await writeTinyModel(noCrop, {});
    await expect(ensemblePackages([a, noCrop], path.join(tmp, 'bad'))).rejects.toThrow(/networks read different inputs/);
    // A crop network trained on the experts' agreement answers another quantity than one trained on the consensus.
    const cut = path.join(tmp, 'own-cut');
    fs.cpSync(a, cut, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(cut, 'model.json'), 'utf8'));
    manifest.networks.find((n: { input: { kind: string } }) => n.input.kind === 'disc-crop').cupThreshold = 0.375;
    fs.writeFileSync(path.join(cut, 'model.json'), JSON.stringify({ ...manifest, formatVersion: 5 }));
    await expect(ensemblePackages([a, cut], path.join(tmp, 'bad'))).rejects.toThrow(/own-cut.*tasks or cup threshold differ/);
    await expect(ensemblePackages([a], path.join(tmp, 'bad'))).rejects.toThrow(/at least 2 model packages, got 1/);
    const before = fs.readFileSync(path.join(b, 'model.json'), 'utf8');
    await expect(ensemblePackages([a, b], `${b}${path.sep}`)).rejects.toThrow(/is one of the ensemble's members/);
    expect(fs.readFileSync(path.join(b, 'model.json'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(tmp, 'bad'))).toBe(false);
  });

  it('refuses a damaged member and writes nothing', async () => {
    const damaged = path.join(tmp, 'damaged');
    fs.cpSync(b, damaged, { recursive: true });
    const file = path.join(damaged, 'disc-crop.weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[10] = bytes[10]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    await expect(ensemblePackages([a, damaged], path.join(tmp, 'bad2'))).rejects.toThrow(/disc-crop\.weights\.bin.*damaged/);
    expect(fs.existsSync(path.join(tmp, 'bad2'))).toBe(false);
  });
});
