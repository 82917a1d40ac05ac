// Two packages in cascade, measured without changing either: package A screens the photograph as `screen` does (its
// whole-image network, wider search and disc-crop network place and size the disc), then package B's disc-crop network
// reads a crop cut around A's disc, as B's own pipeline would cut it around its own. Three readings per image: A alone;
// A's disc with B's cup; B's disc and cup on A's crop. It asks whether a polar disc-crop network (B) is limited by
// where its own pipeline puts the crop (docs/robustness.md, "Who places the polar crop").
//   npx tsx bench/robustness/cascade.ts --a PKG --set test --b PKG:EVALUATION.json[,PKG:EVALUATION.json...]
//     each B scores only the images its evaluation.json lists (a fold model on its held-out images), so with the five
//     folds of a cross-validation every Drishti-GS1 test image is read by a B that did not train on it
//   npx tsx bench/robustness/cascade.ts --a PKG --set roi --b PKG       the eight ROI crops, per crop
//   npx tsx bench/robustness/cascade.ts --a PKG:EVAL,... --set heldout --b PKG:EVAL,...
//     every image a fold held out (all splits), read by that fold's A and B: two recipes cross-validated on the same folds
//   --per-image FILE   also writes each image's vCDRs (experts', A's, B's on A's crop) and glaucoma label as JSON
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readDrishti } from '../../src-main/core/data/drishti';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { readSampleMasks, type Sample } from '../../src-main/core/data/sample';
import { pasteCropMask } from '../../src-main/core/geometry/crop';
import { letterbox, mapToOriginalMask } from '../../src-main/core/geometry/letterbox';
import { resampleRgbRegion } from '../../src-main/core/geometry/resample-region';
import { discRegion } from '../../src-main/core/infer/disc-crop';
import { exposureGain, Predictor } from '../../src-main/core/infer/predictor';
import { constrainCupInsideDisc, cupToDiscRatio, largestComponent, verticalDiameter } from '../../src-main/core/masks';
import { dice } from '../../src-main/core/metrics';
import { refugeVerticalCupToDiscRatio } from '../../src-main/core/metrics/vcdr';
import { cropStageOf, loadModelPackage } from '../../src-main/core/model/package';
import { scaleChannels } from '../../src-main/core/quality/colour-balance';
import { fieldLuminance } from '../../src-main/core/quality/image-quality';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
const shared = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'shared', 'data');
await selectBackend();
const codec = createSharpCodec();
const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
};
const aDir = arg('a');
const set = arg('set');
if (set !== 'test' && set !== 'roi' && set !== 'heldout') throw new Error(`--set must be test, roi or heldout, got ${set}`);
const bArgs = arg('b').split(',');
const heldOut = (evalFile: string | undefined): Set<string> | null =>
  evalFile ? new Set((JSON.parse(fs.readFileSync(evalFile, 'utf8')).images as { id: string }[]).map((i) => i.id)) : null;
const As = aDir.split(',').map((a) => {
  const [dir, evalFile] = a.split(':');
  return { ids: heldOut(evalFile), predictor: Predictor.open(dir!, codec) };
});
const Bs = bArgs.map((arg) => {
  const [dir, evalFile] = arg.split(':');
  const ids = heldOut(evalFile);
  const model = loadModelPackage(dir!);
  // The network that reads the crop last in B's own pipeline: the second stage where B has one (a three-network
  // package's polar network), else its only disc-crop stage.
  const stages = model.networks.filter((n) => cropStageOf(n.entry.input) !== null);
  const crop = stages.find((n) => cropStageOf(n.entry.input) === 2) ?? stages[0];
  const input = crop?.entry.input;
  if (!crop || input?.kind !== 'disc-crop') throw new Error(`${dir}: package B has no disc-crop network`);
  return { ids, model, crop, input, ref: model.manifest.preprocessing.luminanceReference ?? null, t: model.manifest.preprocessing.threshold };
});
const samples: readonly Sample[] = set === 'roi' ? readRoiFolder(path.join(shared, 'roi-multidomain')).samples : readDrishti(path.join(shared, 'drishti-gs1')).samples.filter((s) => set === 'heldout' || s.split === 'test');
const ids: string[] = [];
// Each image's vCDRs (the experts', A alone, B on A's crop), written with --per-image FILE.
const perImage: { id: string; glaucoma: 0 | 1 | null; truth: number; a: number; b: number }[] = [];
const acc = { odA: [] as number[], ocA: [] as number[], ocC: [] as number[], odB: [] as number[], ocB: [] as number[], maeA: [] as number[], maeC: [] as number[], maeB: [] as number[] };
for (const s of samples) {
  const B = Bs.find((b) => !b.ids || b.ids.has(s.id));
  const A = As.find((a) => !a.ids || a.ids.has(s.id))?.predictor;
  if (!B || !A) continue;
  const truth = await readSampleMasks(s, codec);
  const vTrue = refugeVerticalCupToDiscRatio(truth.od, truth.oc);
  const pA = await A.predictFile(s.imageFile, { tta: true });
  const full = await codec.readRgb(s.imageFile);
  const original = { width: full.width, height: full.height };
  const region = discRegion(pA.od, B.input, original);
  if (!region) continue;
  const size = B.crop.net.config.inputSize;
  let img = resampleRgbRegion(full, region, size);
  // B's exposure normalisation, by the predictor's rule, from the photograph letterboxed as the predictor reads it.
  if (B.ref !== null) {
    const gain = exposureGain(B.ref, fieldLuminance((await codec.readLetterboxed(s.imageFile, A.inputSize)).image));
    img = scaleChannels(img, [gain, gain, gain]);
  }
  const maps = tf.tidy(() => {
    let x = tf.div(tf.tensor4d(img.data, [1, size, size, 3], 'float32'), 255) as tf.Tensor4D;
    x = tf.concat([x, tf.reverse(x, 2)], 0);
    const l = B.crop.net.forward(x, { training: false, tasks: ['od', 'oc'] });
    const avg = (t: tf.Tensor) => { const p = tf.sigmoid(t); return tf.div(tf.add(tf.slice(p, [0], [1]), tf.reverse(tf.slice(p, [1], [1]), 2)), 2); };
    return { od: avg(l.od!), oc: avg(l.oc!) };
  });
  const od = (await maps.od.data()) as Float32Array;
  const oc = (await maps.oc.data()) as Float32Array;
  tf.dispose([maps.od, maps.oc]);
  const back = (d: Float32Array) => pasteCropMask(mapToOriginalMask(letterbox({ width: region.side, height: region.side }, size), { width: size, height: size, data: d }, B.t), region, original);
  const odB = largestComponent(back(od));
  const ocB = largestComponent(constrainCupInsideDisc(odB, back(oc)));
  const ocC = largestComponent(constrainCupInsideDisc(pA.od, back(oc)));
  const v = (o: typeof odB, c: typeof odB) => cupToDiscRatio(verticalDiameter(c), verticalDiameter(o)) ?? 0;
  ids.push(s.id);
  acc.odA.push(dice(pA.od, truth.od)); acc.ocA.push(dice(pA.oc, truth.oc)); acc.ocC.push(dice(ocC, truth.oc));
  acc.odB.push(dice(odB, truth.od)); acc.ocB.push(dice(ocB, truth.oc));
  acc.maeA.push(Math.abs(v(pA.od, pA.oc) - vTrue)); acc.maeC.push(Math.abs(v(pA.od, ocC) - vTrue)); acc.maeB.push(Math.abs(v(odB, ocB) - vTrue));
  perImage.push({ id: s.id, glaucoma: s.glaucoma ?? null, truth: vTrue, a: v(pA.od, pA.oc), b: v(odB, ocB) });
  if (set === 'roi') console.log(s.id, 'A', acc.odA.at(-1)!.toFixed(3), acc.ocA.at(-1)!.toFixed(3), '| A disc + B cup', acc.ocC.at(-1)!.toFixed(3), '| B on A crop', acc.odB.at(-1)!.toFixed(3), acc.ocB.at(-1)!.toFixed(3));
}
const m = (a: number[]) => (a.reduce((x, y) => x + y, 0) / a.length).toFixed(3);
if (set === 'roi') {
  // The ROI target (OD Dice >= 0.85 in every crop) and the six crops of the three other hospitals.
  const at85 = (a: number[]) => a.filter((d) => d >= 0.85).length;
  const others = (a: number[]) => m(a.filter((_, i) => !ids[i]!.startsWith('Domain1/')));
  console.log(`OD >= 0.85: A ${at85(acc.odA)} of ${ids.length}, B on A's crop ${at85(acc.odB)}; other hospitals OD / OC: A ${others(acc.odA)} / ${others(acc.ocA)}, B on A's crop ${others(acc.odB)} / ${others(acc.ocB)}`);
}
console.log(`n=${acc.odA.length} A: OD ${m(acc.odA)} OC ${m(acc.ocA)} MAE ${m(acc.maeA)} | A disc + B cup: OC ${m(acc.ocC)} MAE ${m(acc.maeC)} | B on A's crop: OD ${m(acc.odB)} OC ${m(acc.ocB)} MAE ${m(acc.maeB)}`);
const perImageFile = process.argv.indexOf('--per-image');
if (perImageFile > 0) fs.writeFileSync(process.argv[perImageFile + 1]!, JSON.stringify(perImage, null, 1));
for (const a of As) a.predictor.dispose();
for (const b of Bs) b.model.dispose();
