// A synthetic "other camera" for the correction-loop measurements: Drishti-GS1
// photographs under one fixed combination of the robustness benchmark's
// photometric shifts (colour cast and vignetting moderate, gamma and blur mild;
// bench/robustness/shifts.ts), written as a manifest dataset with consensus
// masks. Photometric only, so the expert masks stay exactly valid.
//   npx tsx bench/finetune/camera-shift.ts --out DIR [--split test|train] [--drishti PATH] [--severity strong]
// --severity strong: every step of the camera at the benchmark's strong level (a camera
// the model is worse on, so there is something for corrections to win back).
// then use manifest:DIR/manifest.csv as a data spec.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../src-main/core/data/spec';
import { labelledImagesOf } from '../../src-main/core/train/finetune-data';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { SEVERITIES, SHIFTS, type Severity, type Shifted } from '../robustness/shifts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const out = path.resolve(opt('out', path.join(root, 'bench', 'out', 'camera-shift')));
const split = opt('split', 'test');
const drishti = path.resolve(opt('drishti', path.join(root, '..', 'shared', 'data', 'drishti-gs1')));
const severity = opt('severity', 'default');
if (severity !== 'default' && !(SEVERITIES as readonly string[]).includes(severity)) throw new Error(`--severity must be one of ${SEVERITIES.join(', ')}, got ${severity}`);

/** The camera: each step one of the robustness shifts at a fixed severity (all at --severity when given). */
const CAMERA: readonly [string, Severity][] = (
  [
    ['colour cast', 'moderate'],
    ['gamma', 'mild'],
    ['vignetting', 'moderate'],
    ['blur', 'mild'],
  ] as const
).map(([name, level]) => [name, severity === 'default' ? level : (severity as Severity)]);

const codec = createSharpCodec();
const samples = (await openDataset(`drishti:${drishti}`)).dataset.samples.filter((s) => s.split === split);
const labelled = await labelledImagesOf(samples, codec, path.join(out, 'masks'));
fs.mkdirSync(path.join(out, 'images'), { recursive: true });
const rows = ['image,mask,glaucoma,split,id'];
for (const image of labelled) {
  const rgb = await codec.readRgb(image.file);
  const none = { width: 1, height: 1, data: new Uint8Array(1) };
  // Photometric shifts leave the masks alone, so none are carried.
  let shifted: Shifted = { image: { width: rgb.width, height: rgb.height, data: rgb.data }, od: none, oc: none };
  for (const [name, severity] of CAMERA) shifted = await SHIFTS.find((s) => s.name === name)!.apply(shifted, severity, { x: 0, y: 0 });
  const file = path.join(out, 'images', `${image.id}.jpg`);
  const { width, height, data } = shifted.image;
  await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
  rows.push(`${file},${image.mask},${image.glaucoma ?? ''},test,${image.id}`);
  process.stderr.write(`${image.id}\n`);
}
fs.writeFileSync(path.join(out, 'manifest.csv'), `${rows.join('\n')}\n`);
process.stdout.write(`${labelled.length} shifted images: manifest:${path.join(out, 'manifest.csv')}\n`);
