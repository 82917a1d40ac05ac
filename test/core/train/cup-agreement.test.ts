// The cup trained on the experts' agreement (--crop-polar-cup-target agreement): the
// share of experts who drew each pixel cup reaches the polar network's cup loss as a
// soft target, moved with every crop and augmentation, while the other networks and
// validation keep the consensus mask. Checked on a small Drishti-GS1 layout whose
// cup soft map has rings of one to four experts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../src-main/core/backend';
import { readSampleMasks } from '../../../src-main/core/data/sample';
import { openDataset } from '../../../src-main/core/data/spec';
import { writeSyntheticRefuge } from '../../../src-main/core/data/synth';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import { readManifest } from '../../../src-main/core/model/package';
import { augmentExample, DEFAULT_AUGMENTATION } from '../../../src-main/core/train/augment';
import { disposeBatch, makeBatch } from '../../../src-main/core/train/example';
import { prepareExamples } from '../../../src-main/core/train/prepare';
import { createRng } from '../../../src-main/core/random';
import { AGREEMENT_CUP_THRESHOLD, DEFAULT_TRAINING, runTraining, type CropStageConfig, type TrainingConfig } from '../../../src-main/core/train/run-training';
import type { GreyImage, RgbImage } from '../../../src-main/core/types';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';

const W = 96;
const H = 90;
/** Cup soft-map rings: radius (pixels) within which this many of the four experts drew cup. */
const RINGS: ReadonlyArray<[number, number]> = [
  [5, 255],
  [6, 191],
  [8, 128],
  [10, 64],
];
const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cup-agreement-'));
const drishti = path.join(tmp, 'drishti');
let backend: BackendInfo;

/** drishtiGS_00N: a bright disc of radius 18 with a brighter cup, its OD soft map all four experts, its cup in rings. */
async function writeDrishtiLike(root: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    const id = `drishtiGS_${String(n).padStart(3, '0')}`;
    const gt = path.join(root, 'Training', 'GT', id, 'SoftMap');
    fs.mkdirSync(gt, { recursive: true });
    fs.mkdirSync(path.join(root, 'Training', 'Images'), { recursive: true });
    const cx = 44 + n;
    const cy = 44;
    const rgb: RgbImage = { width: W, height: H, data: new Uint8Array(W * H * 3) };
    const od: GreyImage = { width: W, height: H, data: new Uint8Array(W * H) };
    const oc: GreyImage = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const r = Math.hypot(x - cx, y - cy);
        const i = y * W + x;
        const level = RINGS.find(([radius]) => r <= radius)?.[1] ?? 0;
        oc.data[i] = level;
        od.data[i] = r <= 18 ? 255 : 0;
        const shade = r <= 8 ? [250, 235, 200] : r <= 18 ? [220, 170, 110] : [150, 60, 30];
        rgb.data.set(shade, i * 3);
      }
    }
    await codec.writePng(path.join(root, 'Training', 'Images', `${id}.png`), rgb);
    await codec.writePng(path.join(gt, `${id}_ODsegSoftmap.png`), od);
    await codec.writePng(path.join(gt, `${id}_cupsegSoftmap.png`), oc);
  }
}

beforeAll(async () => {
  backend = await useTestBackend();
  await writeDrishtiLike(drishti, 6);
  await writeSyntheticRefuge(path.join(tmp, 'refuge'), { count: 6, seed: 5, width: W, height: H }, codec);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cropInput = { kind: 'disc-crop', cropScale: 2, minSideFraction: 0.05 } as const;

describe("the experts' agreement on the cup", () => {
  it('is read with the soft maps, and is absent for one-cup masks', async () => {
    const sample = (await openDataset(`drishti:${drishti}`, codec)).dataset.samples[0]!;
    const masks = await readSampleMasks(sample, codec);
    expect(new Set(masks.cupAgreement!.data)).toEqual(new Set([0, 64, 128, 191, 255]));
    // The consensus is two of four: the agreement's 128 and above.
    expect(masks.oc.data.every((v, i) => v === (masks.cupAgreement!.data[i]! >= 128 ? 1 : 0))).toBe(true);
    const refuge = (await openDataset(path.join(tmp, 'refuge'), codec)).dataset.samples[0]!;
    expect((await readSampleMasks(refuge, codec)).cupAgreement).toBeUndefined();
  });

  it('comes with the disc crops only when asked, at its levels, in the crop the cup is in', async () => {
    const samples = (await openDataset(`drishti:${drishti}`, codec)).dataset.samples;
    const asked = await prepareExamples(samples, codec, { size: 32, input: cropInput, cupAgreement: true });
    const plain = await prepareExamples(samples, codec, { size: 32, input: cropInput });
    const whole = await prepareExamples(samples, codec, { size: 32, input: { kind: 'full-image' }, cupAgreement: true });
    expect(asked.examples).toHaveLength(6);
    expect(plain.examples.every((e) => e.ocAgreement === undefined)).toBe(true);
    expect(whole.examples.every((e) => e.ocAgreement === undefined)).toBe(true);
    for (const e of asked.examples) {
      const agreement = e.ocAgreement!;
      expect(agreement).toHaveLength(32 * 32);
      // All four experts at the crop's centre, none at its corner; partial agreement in between.
      expect(agreement[16 * 32 + 16]).toBe(255);
      expect(agreement[0]).toBe(0);
      expect(agreement.some((v) => v > 20 && v < 235)).toBe(true);
      // The consensus mask of the same crop is cup where clearly more than two experts agree, and not where clearly fewer
      // (near two of four, the two resamplings may round either way).
      expect(e.oc!.every((v, i) => (agreement[i]! >= 160 ? v === 1 : agreement[i]! <= 96 ? v === 0 : true))).toBe(true);
    }
  });

  it("is the cup's target in a batch, the consensus otherwise, and moves with the augmentation", async () => {
    const samples = (await openDataset(`drishti:${drishti}`, codec)).dataset.samples;
    const [e] = (await prepareExamples(samples.slice(0, 1), codec, { size: 32, input: cropInput, cupAgreement: true })).examples;
    const batch = makeBatch([e!, { ...e!, ocAgreement: undefined }]);
    const targets = (await batch.targets.oc!.data()) as Float32Array;
    disposeBatch(batch);
    const n = 32 * 32;
    expect([...targets.subarray(0, n)]).toEqual([...e!.ocAgreement!].map((v) => Math.fround(v / 255)));
    expect([...targets.subarray(n)]).toEqual([...e!.oc!]);
    // Geometry moves the agreement exactly as it moves the cup: same nearest-neighbour warp, levels kept.
    const moved = augmentExample({ ...e!, oc: Uint8Array.from(e!.ocAgreement!, (v) => (v >= 128 ? 1 : 0)) }, { ...DEFAULT_AUGMENTATION, scale: [1.2, 1.2], rotationDeg: 20 }, createRng(3));
    expect(moved.ocAgreement).not.toEqual(e!.ocAgreement);
    expect(moved.oc!.every((v, i) => v === (moved.ocAgreement![i]! >= 128 ? 1 : 0))).toBe(true);
    expect(new Set(moved.ocAgreement).size).toBeLessThanOrEqual(new Set(e!.ocAgreement).size);
  });
});

describe('--crop-polar-cup-target agreement', () => {
  const arch = resolveArchConfig({ width: 0.0625, inputSize: 32 });
  const polar = { ...arch, polar: true as const };
  const configOf = (name: string, data: string, cropStage: Partial<CropStageConfig>): TrainingConfig => ({
    ...DEFAULT_TRAINING,
    data,
    tasks: ['od', 'oc'],
    arch,
    epochs: 1,
    batchSize: 4,
    learningRate: 1e-3,
    augment: 'none',
    folds: 2,
    finalModel: false,
    cropStage: { arch: polar, epochs: 1, cropScale: 2, minSideFraction: 0.05, augment: 'none', cascade: true, ...cropStage },
    name,
  });
  const agreementConfig = (name: string) => configOf(name, `drishti:${drishti}`, { polarCupTarget: 'agreement' });
  const train = (name: string, data: string, cropStage: Partial<CropStageConfig>) =>
    runTraining(configOf(name, data, cropStage), path.join(tmp, name), { codec, backend, stallPolicy: false }, false);
  const lossesOf = (dir: string): Record<string, Record<string, number>[]> => {
    const histories = readManifest(path.join(dir, 'folds', '1', 'model')).training['histories'] as Record<string, { losses: Record<string, number> }[]>;
    return Object.fromEntries(Object.entries(histories).map(([id, h]) => [id, h.map((e) => e.losses)]));
  };
  const fingerprints = (dir: string): Record<string, string> => {
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'folds', '1', 'fold.json'), 'utf8')) as { units: { network: string; fingerprint: string }[] };
    return Object.fromEntries(record.units.map((u) => [u.network, u.fingerprint]));
  };

  it('changes only the polar network: its cup loss, and its checkpoint fingerprint', async () => {
    await train('consensus', `drishti:${drishti}`, {});
    await train('agreement', `drishti:${drishti}`, { polarCupTarget: 'agreement' });
    const consensus = lossesOf(path.join(tmp, 'consensus'));
    const agreement = lossesOf(path.join(tmp, 'agreement'));
    expect(agreement['main']).toEqual(consensus['main']);
    expect(agreement['disc-crop']).toEqual(consensus['disc-crop']);
    expect(agreement['disc-crop-polar']![0]!['oc']).not.toEqual(consensus['disc-crop-polar']![0]!['oc']);
    // A resumed run reuses the whole-image and Cartesian networks trained for the consensus run.
    const before = fingerprints(path.join(tmp, 'consensus'));
    const after = fingerprints(path.join(tmp, 'agreement'));
    expect(after['main']).toBe(before['main']);
    expect(after['disc-crop']).toBe(before['disc-crop']);
    expect(after['disc-crop-polar']).not.toBe(before['disc-crop-polar']);
    // The consensus run's networks draw their cups at the package's threshold: none records a cut of its own.
    expect(readManifest(path.join(tmp, 'consensus', 'folds', '1', 'model')).networks.every((n) => n.cupThreshold === undefined)).toBe(true);
  });

  it("records the cut that draws the consensus on the polar network only, and scores its folds again when a fold's record lacks it", async () => {
    const run = path.join(tmp, 'agreement-cut');
    await train('agreement-cut', `drishti:${drishti}`, { polarCupTarget: 'agreement' });
    const manifest = readManifest(path.join(run, 'folds', '1', 'model'));
    expect(Object.fromEntries(manifest.networks.map((n) => [n.id, n.cupThreshold]))).toEqual({ main: undefined, 'disc-crop': undefined, 'disc-crop-polar': AGREEMENT_CUP_THRESHOLD });
    // An older app would draw that cup at 0.5: it must refuse the package.
    expect(manifest.formatVersion).toBe(5);
    const recordFile = path.join(run, 'folds', '1', 'fold.json');
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { units: unknown; reading?: Record<string, unknown> };
    expect(record.reading).toEqual({ cupThreshold: AGREEMENT_CUP_THRESHOLD });
    // A fold scored before the cut was recorded (read at 0.5) is not reused as it was: resumed, it is read again at the cut.
    fs.writeFileSync(recordFile, JSON.stringify({ units: record.units }));
    const logs: string[] = [];
    await runTraining(
      { ...agreementConfig('agreement-cut'), data: `drishti:${drishti}` },
      run,
      { codec, backend, stallPolicy: false, onEvent: (e) => void (e.type === 'log' && logs.push(e.message)) },
      true,
    );
    expect(logs.some((m) => m.startsWith('fold 1/2: already trained and scored'))).toBe(false);
    expect(logs.some((m) => m.startsWith('fold 2/2: already trained and scored'))).toBe(true);
    expect((JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { reading?: unknown }).reading).toEqual({ cupThreshold: AGREEMENT_CUP_THRESHOLD });
  });

  it('is refused, with the reason, on masks that hold one cup and without a cascade', async () => {
    await expect(train('one-cup', path.join(tmp, 'refuge'), { polarCupTarget: 'agreement' })).rejects.toThrow(/needs the experts' agreement on the cup \(soft maps, as Drishti-GS1 has\)/);
    await expect(train('no-cascade', `drishti:${drishti}`, { polarCupTarget: 'agreement', cascade: undefined })).rejects.toThrow(/a polar cup target belongs to a crop cascade's polar network/);
  });
});
