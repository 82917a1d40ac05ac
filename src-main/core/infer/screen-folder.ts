// Screening a folder of photographs into the files a REFUGE submission and a
// reader need:
//   segmentation/<stem>.bmp           disc/cup at original size (0 cup, 128 rim, 255 background)
//   classification_results.csv        FileName,Glaucoma Risk
//   fovea_location_results.csv        ImageName,Fovea_X,Fovea_Y (original pixels; models trained for the fovea)
//   overlays/<stem>.png               outlines and fovea mark (longer side at most 1024 px)
//   summary.csv, report.html          vCDR, probabilities, decision, problems
//   config.json                       model, options and backend of the run; status running|partial|complete
//   screened.jsonl                    one line per finished image, for --resume
// A file that cannot be read is listed with its problem and the rest go on.
import fs from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../backend';
import { writeBmpGrey } from '../data/bmp';
import { describeQuality } from '../contract/contract';
import { csvField } from '../data/csv';
import type { DecisionSettings } from './assessment';
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
import { screenImage } from './screen-image';
import { describeOperatingPoint } from './screen-operating-point';
import type { RgbImage } from '../types';
import type { CasePrediction, ScreenedImage } from './types';
import { renderScreeningReport } from './screening-report';
import { clearPreviousRun, logScreenedImage, readPreviousRun, type ScreenRunStatus } from './screen-run-state';

export interface ScreenFolderOptions {
  readonly tta: boolean;
  readonly overlays: boolean;
  /** Longest side of overlay images. */
  readonly overlaySide: number;
  readonly signal?: AbortSignal;
  /** Continue the run already in outDir (same folder, model and decision settings): images it finished are not screened again. */
  readonly resume?: boolean;
  /** Decision rule and operating point (default: the package's decision model at its stored specificity). */
  readonly decision?: DecisionSettings;
  readonly onImage?: (done: number, total: number, file: string, problem: string | null) => void;
}

/** Longest side of overlay images, wherever a screening writes them. */
export const OVERLAY_SIDE = 1024;

export interface ScreenFolderResult {
  readonly images: readonly ScreenedImage[];
  readonly problems: readonly DataProblem[];
  readonly seconds: number;
  /** False when the run stopped before the last image (config.json says 'partial'). */
  readonly complete: boolean;
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
  const base = screeningConfig(folder, predictor.model.dir, predictor.model.manifest, options, backend);
  const config = { ...base, resumed: options.resume === true };
  // Never leave a folder that looks complete but is not: a new run removes the previous run's
  // files first; --resume keeps them and reads back the images already done (the plan's stems are
  // deterministic, so a resumed image keeps its output names).
  const previous = options.resume ? readPreviousRun(outDir, folder, predictor.model.manifest.id, base['decision']) : new Map<string, ScreenedImage>();
  if (!options.resume) clearPreviousRun(outDir);
  prepareScreeningOutput(outDir, options.overlays);
  writeJsonAtomic(path.join(outDir, 'config.json'), { status: 'running' satisfies ScreenRunStatus, ...config });
  const images: ScreenedImage[] = [];
  let done = 0;
  for (const item of plan.items) {
    if (options.signal?.aborted) break;
    const before = previous.get(item.file);
    const image = before ?? (await screenFolderItem(item, outDir, predictor, codec, options));
    if (image.problem !== null) problems.push({ file: image.file, problem: image.problem });
    images.push(image);
    if (!before) logScreenedImage(outDir, image);
    options.onImage?.(++done, plan.items.length, item.file, image.problem);
  }
  const complete = images.length === plan.items.length;
  writeScreeningResults(outDir, images, problems, predictor.model.manifest, backend, options.overlays, complete ? undefined : { done: images.length, total: plan.items.length });
  // Written last: 'complete' is only ever said of a folder whose every file is in place.
  writeJsonAtomic(path.join(outDir, 'config.json'), {
    status: (complete ? 'complete' : 'partial') satisfies ScreenRunStatus,
    ...config,
    images: { total: plan.items.length, done: images.length, screened: images.filter((i) => i.prediction).length, problems: problems.length },
    finishedAt: new Date().toISOString(),
  });
  return { images, problems, seconds: (performance.now() - started) / 1000, complete };
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
export function screeningConfig(folder: string, modelDir: string, manifest: ModelManifest, options: { tta: boolean; overlays: boolean; decision?: DecisionSettings | undefined }, backend: BackendInfo): Record<string, unknown> {
  return {
    folder: path.resolve(folder),
    model: { dir: modelDir, id: manifest.id, name: manifest.name, trainedTasks: manifest.trainedTasks },
    preprocessing: manifest.preprocessing,
    tta: options.tta,
    overlays: options.overlays,
    decision: { rule: manifest.decision && options.decision?.fusion !== 'paper' ? manifest.decision.id : 'paper', ...options.decision },
    backend,
    startedAt: new Date().toISOString(),
  };
}

/**
 * One photograph of a folder screening: the shared per-image step
 * (screen-image.ts) keeping the folder's outputs, its REFUGE segmentation and
 * overlay named after the item's stem. The local loop above and a queue
 * worker's screen-images job both screen through here, so their files match.
 */
export async function screenFolderItem(
  item: ScreeningItem,
  outDir: string,
  predictor: Predictor,
  codec: ImageCodec,
  options: Pick<ScreenFolderOptions, 'tta' | 'overlays' | 'overlaySide' | 'decision'>,
): Promise<ScreenedImage> {
  const result = await screenImage(predictor, codec, item.file, { tta: options.tta, ...(options.decision ? { decision: options.decision } : {}) }, async (prediction, original) => {
    writeBmpGrey(path.join(outDir, 'segmentation', `${item.stem}.bmp`), encodeRefugeMask(prediction.od, prediction.oc));
    if (options.overlays) await writeOverlay(path.join(outDir, 'overlays', `${item.stem}.png`), await original(), prediction, codec, options.overlaySide);
  });
  // A file found damaged while its overlay was drawn has no answer: its segmentation goes too.
  if (!result.ok) fs.rmSync(path.join(outDir, 'segmentation', `${item.stem}.bmp`), { force: true });
  return { id: item.stem, file: item.file, name: item.name, prediction: result.ok ? result.prediction.summary : null, problem: result.ok ? null : result.problem, ms: result.ms };
}

/** The files written once every image is screened: the REFUGE CSVs, summary.csv and report.html. */
export function writeScreeningResults(
  outDir: string,
  images: readonly ScreenedImage[],
  problems: readonly DataProblem[],
  manifest: ModelManifest,
  backend: BackendInfo,
  overlays: boolean,
  /** Set when the run stopped before the end: the report says so. */
  partial?: { readonly done: number; readonly total: number },
): void {
  writeSubmissionFiles(outDir, images, manifest.trainedTasks.includes('fovea'), problems);
  writeFileAtomic(path.join(outDir, 'report.html'), renderScreeningReport({ images, problems, model: manifest, backend, overlays, ...(partial ? { partial } : {}) }));
}

/** What a screening reports in one line (a local run and one on a queue alike). */
export interface ScreeningCounts {
  readonly screened: number;
  readonly suspects: number;
  readonly undecided: number;
  readonly operatingPoint: string;
  readonly msPerImage: number;
}

export function screeningCounts(images: readonly ScreenedImage[]): ScreeningCounts {
  const screened = images.filter((i) => i.prediction);
  return {
    screened: screened.length,
    suspects: screened.filter((i) => i.prediction!.glaucoma.decision === 'glaucoma').length,
    undecided: screened.filter((i) => i.prediction!.glaucoma.decision === null).length,
    operatingPoint: describeOperatingPoint(screened[0]?.prediction?.glaucoma ?? null),
    msPerImage: screened.length ? screened.reduce((s, i) => s + i.ms, 0) / screened.length : 0,
  };
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
  const header =
    'FileName,Width,Height,vCDR,Glaucoma Risk,Network Probability,vCDR Regression Probability,Decision,Decision Rule,Threshold,Target Specificity,Quality,Decision Withheld,Disc Found,Uncertainty,Fovea_X,Fovea_Y,Milliseconds,Problem';
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
      p?.glaucoma.rule ?? (p ? 'paper' : ''),
      fixed(p?.glaucoma.threshold ?? (p ? 0.5 : null), 4),
      fixed(p?.glaucoma.targetSpecificity, 2),
      csvField(p?.quality ? describeQuality(p.quality) : ''),
      csvField(p?.glaucoma.withheld ?? ''),
      p ? (p.disc.found ? 'yes' : 'no') : '',
      fixed(p?.uncertainty, 4),
      fixed(p?.fovea?.x, 2),
      fixed(p?.fovea?.y, 2),
      i.ms.toFixed(0),
      csvField(i.problem ?? (p?.warnings.join('; ') || '')),
    ].join(',');
  });
  const others = problems.filter((pr) => !images.some((i) => i.file === pr.file)).map((pr) => `${csvField(path.basename(pr.file))}${','.repeat(header.split(',').length - 1)}${csvField(pr.problem)}`);
  writeFileAtomic(path.join(outDir, 'summary.csv'), `${[header, ...rows, ...others].join('\n')}\n`);
}
