// The robustness benchmark (issue: "screening you can trust on photographs the
// model has never seen"). Run with:
//   npx tsx bench/robustness/run.ts [--model PKG] [--out DIR] [--images N] [--data SPEC] [--no-wide-search] [--no-direct-crop] [--parts quality,shifts,domains]
//     [--shifts NAME,...] [--exposure N|off] [--crop-edges black|mirror] [--shape-prior none|hull|ellipse] [--colour off|on|R,G,B] [--adapt]
//     [--stage-fusion replace|average]
// It prints tables and writes results.json + results.md under --out
// (default bench/out/robustness). Three parts:
//   quality: the quality gate's measurements on every real photograph here and on
//            unusable ones (blank, noise, a chart, over/under-exposed, blurred);
//   shifts:  Drishti-GS1 photographs (or --data SPEC: any labelled set with disc and cup masks,
//            e.g. a clinic's own) the model did not train on under synthetic camera
//            shifts at three severities: disc found, gradable, OD/OC Dice, vCDR MAE,
//            AUC of the predicted vCDR and of the model's probability, the discs' sizes;
//   domains: the ROI crops of four hospitals (../shared/data/roi-multidomain).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readSampleMasks, type Sample } from '../../src-main/core/data/sample';
import { openDataset } from '../../src-main/core/data/spec';
import { trainingImageIds } from '../../src-main/core/data/training-images';
import { balancedSelection, discCentreOf, predictorReader, scoreShifted } from '../../src-main/core/infer/field-of-view-reading';
import { letterboxedPhotograph, Predictor, type PredictOptions } from '../../src-main/core/infer/predictor';
import { auc } from '../../src-main/core/metrics/roc';
import { blur } from '../../src-main/core/quality/blur';
import { medianFieldColour, type Rgb } from '../../src-main/core/quality/colour-balance';
import { DEFAULT_QUALITY_THRESHOLDS, imageReasons, measureImage, type ImageMeasures } from '../../src-main/core/quality/image-quality';
import type { RgbImage } from '../../src-main/core/types';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
import { JPEG_QUALITY, SEVERITIES, SHIFTS, type Severity, type Shifted } from './shifts';
import { shapePriorArg, stageFusionArg } from './args';
import { fieldTone, medianTone, toneMatched, type ToneReference } from './tone-match';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const modelDir = path.resolve(opt('model', path.join(root, 'resources', 'model')));
const outDir = path.resolve(opt('out', path.join(root, 'bench', 'out', 'robustness')));
const imageCount = Number(opt('images', '20'));
// --data SPEC: the labelled photographs the shifts start from (default Drishti-GS1; a clinic measures its own camera).
const shiftData = opt('data', `drishti:${path.join(shared, 'drishti-gs1')}`);
const wideSearch = !args.includes('--no-wide-search');
// --exposure N: normalise every input's field luminance to N; --exposure off: none; default: the package's own setting.
const exposureArg = opt('exposure', 'package');
const luminanceReference: number | null | undefined = exposureArg === 'package' ? undefined : exposureArg === 'off' ? null : Number(exposureArg);
// --crop-edges mirror: the disc-crop stage sees the photograph mirrored beyond its edges (default black).
const cropEdges = opt('crop-edges', 'black') === 'mirror' ? ('mirror' as const) : ('black' as const);
// --no-direct-crop: never read the whole photograph with the disc-crop network (default: when the wider search runs).
const directCrop = !args.includes('--no-direct-crop');
// --adapt: batch-norm statistics re-estimated on each condition's own photographs before scoring them (AdaBN;
// infer/batch-norm-adaptation.ts), the package's restored after; conditions with too few photographs stay unadapted.
const adapt = args.includes('--adapt');
// --shape-prior none|filled|hull|ellipse: the predictor's shape prior for disc and cup (default: the package's).
const shapePrior = shapePriorArg();
// --colour off|on|R,G,B: colour normalisation (grey-world relative to a reference mean field colour; default off);
// 'on': the Drishti-GS1 training photographs' target (what the default model trained on).
const colourArg = opt('colour', 'off');
// --stage-fusion replace|average|average-disc: how a second disc-crop stage's reading becomes the result (default: the package's).
const stageFusion = stageFusionArg();
// --tone-match image|folder: the tone curve (field luminance median and 90th percentile) of each photograph, or of
// each condition's photographs together (a folder from one camera), brought to the training photographs' before the
// pipeline reads them (tone-match.ts; measured, not part of the pipeline). Default off.
const toneMatch = opt('tone-match', 'off');
if (!['off', 'image', 'folder'].includes(toneMatch)) throw new Error(`--tone-match must be off, image or folder, got ${toneMatch}`);
/** The tone of the condition being read, with --tone-match folder. */
let folderTone: ToneReference | undefined;
let toneReference: ToneReference | null = null;
const parts = new Set(opt('parts', 'quality,shifts,domains').split(','));
// --shifts name,name: only these shifts (substring match on the shift's name; 'jpeg' for JPEG).
const onlyShifts = opt('shifts', '').split(',').filter(Boolean);
const wanted = (name: string): boolean => onlyShifts.length === 0 || onlyShifts.some((w) => name.toLowerCase().includes(w.toLowerCase()));

const codec = createSharpCodec();

let colourReference: Rgb | null = null;

/** The colour target of the Drishti-GS1 photographs the model trained on, as the whole-image network sees them. */
async function trainingColourReference(predictor: Predictor): Promise<Rgb> {
  const drishti = await openDataset(`drishti:${path.join(shared, 'drishti-gs1')}`, codec);
  const trained = await modelTrainingIds(predictor);
  const images: RgbImage[] = [];
  for (const s of drishti.dataset.samples.filter((x) => trained.has(x.id))) images.push((await codec.readLetterboxed(s.imageFile, predictor.inputSize)).image);
  const colour = medianFieldColour(images);
  if (!colour) throw new Error('no Drishti-GS1 training photograph to take the colour reference from');
  return colour;
}

const predictOptions = (): PredictOptions => ({ tta: true, wideSearch, cropEdges, directCrop, ...(shapePrior ? { shapePrior } : {}), colourReference, ...(stageFusion ? { stageFusion } : {}), ...(luminanceReference !== undefined ? { luminanceReference } : {}) });

/** The tone of the photographs the model trained on (full resolution, as toneMatched reads a photograph). */
async function trainingToneReference(predictor: Predictor): Promise<ToneReference> {
  const drishti = await openDataset(`drishti:${path.join(shared, 'drishti-gs1')}`, codec);
  const trained = await modelTrainingIds(predictor);
  const tones: ToneReference[] = [];
  for (const s of drishti.dataset.samples.filter((x) => trained.has(x.id))) {
    const tone = fieldTone(await codec.readRgb(s.imageFile));
    if (tone) tones.push(tone);
  }
  if (tones.length === 0) throw new Error('no Drishti-GS1 training photograph to take the tone reference from');
  return medianTone(tones);
}

async function predict(predictor: Predictor, original: RgbImage) {
  return predictorReader(predictor, predictOptions())(toneReference ? toneMatched(original, toneReference, folderTone) : original);
}

async function jpeg(image: RgbImage, quality: number): Promise<RgbImage> {
  const encoded = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality }).toBuffer();
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const fmt = (v: number | null, d = 3): string => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const mean = (v: readonly number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

interface Row {
  readonly condition: string;
  readonly images: number;
  readonly discFound: number;
  readonly gradable: number;
  readonly odDice: number | null;
  readonly ocDice: number | null;
  readonly vcdrMae: number | null;
  readonly aucVcdr: number | null;
  readonly aucModel: number | null;
  /** Smallest and largest disc found, as a fraction of the image's shorter side (the decision's field-of-view measure). */
  readonly discSpan: readonly [number, number] | null;
}

async function scoreSet(predictor: Predictor, condition: string, items: readonly { shifted: Shifted; label: 0 | 1 | null }[]): Promise<Row> {
  const od: number[] = [];
  const oc: number[] = [];
  const mae: number[] = [];
  const vcdrScores: number[] = [];
  const probs: number[] = [];
  const labels: (0 | 1)[] = [];
  const spans: number[] = [];
  let found = 0;
  let gradable = 0;
  let adaptedTo = '';
  if (toneMatch === 'folder') {
    const tones = items.flatMap((i) => fieldTone(i.shifted.image) ?? []);
    folderTone = tones.length ? medianTone(tones) : undefined;
  }
  if (adapt) {
    try {
      adaptedTo = `, adapted to ${(await predictor.adapt(items.map((i) => letterboxedPhotograph(i.shifted.image, predictor.inputSize)), predictOptions())).images}`;
    } catch (error) {
      adaptedTo = `, not adapted: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  for (const { shifted, label } of items) {
    const p = await predict(predictor, shifted.image);
    const s = p.summary;
    const score = scoreShifted(p, shifted);
    if (score.discSpan !== null) {
      found++;
      spans.push(score.discSpan);
    }
    if (s.quality?.gradable) gradable++;
    od.push(score.odDice);
    oc.push(score.ocDice);
    mae.push(score.vcdrError);
    if (label !== null) {
      vcdrScores.push(s.vcdr ?? 0);
      probs.push(s.glaucoma.probability ?? 0);
      labels.push(label);
    }
  }
  predictor.resetAdaptation();
  const both = labels.includes(0) && labels.includes(1);
  return {
    condition: `${condition}${adaptedTo}`,
    images: items.length,
    discFound: found / items.length,
    gradable: gradable / items.length,
    odDice: mean(od),
    ocDice: mean(oc),
    vcdrMae: mean(mae),
    aucVcdr: both ? auc(vcdrScores, labels) : null,
    aucModel: both ? auc(probs, labels) : null,
    discSpan: spans.length ? [Math.min(...spans), Math.max(...spans)] : null,
  };
}

function table(rows: readonly Row[]): string {
  const head = '| condition | images | disc found | gradable | OD Dice | OC Dice | vCDR MAE | AUC (vCDR) | AUC (model) | disc span |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  return [head, ...rows.map((r) => `| ${r.condition} | ${r.images} | ${(100 * r.discFound).toFixed(0)} % | ${(100 * r.gradable).toFixed(0)} % | ${fmt(r.odDice)} | ${fmt(r.ocDice)} | ${fmt(r.vcdrMae)} | ${fmt(r.aucVcdr)} | ${fmt(r.aucModel)} | ${r.discSpan ? `${(100 * r.discSpan[0]).toFixed(0)}-${(100 * r.discSpan[1]).toFixed(0)} %` : 'n/a'} |`)].join('\n');
}

async function qualityPart(): Promise<string> {
  const rows: { name: string; m: ImageMeasures; reasons: string }[] = [];
  const add = (name: string, image: RgbImage): void => {
    const m = measureImage(image);
    rows.push({ name, m, reasons: imageReasons(m).join(', ') || 'gradable' });
  };
  const real: { set: string; files: string[] }[] = [];
  const drishti = await openDataset(`drishti:${path.join(shared, 'drishti-gs1')}`, codec);
  real.push({ set: 'Drishti-GS1 (101)', files: drishti.dataset.samples.map((s) => s.imageFile) });
  const refuge = await openDataset(`folder:${path.join(shared, 'refuge-samples')}`, codec);
  real.push({ set: 'REFUGE samples (10)', files: refuge.dataset.samples.map((s) => s.imageFile) });
  const roi = await openDataset(`roi:${path.join(shared, 'roi-multidomain')}`, codec);
  real.push({ set: 'ROI crops, 4 hospitals (8)', files: roi.dataset.samples.map((s) => s.imageFile) });
  const ranges: string[] = ['| set | field | luminance | clipped | redness | sharpness | called ungradable |', '| --- | --- | --- | --- | --- | --- | ---: |'];
  const range = (v: number[]): string => `${Math.min(...v).toFixed(3)}-${Math.max(...v).toFixed(3)}`;
  for (const { set, files } of real) {
    const ms: ImageMeasures[] = [];
    let ungradable = 0;
    for (const f of files) {
      const m = measureImage(await codec.readRgb(f));
      ms.push(m);
      if (imageReasons(m).length) ungradable++;
    }
    ranges.push(`| ${set} | ${range(ms.map((m) => m.field))} | ${range(ms.map((m) => m.luminance))} | ${range(ms.map((m) => m.clipped))} | ${range(ms.map((m) => m.redness))} | ${range(ms.map((m) => m.sharpness))} | ${ungradable} |`);
  }
  // Unusable pictures, and real ones made unusable.
  const photo: RgbImage = await codec.readRgb(drishti.dataset.samples[0]!.imageFile);
  const w = 1000;
  const h = 800;
  const fill = (f: (x: number, y: number) => [number, number, number]): RgbImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
    return { width: w, height: h, data };
  };
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  add('white page with a bar chart', fill((x, y) => (x > 200 && x < 300 && y > 300 ? [40, 90, 200] : x > 500 && x < 600 && y > 150 ? [200, 60, 40] : [255, 255, 255])));
  add('uniform grey', fill(() => [128, 128, 128]));
  add('random noise', fill(() => [rnd() * 255, rnd() * 255, rnd() * 255]));
  const scale = (f: number): RgbImage => ({ ...photo, data: Uint8Array.from(photo.data, (v) => Math.min(255, v * f)) });
  add('Drishti photograph over-exposed x4', scale(4));
  add('Drishti photograph over-exposed x2', scale(2));
  add('Drishti photograph under-exposed x0.1', scale(0.1));
  for (const pct of [0.25, 0.5, 1, 2]) add(`Drishti photograph blurred (sigma ${pct} % of width)`, blur(photo, (pct / 100) * photo.width));
  const synthetic = ['| picture | field | luminance | clipped | redness | sharpness | verdict |', '| --- | ---: | ---: | ---: | ---: | ---: | --- |', ...rows.map((r) => `| ${r.name} | ${r.m.field.toFixed(3)} | ${r.m.luminance.toFixed(1)} | ${r.m.clipped.toFixed(3)} | ${r.m.redness.toFixed(3)} | ${r.m.sharpness.toFixed(3)} | ${r.reasons} |`)];
  const t = DEFAULT_QUALITY_THRESHOLDS;
  return [
    '## Quality gate: measurements',
    '',
    `Thresholds in use: field >= ${t.minField}, redness >= ${t.minRedness}, luminance ${t.minLuminance}-${t.maxLuminance}, clipped <= ${t.maxClipped}, sharpness >= ${t.minSharpness}, flip disagreement <= ${t.maxUncertainty}.`,
    '',
    'Ranges on every real photograph here:',
    '',
    ...ranges,
    '',
    'Unusable pictures:',
    '',
    ...synthetic,
  ].join('\n');
}

async function modelTrainingIds(predictor: Predictor): Promise<ReadonlySet<string>> {
  const trained = await trainingImageIds(predictor.model.manifest.training, codec);
  if (!trained) throw new Error(`${modelDir}: cannot tell which images it trained on (its training data is not on this machine)`);
  return trained;
}

async function shiftsPart(predictor: Predictor): Promise<{ text: string; rows: Row[] }> {
  const opened = await openDataset(shiftData, codec);
  // Only photographs the model never trained on: the test split for a model trained on
  // Training, a fold's held-out images for a cross-validation fold model.
  const trained = await modelTrainingIds(predictor);
  const unseen = opened.dataset.samples.filter((s) => !trained.has(s.id) && s.masks !== undefined);
  if (unseen.length === 0) throw new Error(`${shiftData}: no photograph with disc and cup masks that ${modelDir} did not train on (for a model trained on all of it, run the shifts with a fold model of its cross-validation: train --folds writes OUT/folds/N/model)`);
  const test = balancedSelection(unseen, imageCount);
  const base: { shifted: Shifted; label: 0 | 1 | null; centre: { x: number; y: number } }[] = [];
  for (const s of test) {
    const image: RgbImage = await codec.readRgb(s.imageFile);
    const { od, oc } = await readSampleMasks(s, codec);
    const centre = discCentreOf(s, od);
    base.push({ shifted: { image, od, oc }, label: s.glaucoma ?? null, centre });
  }
  const rows: Row[] = [];
  const run = async (condition: string, make: (b: (typeof base)[number]) => Promise<Shifted> | Shifted): Promise<void> => {
    const items = [];
    for (const b of base) items.push({ shifted: await make(b), label: b.label });
    const row = await scoreSet(predictor, condition, items);
    rows.push(row);
    process.stdout.write(`${table([row]).split('\n')[2]}\n`);
  };
  await run('clean', (b) => b.shifted);
  for (const shift of SHIFTS.filter((sh) => wanted(sh.name))) for (const s of SEVERITIES) await run(`${shift.name}, ${s}: ${shift.describe(s)}`, (b) => shift.apply(b.shifted, s, b.centre));
  if (wanted('jpeg')) for (const s of SEVERITIES) await run(`JPEG, ${s}: quality ${JPEG_QUALITY[s as Severity]}`, async (b) => ({ ...b.shifted, image: await jpeg(b.shifted.image, JPEG_QUALITY[s]) }));
  return { text: [`## Synthetic camera shifts (${base.length} photographs of ${shiftData} the model did not train on, ${base.filter((b) => b.label === 0).length} normal)`, '', table(rows)].join('\n'), rows };
}

async function domainsPart(predictor: Predictor): Promise<{ text: string; rows: Row[] }> {
  const roi = await openDataset(`roi:${path.join(shared, 'roi-multidomain')}`, codec);
  const byDomain = new Map<string, Sample[]>();
  for (const s of roi.dataset.samples) {
    const domain = s.id.split('/')[0]!;
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), s]);
  }
  const names: Record<string, string> = { Domain1: 'Drishti-GS', Domain2: 'RIM-ONE r3', Domain3: 'REFUGE train (Zeiss)', Domain4: 'REFUGE validation (Canon)' };
  const rows: Row[] = [];
  for (const [domain, samples] of [...byDomain.entries()].sort()) {
    const items = [];
    for (const s of samples) {
      const image: RgbImage = await codec.readRgb(s.imageFile);
      const { od, oc } = await readSampleMasks(s, codec);
      items.push({ shifted: { image, od, oc }, label: s.glaucoma ?? null });
    }
    const row = await scoreSet(predictor, `${domain} (${names[domain] ?? domain})`, items);
    rows.push(row);
    process.stdout.write(`${table([row]).split('\n')[2]}\n`);
  }
  return { text: ['## Other hospitals: disc-centred ROI crops (the disc fills about half the frame)', '', table(rows)].join('\n'), rows };
}

const describeColour = (c: Rgb | null): string => (c ? `to mean field R,G,B ${c.map((v) => v.toFixed(1)).join(',')}` : 'off');

async function main(): Promise<void> {
  const backend = await selectBackend();
  fs.mkdirSync(outDir, { recursive: true });
  const predictor = Predictor.open(modelDir, codec);
  if (colourArg === 'on') colourReference = await trainingColourReference(predictor);
  else if (colourArg !== 'off') {
    const v = colourArg.split(',').map(Number);
    if (v.length !== 3 || v.some((x) => !(x > 0 && x <= 255))) throw new Error(`--colour must be off, on or R,G,B (each 0-255], got ${colourArg}`);
    colourReference = [v[0]!, v[1]!, v[2]!];
  }
  if (toneMatch !== 'off') {
    toneReference = await trainingToneReference(predictor);
    process.stdout.write(`tone reference: median ${toneReference.median}, 90th percentile ${toneReference.high}\n`);
  }
  const started = performance.now();
  const sections: string[] = [`# Robustness benchmark`, '', `Model: ${predictor.model.manifest.name} (${predictor.model.manifest.id}); decision rule: ${predictor.model.manifest.decision?.id ?? 'paper'}; wider disc search: ${wideSearch ? 'on' : 'off'}; crop edges: ${cropEdges}; direct crop reading: ${directCrop ? 'on' : 'off'}; exposure normalisation: ${luminanceReference === undefined ? (predictor.model.manifest.preprocessing.luminanceReference ?? 'off') : (luminanceReference ?? 'off')}; shape prior: ${shapePrior ?? predictor.model.manifest.preprocessing.shapePrior ?? 'none'}; crop stages: ${stageFusion ?? predictor.model.manifest.preprocessing.stageFusion ?? 'replace'}; colour normalisation: ${describeColour(colourReference)}; batch-norm adaptation: ${adapt ? 'to each condition' : 'off'}; tone matching: ${toneReference ? `${toneMatch} by ${toneMatch}, to median ${toneReference.median}, 90th percentile ${toneReference.high}` : 'off'}; backend: ${backend.name}.`, ''];
  const results: Record<string, unknown> = { model: predictor.model.manifest.id, wideSearch, cropEdges, directCrop, luminanceReference: luminanceReference ?? null, shapePrior: shapePrior ?? predictor.model.manifest.preprocessing.shapePrior ?? 'none', stageFusion: stageFusion ?? predictor.model.manifest.preprocessing.stageFusion ?? 'replace', colourReference, adapt, toneReference };
  if (parts.has('quality')) sections.push(await qualityPart(), '');
  if (parts.has('domains')) {
    const d = await domainsPart(predictor);
    sections.push(d.text, '');
    results.domains = d.rows;
  }
  if (parts.has('shifts')) {
    const s = await shiftsPart(predictor);
    sections.push(s.text, '');
    results.shifts = s.rows;
  }
  sections.push(`Total ${((performance.now() - started) / 60000).toFixed(1)} min.`);
  fs.writeFileSync(path.join(outDir, 'results.md'), sections.join('\n'));
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`\n${sections.join('\n')}\n`);
  predictor.dispose();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
