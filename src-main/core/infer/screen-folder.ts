// Screening a folder of photographs into the files a REFUGE submission and a
// reader need:
//   segmentation/<stem>.bmp           disc/cup at original size (0 cup, 128 rim, 255 background)
//   classification_results.csv        FileName,Glaucoma Risk
//   fovea_location_results.csv        ImageName,Fovea_X,Fovea_Y (original pixels; models trained for the fovea)
//   overlays/<stem>.png               outlines and fovea mark (longer side at most 1024 px)
//   summary.csv, report.html          vCDR, probabilities, decision, problems
//   config.json                       model, options and backend of the run
// A file that cannot be read is listed with its problem and the rest go on.
import fs from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../backend';
import { writeBmpGrey } from '../data/bmp';
import { csvField } from '../data/csv';
import type { ImageCodec } from '../data/image-codec';
import { readImageFolder } from '../data/folder';
import type { DataProblem } from '../data/sample';
import { InputError } from '../errors';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic';
import { encodeRefugeMask, resizeMaskNearest } from '../masks';
import { drawOverlayInPlace } from '../render/overlay';
import { downscaleForPreview } from '../render/preview';
import type { ModelManifest } from '../model/package';
import type { Predictor } from './predictor';
import type { RgbImage } from '../types';
import type { CasePrediction } from './types';
import { renderScreeningReport } from './screening-report';

export interface ScreenFolderOptions {
  readonly tta: boolean;
  readonly overlays: boolean;
  /** Longest side of overlay images. */
  readonly overlaySide: number;
  readonly signal?: AbortSignal;
  readonly onImage?: (done: number, total: number, file: string, problem: string | null) => void;
}

export interface ScreenedImage {
  readonly id: string;
  readonly file: string;
  /** File name as written in the CSVs (REFUGE uses the image's file name). */
  readonly name: string;
  readonly prediction: CasePrediction['summary'] | null;
  readonly problem: string | null;
  readonly ms: number;
}

export interface ScreenFolderResult {
  readonly images: readonly ScreenedImage[];
  readonly problems: readonly DataProblem[];
  readonly seconds: number;
}

export async function screenFolder(
  folder: string,
  outDir: string,
  predictor: Predictor,
  codec: ImageCodec,
  backend: BackendInfo,
  options: ScreenFolderOptions,
): Promise<ScreenFolderResult> {
  const started = performance.now();
  const plan = planScreening(folder);
  const problems: DataProblem[] = [...plan.problems];
  prepareScreeningOutput(outDir, options.overlays);
  writeJsonAtomic(path.join(outDir, 'config.json'), screeningConfig(folder, predictor.model.dir, predictor.model.manifest, options, backend));
  const images: ScreenedImage[] = [];
  let done = 0;
  for (const item of plan.items) {
    if (options.signal?.aborted) break;
    const image = await screenImage(item, outDir, predictor, codec, options);
    if (image.problem !== null) problems.push({ file: image.file, problem: image.problem });
    images.push(image);
    options.onImage?.(++done, plan.items.length, item.file, image.problem);
  }
  writeScreeningResults(outDir, images, problems, predictor.model.manifest, backend, options.overlays);
  return { images, problems, seconds: (performance.now() - started) / 1000 };
}

/** One photograph of a folder screening: where it is, its name in the CSVs and the stem of its output files. */
export interface ScreeningItem {
  readonly file: string;
  readonly name: string;
  readonly stem: string;
}

/**
 * The photographs of a folder in screening order, each with the unique stem its
 * outputs are named after. Deterministic, so a run spread over several
 * machines names every output as a local run does.
 */
export function planScreening(folder: string): { items: ScreeningItem[]; problems: DataProblem[] } {
  const dataset = readImageFolder(folder);
  if (dataset.samples.length === 0 && dataset.problems.length === 0) throw new InputError(folder, 'no images found (looked for jpg, jpeg, png, bmp, tif, tiff)');
  const usedStems = new Set<string>();
  const items = dataset.samples.map((sample) => ({
    file: sample.imageFile,
    name: path.basename(sample.imageFile),
    stem: uniqueStem(path.basename(sample.imageFile, path.extname(sample.imageFile)), usedStems),
  }));
  return { items, problems: [...dataset.problems] };
}

export function prepareScreeningOutput(outDir: string, overlays: boolean): void {
  for (const dir of ['segmentation', ...(overlays ? ['overlays'] : [])]) fs.mkdirSync(path.join(outDir, dir), { recursive: true });
}

/** config.json of a screening run. */
export function screeningConfig(folder: string, modelDir: string, manifest: ModelManifest, options: { tta: boolean; overlays: boolean }, backend: BackendInfo): Record<string, unknown> {
  return {
    folder: path.resolve(folder),
    model: { dir: modelDir, id: manifest.id, name: manifest.name, trainedTasks: manifest.trainedTasks },
    preprocessing: manifest.preprocessing,
    tta: options.tta,
    overlays: options.overlays,
    backend,
    startedAt: new Date().toISOString(),
  };
}

/**
 * The per-image step of a screening: predicts one photograph and writes its
 * segmentation (and overlay). A file that cannot be read comes back with its
 * problem; any other error is thrown.
 */
export async function screenImage(
  item: ScreeningItem,
  outDir: string,
  predictor: Predictor,
  codec: ImageCodec,
  options: Pick<ScreenFolderOptions, 'tta' | 'overlays' | 'overlaySide'>,
): Promise<ScreenedImage> {
  const t0 = performance.now();
  let problem: string | null = null;
  let summary: CasePrediction['summary'] | null = null;
  try {
    // The full-size photograph is decoded at most once, for the disc-crop stage and the overlay alike.
    let decoded: Promise<RgbImage> | undefined;
    const original = (): Promise<RgbImage> => (decoded ??= codec.readRgb(item.file));
    const prediction = await predictor.predictFile(item.file, { tta: options.tta }, original);
    summary = prediction.summary;
    writeBmpGrey(path.join(outDir, 'segmentation', `${item.stem}.bmp`), encodeRefugeMask(prediction.od, prediction.oc));
    if (options.overlays) await writeOverlay(path.join(outDir, 'overlays', `${item.stem}.png`), await original(), prediction, codec, options.overlaySide);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problem = error.problem;
  }
  return { id: item.stem, file: item.file, name: item.name, prediction: summary, problem, ms: performance.now() - t0 };
}

/** The files written once every image is screened: the REFUGE CSVs, summary.csv and report.html. */
export function writeScreeningResults(outDir: string, images: readonly ScreenedImage[], problems: readonly DataProblem[], manifest: ModelManifest, backend: BackendInfo, overlays: boolean): void {
  writeSubmissionFiles(outDir, images, manifest.trainedTasks.includes('fovea'), problems);
  writeFileAtomic(path.join(outDir, 'report.html'), renderScreeningReport({ images, problems, model: manifest, backend, overlays }));
}

function uniqueStem(stem: string, used: Set<string>): string {
  let candidate = stem;
  for (let i = 2; used.has(candidate); i++) candidate = `${stem}_${i}`;
  used.add(candidate);
  return candidate;
}

/** The overlay at preview size: masks shrunk with the image, so outlines keep their pixel width. */
async function writeOverlay(file: string, full: RgbImage, prediction: CasePrediction, codec: ImageCodec, side: number): Promise<void> {
  const small = downscaleForPreview(full, side);
  const sx = small.width / full.width;
  const sy = small.height / full.height;
  const scaled = (m: CasePrediction['od']) => (small === full ? m : resizeMaskNearest(m, small.width, small.height));
  const fovea = prediction.summary.fovea;
  // A small photograph comes back as is: draw on a copy, never on the decoded original.
  const image = small === full ? { ...full, data: full.data.slice() } : small;
  drawOverlayInPlace(image, {
    od: prediction.summary.disc.found ? scaled(prediction.od) : null,
    oc: prediction.summary.cup.found ? scaled(prediction.oc) : null,
    fovea: fovea ? { x: (fovea.x + 0.5) * sx - 0.5, y: (fovea.y + 0.5) * sy - 0.5 } : null,
  });
  await codec.writePng(file, image);
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '' : value.toFixed(digits);
}

/** The REFUGE submission CSVs and our summary. */
export function writeSubmissionFiles(outDir: string, images: readonly ScreenedImage[], fovea: boolean, problems: readonly DataProblem[]): void {
  const ok = images.filter((i) => i.prediction);
  const classification = ['FileName,Glaucoma Risk', ...ok.filter((i) => i.prediction!.glaucoma.probability !== null).map((i) => `${csvField(i.name)},${i.prediction!.glaucoma.probability!.toFixed(6)}`)];
  writeFileAtomic(path.join(outDir, 'classification_results.csv'), `${classification.join('\n')}\n`);
  if (fovea) {
    const rows = ['ImageName,Fovea_X,Fovea_Y', ...ok.filter((i) => i.prediction!.fovea).map((i) => `${csvField(i.name)},${i.prediction!.fovea!.x.toFixed(2)},${i.prediction!.fovea!.y.toFixed(2)}`)];
    writeFileAtomic(path.join(outDir, 'fovea_location_results.csv'), `${rows.join('\n')}\n`);
  }
  const header = 'FileName,Width,Height,vCDR,Glaucoma Risk,Network Probability,vCDR Regression Probability,Decision,Disc Found,Uncertainty,Fovea_X,Fovea_Y,Milliseconds,Problem';
  const rows = images.map((i) => {
    const p = i.prediction;
    return [
      csvField(i.name),
      p?.width ?? '',
      p?.height ?? '',
      fixed(p?.vcdr, 4),
      fixed(p?.glaucoma.probability, 6),
      fixed(p?.glaucoma.network, 6),
      fixed(p?.glaucoma.vcdrRegression, 6),
      p?.glaucoma.decision ?? '',
      p ? (p.disc.found ? 'yes' : 'no') : '',
      fixed(p?.uncertainty, 4),
      fixed(p?.fovea?.x, 2),
      fixed(p?.fovea?.y, 2),
      i.ms.toFixed(0),
      csvField(i.problem ?? (p?.warnings.join('; ') || '')),
    ].join(',');
  });
  const others = problems.filter((pr) => !images.some((i) => i.file === pr.file)).map((pr) => `${csvField(path.basename(pr.file))},,,,,,,,,,,,,${csvField(pr.problem)}`);
  writeFileAtomic(path.join(outDir, 'summary.csv'), `${[header, ...rows, ...others].join('\n')}\n`);
}
