// From an image file to a prediction in the image's own pixels:
//   pad to square, resize, predict (optionally with a flipped copy), sigmoid;
//   disc and cup: probability maps brought back to original size, threshold
//   0.5, largest connected component (cup kept inside the disc);
//   a wider search when the disc is missing or fills much of the frame (a disc
//   crop, a narrow field): the localiser looks again at the image zoomed out
//   into a larger black frame, so it sees the disc at the scale it knows;
//   optional second stage: a network that sees a square crop around the disc
//   at higher resolution re-segments disc and cup; when the wider search runs,
//   that network also reads the whole photograph, which replaces the two-stage
//   result when the photograph is itself a tight disc crop (readAsDiscCrop);
//   fovea: centre of mass of the heat map, in original pixels;
//   vCDR by the REFUGE rule; the image-quality gate (core/quality); the glaucoma
//   probability and decision by the package's decision rule (infer/assessment).
import * as tf from '@tensorflow/tfjs-core';
import type { ImageCodec } from '../data/image-codec';
import { pasteCropMask, type SquareCrop } from '../geometry/crop';
import { letterbox, letterboxRegion, mapToOriginalMask, toOriginal, type Letterbox } from '../geometry/letterbox';
import { resampleMapBetweenRegions, resampleRgbRegion, type RegionEdges } from '../geometry/resample-region';
import { area, boundingBox, constrainCupInsideDisc, cupToDiscRatio, largestComponent, shapeDiscAndCup, verticalDiameter, type ShapePrior } from '../masks';
import type { BatchNormStatistics } from '../model/network';
import { cropStageOf, loadModelPackage, type LoadedModel, type PackageNetwork, type Preprocessing, type StageFusion } from '../model/package';
import { TASKS, type BinaryMask, type FloatMap, type Point, type RgbImage, type Size, type Task } from '../types';
import { discCupFeatures } from '../decision/features';
import { describeQuality } from '../contract/contract';
import { DEFAULT_QUALITY_THRESHOLDS, fieldLuminance, measureImage, qualityVerdict } from '../quality/image-quality';
import { colourBalance, scaleChannels, type Rgb } from '../quality/colour-balance';
import { assessGlaucoma, type DecisionSettings } from './assessment';
import { adaptBatchNorm, evenlySpaced, MAX_ADAPTATION_INPUTS, MIN_ADAPTATION_IMAGES } from './batch-norm-adaptation';
import type { CasePrediction, StructureSummary } from './types';
import { discRegion } from './disc-crop';
import { foveaFromHeatmap } from './fovea';

export interface PredictOptions {
  /** Also predict the left-right flipped image and average; gives the uncertainty score. */
  readonly tta: boolean;
  /** Decision rule and operating point (default: the package's decision model at its stored specificity). */
  readonly decision?: DecisionSettings;
  /** Look again at zoomed-out copies when the disc is missing or large (default true). */
  readonly wideSearch?: boolean;
  /** Exposure normalisation target (default: the package's preprocessing.luminanceReference; null: off). */
  readonly luminanceReference?: number | null;
  /** What the disc-crop stage sees beyond the photograph's edges (default black, as in training). */
  readonly cropEdges?: RegionEdges;
  /** When the wider search runs, also read the whole photograph with the disc-crop network: it may be a tight disc crop (default true). */
  readonly directCrop?: boolean;
  /** Disc and cup shaped after the last segmentation stage: holes filled, convex hull, or the hull's moment ellipse (default: the package's preprocessing.shapePrior, else 'none'). */
  readonly shapePrior?: ShapePrior;
  /**
   * Colour normalisation: every input's channels scaled so its field's mean colour has the proportions of this
   * R, G, B (the training photographs' median mean field colour). Default null: off (measured, not kept:
   * docs/robustness.md), so no package records it.
   */
  readonly colourReference?: Rgb | null;
  /**
   * The probability at which the crop stages' cup is drawn, for every crop network (default: each network's own
   * cupThreshold, else the package's threshold, 0.5). A benchmark setting.
   */
  readonly cupThreshold?: number;
  /**
   * How a second disc-crop stage's reading becomes the result: 'replace' (its disc and cup stand
   * alone), 'average' (its probabilities averaged with the first crop stage's, brought into its
   * crop, before thresholding) or 'average-disc' (the disc averaged so, the cup its own). Default:
   * the package's preprocessing.stageFusion, else 'replace'.
   */
  readonly stageFusion?: StageFusion;
}

/** The gain is kept within these bounds: a near-black or blown-out picture is the quality gate's business. */
const MAX_EXPOSURE_GAIN = 4;

/**
 * Exposure normalisation's gain for a photograph whose whole-image input has field luminance `luminance`: towards
 * the package's `reference`, within MAX_EXPOSURE_GAIN either way; 1 without a reference or without a field.
 */
export function exposureGain(reference: number | null, luminance: number): number {
  return reference === null || luminance <= 0 ? 1 : Math.min(MAX_EXPOSURE_GAIN, Math.max(1 / MAX_EXPOSURE_GAIN, reference / luminance));
}

/**
 * A disc whose vertical extent exceeds this share of the image's shorter side is
 * outside the scales the whole-image network was trained on (Drishti-GS1's
 * 30-degree discs are about a quarter): the wider search runs.
 */
export const WIDE_SEARCH_DISC_FRACTION = 0.35;
/**
 * A photograph illuminated over at least this share of its frame is fundus from edge to edge, as a disc crop is: a
 * camera's round field leaves dark corners (Drishti-GS1 0.59-0.86, REFUGE 0.81; ROI crops of three hospitals 0.96-1).
 */
export const ALL_FUNDUS_FIELD = 0.95;
/** A first-pass disc whose plain and flipped masks disagree more than this (1 - Dice) also sends the search wider. */
export const WIDE_SEARCH_DISAGREEMENT = 0.2;
/**
 * The disc-crop network is trained on crops twice the disc's size, zoomed 0.9-1.1x:
 * it sees discs spanning 45-55 % of its input and tends to report that size
 * whatever it is shown. Only a disc it reports beyond that range, read on the whole
 * photograph, is evidence that the photograph itself is a tight disc crop.
 */
export const DIRECT_CROP_MIN_DISC = 0.55;
/** How far (as a ratio of vertical diameters) the direct reading's disc may differ from the two stages' for an uncertain two-stage result to be replaced. */
export const DIRECT_CROP_SIZE_AGREEMENT = 2;

/** Zoom-out factors of the wider search: a disc filling 50-70 % of a crop becomes 17-35 % of the frame. */
export const WIDE_SEARCH_ZOOMS = [2, 3] as const;

/** Network outputs for one image at network resolution (probabilities). */
interface NetworkMaps {
  readonly od: FloatMap | null;
  readonly oc: FloatMap | null;
  readonly fovea: FloatMap | null;
  readonly glaucoma: number | null;
  /** Disagreement between the plain and flipped passes, per output, in the order disc, cup, glaucoma (TTA only). */
  readonly disagreement: number[];
  /** The disc's share of it (null without TTA or without a disc output). */
  readonly discDisagreement: number | null;
}

/** A crop stage's disc and cup probabilities and the photograph's region they cover. */
interface CropReading {
  readonly crop: SquareCrop;
  readonly od: FloatMap | null;
  readonly oc: FloatMap | null;
}

/** One network's raw outputs for one image: the plain pass and, with TTA, the flipped pass mapped back. */
type RawOutputs = Partial<Record<Task, { readonly plain: Float32Array; readonly flipped: Float32Array | null }>>;

/** A photograph to adapt to, as predictLetterboxed takes it. */
export interface AdaptationPhotograph {
  readonly image: RgbImage;
  readonly original: Size;
  readonly readOriginal: () => Promise<RgbImage>;
}

/** A photograph already in memory, as predictLetterboxed takes it: letterboxed to the network, itself as the original. */
export function letterboxedPhotograph(image: RgbImage, size: number): AdaptationPhotograph {
  return { image: resampleRgbRegion(image, letterboxRegion(image), size), original: { width: image.width, height: image.height }, readOriginal: async () => image };
}

/** What an adapted predictor adapted to. */
export interface BatchNormAdaptation {
  /** Gradable photographs whose network inputs gave the statistics. */
  readonly images: number;
}

export class Predictor {
  readonly model: LoadedModel;
  readonly #codec: ImageCodec;
  /**
   * Whole-image networks: one multi-task network, one per task (the single-task
   * baseline), or several of either (an ensemble): every task's probability is the
   * mean over the networks that have it.
   */
  readonly #full: readonly PackageNetwork[];
  /** Disc-crop networks of the first crop stage (none, one, or an ensemble averaged the same way); all crop alike. */
  readonly #crops: readonly PackageNetwork[];
  /** Disc-crop networks of the second stage, cut around the first stage's disc (none, or networks that all crop alike). */
  readonly #second: readonly PackageNetwork[];
  readonly #pre: Preprocessing;
  readonly #trained: ReadonlySet<Task>;
  /** While adapting: every input each network is given, per network. */
  #recording: Map<PackageNetwork, RgbImage[]> | null = null;
  /** The package's own batch-norm statistics while adapted ones are in use. */
  #packageStatistics: Map<PackageNetwork, BatchNormStatistics[]> | null = null;
  #adaptation: BatchNormAdaptation | null = null;

  constructor(model: LoadedModel, codec: ImageCodec) {
    this.model = model;
    this.#codec = codec;
    const full = model.networks.filter((n) => n.entry.input.kind === 'full-image');
    if (full.length === 0) throw new Error(`${model.dir}: the model has no network that reads the whole image`);
    const sizes = new Set(full.map((n) => n.net.config.inputSize));
    if (sizes.size > 1) throw new Error(`${model.dir}: whole-image networks of different input sizes (${[...sizes].join(', ')})`);
    this.#full = full;
    // A second stage without a first is refused by the manifest's schema (package.ts), which every loaded model passed.
    const crops = model.networks.filter((n) => cropStageOf(n.entry.input) === 1);
    const second = model.networks.filter((n) => cropStageOf(n.entry.input) === 2);
    for (const networks of [crops, second]) {
      const cropShapes = new Set(networks.map((n) => JSON.stringify([n.entry.input, n.net.config.inputSize])));
      if (cropShapes.size > 1) throw new Error(`${model.dir}: disc-crop networks that crop differently (${[...cropShapes].join(', ')}): their maps cannot be averaged`);
    }
    this.#crops = crops;
    this.#second = second;
    this.#pre = model.manifest.preprocessing;
    this.#trained = new Set(model.manifest.trainedTasks);
  }

  /** Loads a model package (validated and hash-checked) and wraps it. */
  static open(modelDir: string, codec: ImageCodec): Predictor {
    return new Predictor(loadModelPackage(modelDir), codec);
  }

  get inputSize(): number {
    return this.#full[0]!.net.config.inputSize;
  }

  /** The adaptation in use (null: the package's own statistics). */
  get adaptation(): BatchNormAdaptation | null {
    return this.#adaptation;
  }

  /**
   * Re-estimates every network's batch-norm statistics on a folder's photographs
   * (infer/batch-norm-adaptation.ts): up to MAX_ADAPTATION_INPUTS of them, evenly
   * spaced, of those the quality gate finds gradable. The whole-image networks
   * first, on the inputs the pipeline gives them; then the disc-crop networks on
   * the crops the adapted whole-image networks place; then a second crop stage on
   * the crops the adapted first stage places. Replaces any earlier
   * adaptation; resetAdaptation() restores the package's statistics.
   */
  async adapt(photographs: readonly AdaptationPhotograph[], options: PredictOptions): Promise<BatchNormAdaptation> {
    this.resetAdaptation();
    const sample = evenlySpaced(photographs, MAX_ADAPTATION_INPUTS);
    const record = async (networks: readonly PackageNetwork[]): Promise<{ inputs: Map<PackageNetwork, RgbImage[]>; gradable: number }> => {
      const inputs = new Map(networks.map((n) => [n, [] as RgbImage[]]));
      let gradable = 0;
      for (const photo of sample) {
        this.#recording = new Map(networks.map((n) => [n, [] as RgbImage[]]));
        try {
          const p = await this.predictLetterboxed(photo.image, photo.original, photo.readOriginal, options);
          // Blank frames, noise and unusable exposures would describe no camera at all.
          if (p.summary.quality?.gradable === false) continue;
          gradable++;
          for (const [n, seen] of this.#recording) inputs.get(n)!.push(...seen);
        } finally {
          this.#recording = null;
        }
      }
      return { inputs, gradable };
    };
    const first = await record(this.#full);
    if (first.gradable < MIN_ADAPTATION_IMAGES) {
      throw new Error(`batch-norm adaptation needs at least ${MIN_ADAPTATION_IMAGES} gradable photographs, the folder has ${first.gradable} of ${sample.length} examined`);
    }
    const saved = new Map<PackageNetwork, BatchNormStatistics[]>();
    for (const n of this.model.networks) saved.set(n, n.net.batchNormStatistics());
    this.#packageStatistics = saved;
    for (const n of this.#full) adaptBatchNorm(n.net, first.inputs.get(n)!, n.entry.tasks);
    let images = first.gradable;
    for (const stage of [this.#crops, this.#second]) {
      if (stage.length === 0) continue;
      const seen = await record(stage);
      for (const n of stage) {
        const crops = seen.inputs.get(n)!;
        if (crops.length >= MIN_ADAPTATION_IMAGES) adaptBatchNorm(n.net, crops, n.entry.tasks);
      }
      images = Math.min(images, seen.gradable);
    }
    this.#adaptation = { images };
    return this.#adaptation;
  }

  /** Back to the package's own batch-norm statistics. */
  resetAdaptation(): void {
    if (!this.#packageStatistics) return;
    for (const [n, stats] of this.#packageStatistics) n.net.updateBatchNormStatistics(stats, 1);
    this.#packageStatistics = null;
    this.#adaptation = null;
  }

  /** Tasks the package was trained for: only these appear in predictions. */
  get tasks(): readonly Task[] {
    return TASKS.filter((t) => this.#trained.has(t));
  }

  /**
   * Predicts one image file. `readOriginal`, when given, supplies the decoded
   * full-size photograph (a caller that needs it too, for an overlay, decodes
   * it once); otherwise it is decoded only if a disc-crop stage needs it.
   */
  async predictFile(file: string, options: PredictOptions, readOriginal?: () => Promise<RgbImage>): Promise<CasePrediction> {
    const input = await this.#codec.readLetterboxed(file, this.inputSize);
    return this.predictLetterboxed(input.image, input.original, readOriginal ?? (() => this.#codec.readRgb(file)), options, input.warnings);
  }

  /**
   * The pipeline on an image already letterboxed to the network size.
   * `readOriginal` gives the full-resolution image when a disc-crop stage needs it.
   */
  async predictLetterboxed(
    image: RgbImage,
    original: Size,
    readOriginal: () => Promise<RgbImage>,
    options: PredictOptions,
    inputWarnings: readonly string[] = [],
  ): Promise<CasePrediction> {
    const warnings = [...inputWarnings];
    let decoded: Promise<RgbImage> | null = null;
    const full = (): Promise<RgbImage> => (decoded ??= readOriginal());
    const lb = letterbox(original, this.inputSize);
    // One gain for the photograph, from its whole-image input, applied to every network input made from it.
    const reference = options.luminanceReference === undefined ? (this.#pre.luminanceReference ?? null) : options.luminanceReference;
    const gain = exposureGain(reference, reference === null ? 0 : fieldLuminance(image));
    const colour = colourBalance(image, options.colourReference ?? null);
    const expose = (input: RgbImage): RgbImage => scaleChannels(input, [gain * colour[0], gain * colour[1], gain * colour[2]]);
    const maps = await this.#runAll(this.#full, expose(image), options.tta);
    const t = this.#pre.threshold;
    let od = maps.od && this.#trained.has('od') ? largestComponent(mapToOriginalMask(lb, maps.od, t)) : emptyMask(original);
    let oc = maps.oc && this.#trained.has('oc') ? mapToOriginalMask(lb, maps.oc, t) : emptyMask(original);
    const disagreement = [...maps.disagreement];
    // The first pass's disc disagreement between the plain and flipped images (TTA only): a disc at a scale the
    // network does not know is found differently in the two.
    const firstDiscDisagreement = maps.discDisagreement ?? 0;
    let direct: { od: BinaryMask; oc: BinaryMask; disagreement: number[] } | null = null;
    // Said once the two-stage result is known to stand (a direct reading may replace it).
    let widerNote: string | null = null;
    // The first pass's disc was doubtful and the wider search found none: it stands on nothing but itself.
    let firstDiscUnconfirmed = false;
    if (this.#trained.has('od') && (options.wideSearch ?? true) && (needsWideSearch(od, original) || firstDiscDisagreement > WIDE_SEARCH_DISAGREEMENT)) {
      if ((options.directCrop ?? true) && this.#crops.length > 0) direct = await this.#directCrop(original, full, expose, options.tta);
      const wider = await this.#wideSearch(original, full, expose, options.tta);
      firstDiscUnconfirmed = wider === null;
      if (wider) {
        od = wider.od;
        oc = wider.oc;
        // The first pass's masks were set aside: its flip disagreement says nothing about the result.
        disagreement.splice(0, disagreement.length, ...wider.disagreement);
        widerNote = `disc found by the wider search (zoomed out ${wider.zoom}x)`;
      }
    }
    // How many entries the first crop stage added at the end of the disagreement (the second stage's replace them).
    let cropEntries = 0;
    let readAsCrop = false;
    // The first crop stage's probabilities and where they lie, for a second stage that averages them in.
    let firstStage: CropReading | null = null;
    if (this.#crops.length > 0 && area(od) > 0) {
      const refined = await this.#refineOnDiscCrop(this.#crops, od, original, full, expose, options.tta, options.cropEdges ?? 'black', null, this.#cupThreshold(this.#crops, options.cupThreshold));
      firstStage = refined.reading;
      od = refined.od;
      oc = refined.oc;
      disagreement.push(...refined.disagreement);
      cropEntries = refined.disagreement.length;
    }
    // The quality gate's measures of the photograph: its field also tells a disc crop from a camera's round field.
    const imageMeasures = measureImage(await full());
    const unconfirmedOnCrop = firstDiscUnconfirmed && imageMeasures.field >= ALL_FUNDUS_FIELD;
    if (direct && readAsDiscCrop(direct, { od, disagreement }, original, unconfirmedOnCrop)) {
      od = direct.od;
      oc = direct.oc;
      disagreement.splice(0, disagreement.length, ...direct.disagreement);
      readAsCrop = true;
      warnings.push('read as a disc crop (the disc fills much of the photograph)');
    } else if (widerNote) {
      warnings.push(widerNote);
    }
    // The second stage reads a crop cut around the first crop stage's disc, and its masks replace the first stage's:
    // so does its flip disagreement. Not on a photograph read as a disc crop: a crop twice its disc reaches past the
    // photograph's edges into black that the second stage never saw in training (cut from whole photographs), and
    // on the five cv101c3 fold models it read discs filling 67 % of the frame at OD 0.778 where the first stage's
    // direct reading stands at 0.834 (docs/robustness.md, "The three-network recipe").
    if (this.#second.length > 0 && area(od) > 0 && !readAsCrop) {
      const fusion = options.stageFusion ?? this.#pre.stageFusion ?? 'replace';
      const refined = await this.#refineOnDiscCrop(this.#second, od, original, full, expose, options.tta, options.cropEdges ?? 'black', fusion !== 'replace' && firstStage ? { with: firstStage, cup: fusion === 'average' } : null, this.#cupThreshold(this.#second, options.cupThreshold));
      if (area(refined.od) > 0) {
        od = refined.od;
        oc = refined.oc;
        disagreement.splice(disagreement.length - cropEntries, cropEntries, ...refined.disagreement);
      }
    }
    ({ od, oc } = shapeDiscAndCup(od, oc, options.shapePrior ?? this.#pre.shapePrior ?? 'none'));
    oc = largestComponent(constrainCupInsideDisc(od, oc));
    const disc = summarise(od);
    const cup = summarise(oc);
    if (this.#trained.has('od') && !disc.found) warnings.push('no optic disc found');
    const vcdr = cupToDiscRatio(cup.verticalDiameterPx, disc.verticalDiameterPx);
    const fovea = maps.fovea && this.#trained.has('fovea') ? this.#foveaPoint(maps.fovea, lb) : null;
    const uncertainty = options.tta && disagreement.length > 0 ? disagreement.reduce((a, b) => a + b, 0) / disagreement.length : null;
    const quality = qualityVerdict(imageMeasures, { discFound: disc.found || !this.#trained.has('od'), uncertainty });
    const manifest = this.model.manifest;
    const glaucoma = assessGlaucoma(
      { vcdrRegression: manifest.vcdrRegression ?? null, decision: manifest.decision ?? null },
      { network: this.#trained.has('glaucoma') ? maps.glaucoma : null, vcdr, measurements: disc.found ? discCupFeatures(od, oc) : null, gradable: quality.gradable, ungradableReason: describeQuality(quality) },
      options.decision,
    );
    return {
      summary: {
        width: original.width,
        height: original.height,
        glaucoma,
        vcdr,
        disc,
        cup,
        fovea,
        uncertainty,
        tasks: this.tasks,
        warnings,
        quality: { gradable: quality.gradable, reasons: [...quality.reasons], measures: { ...imageMeasures } },
      },
      od,
      oc,
      maps: { od: maps.od ?? emptyMap(this.inputSize), oc: maps.oc ?? emptyMap(this.inputSize), fovea: this.#trained.has('fovea') ? maps.fovea : null },
    };
  }

  /**
   * Runs the whole-image network on the photograph zoomed out into a larger black
   * frame and keeps the most confident disc of plausible size. The first pass is
   * not a competitor: it found nothing, or a disc larger than any it was trained
   * on. Null when no zoomed pass finds a disc (the first pass's result stands).
   */
  async #wideSearch(
    original: Size,
    full: () => Promise<RgbImage>,
    expose: (input: RgbImage) => RgbImage,
    tta: boolean,
  ): Promise<{ od: BinaryMask; oc: BinaryMask; zoom: number; disagreement: number[] } | null> {
    const size = this.inputSize;
    let best: { od: BinaryMask; oc: BinaryMask; zoom: number; confidence: number; disagreement: number[] } | null = null;
    const image = await full();
    for (const zoom of WIDE_SEARCH_ZOOMS) {
      const side = Math.round(Math.max(original.width, original.height) * zoom);
      const region: SquareCrop = { x0: Math.round((original.width - side) / 2), y0: Math.round((original.height - side) / 2), side };
      const maps = await this.#runAll(this.#full, expose(resampleRgbRegion(image, region, size)), tta);
      if (!maps.od) continue;
      const od = largestComponent(this.#regionMaskToOriginal(maps.od, region, original));
      if (area(od) === 0 || !plausibleDisc(od, original)) continue;
      const confidence = confidenceOf(maps.od, this.#pre.threshold);
      if (!best || confidence > best.confidence) {
        const oc = maps.oc ? this.#regionMaskToOriginal(maps.oc, region, original) : emptyMask(original);
        best = { od, oc, zoom, confidence, disagreement: maps.disagreement };
      }
    }
    return best;
  }

  #foveaPoint(map: FloatMap, lb: Letterbox): Point | null {
    const p = foveaFromHeatmap(map, this.#pre.foveaLocation, this.#pre.foveaSigmaPx);
    if (!p) return null;
    const o = toOriginal(lb, p);
    // A fovea in the black padding is not a fovea.
    if (o.x < 0 || o.y < 0 || o.x > lb.original.width - 1 || o.y > lb.original.height - 1) return null;
    return o;
  }

  /** A crop stage: re-segment disc and cup with `networks` on a square crop around the disc found so far. */
  async #refineOnDiscCrop(
    networks: readonly PackageNetwork[],
    od: BinaryMask,
    original: Size,
    readOriginal: () => Promise<RgbImage>,
    expose: (input: RgbImage) => RgbImage,
    tta: boolean,
    edges: RegionEdges,
    average: { readonly with: CropReading; readonly cup: boolean } | null = null,
    cupThreshold = this.#pre.threshold,
  ): Promise<{ od: BinaryMask; oc: BinaryMask; disagreement: number[]; reading: CropReading | null }> {
    const network = networks[0]!;
    if (network.entry.input.kind !== 'disc-crop') throw new Error(`network ${network.entry.id} does not read disc crops`);
    const crop = discRegion(od, network.entry.input, original);
    if (!crop) return { od, oc: emptyMask(original), disagreement: [], reading: null };
    const full = await readOriginal();
    const size = network.net.config.inputSize;
    const input = expose(resampleRgbRegion(full, crop, size, edges));
    const maps = await this.#runAll(networks, input, tta);
    // The other stage's probabilities, brought into this crop, weigh as much as these.
    const fused = (map: FloatMap | null, other: FloatMap | null): FloatMap | null => {
      if (!map || !other || !average) return map;
      const theirs = resampleMapBetweenRegions(other, average.with.crop, crop, map.width);
      return { ...map, data: map.data.map((v, i) => (v + theirs.data[i]!) / 2) };
    };
    const odMap = fused(maps.od, average?.with.od ?? null);
    const ocMap = average?.cup ? fused(maps.oc, average.with.oc) : maps.oc;
    const back = (map: FloatMap | null, threshold = this.#pre.threshold): BinaryMask => (map ? this.#regionMaskToOriginal(map, crop, original, threshold) : emptyMask(original));
    return { od: largestComponent(back(odMap)), oc: back(ocMap, cupThreshold), disagreement: maps.disagreement, reading: { crop, od: maps.od, oc: maps.oc } };
  }

  /**
   * The disc-crop network on the whole photograph, letterboxed: a photograph that
   * already is a tight disc crop shows the disc at about the scale that network was
   * trained on. Null when it finds no disc of plausible size.
   */
  async #directCrop(
    original: Size,
    readOriginal: () => Promise<RgbImage>,
    expose: (input: RgbImage) => RgbImage,
    tta: boolean,
  ): Promise<{ od: BinaryMask; oc: BinaryMask; disagreement: number[] } | null> {
    const region = letterboxRegion(original);
    const maps = await this.#runAll(this.#crops, expose(resampleRgbRegion(await readOriginal(), region, this.#crops[0]!.net.config.inputSize)), tta);
    if (!maps.od) return null;
    const od = largestComponent(this.#regionMaskToOriginal(maps.od, region, original));
    if (area(od) === 0 || !plausibleDisc(od, original)) return null;
    const oc = maps.oc ? this.#regionMaskToOriginal(maps.oc, region, original, this.#cupThreshold(this.#crops)) : emptyMask(original);
    return { od, oc, disagreement: maps.disagreement };
  }

  /**
   * The probability at which a crop stage's cup is drawn: the benchmark's override, else the stage's network's own
   * (one trained on the experts' agreement answers a share of experts, not the consensus), else the package's.
   */
  #cupThreshold(networks: readonly PackageNetwork[], override?: number): number {
    return override ?? networks[0]?.entry.cupThreshold ?? this.#pre.threshold;
  }

  /**
   * A network-sized probability map of a square region of the photograph (a disc
   * crop, a zoomed-out frame) thresholded and placed back in the photograph's pixels.
   */
  #regionMaskToOriginal(map: FloatMap, region: SquareCrop, original: Size, threshold = this.#pre.threshold): BinaryMask {
    const box = letterbox({ width: region.side, height: region.side }, map.width);
    return pasteCropMask(mapToOriginalMask(box, map, threshold), region, original);
  }

  /**
   * Runs each network and averages every task's probabilities over the networks
   * that have it (one network: its own). With TTA the plain and flipped passes are
   * averaged separately first, so the flip disagreement is that of the ensemble's
   * own prediction, on the same scale as a single network's.
   */
  async #runAll(networks: readonly PackageNetwork[], image: RgbImage, tta: boolean): Promise<NetworkMaps> {
    const all: RawOutputs[] = [];
    for (const n of networks) all.push(await this.#run(n, image, tta));
    const size = networks[0]!.net.config.inputSize;
    const mean = (task: Task, pass: 'plain' | 'flipped'): Float32Array | null => {
      const have = all.flatMap((o) => {
        const values = o[task]?.[pass];
        return values ? [values] : [];
      });
      if (have.length === 0) return null;
      if (have.length === 1) return have[0]!;
      const out = new Float32Array(have[0]!.length);
      for (const values of have) for (let i = 0; i < out.length; i++) out[i]! += values[i]! / have.length;
      return out;
    };
    const disagreement: number[] = [];
    let discDisagreement: number | null = null;
    const combine = (task: 'od' | 'oc' | 'fovea'): FloatMap | null => {
      const plain = mean(task, 'plain');
      if (!plain) return null;
      const flipped = mean(task, 'flipped');
      if (!flipped) return { width: size, height: size, data: plain };
      if (task !== 'fovea') {
        const d = 1 - binaryDice(plain, flipped);
        disagreement.push(d);
        if (task === 'od') discDisagreement = d;
      }
      const both = new Float32Array(plain.length);
      for (let i = 0; i < both.length; i++) both[i] = (plain[i]! + flipped[i]!) / 2;
      return { width: size, height: size, data: both };
    };
    const od = combine('od');
    const oc = combine('oc');
    const fovea = combine('fovea');
    const g = mean('glaucoma', 'plain');
    const gFlipped = mean('glaucoma', 'flipped');
    if (g && gFlipped) disagreement.push(Math.abs(g[0]! - gFlipped[0]!));
    const glaucoma = g ? (gFlipped ? (g[0]! + gFlipped[0]!) / 2 : g[0]!) : null;
    return { od, oc, fovea, glaucoma, disagreement, discDisagreement };
  }

  /** Runs one network on one size x size image (and its mirror image with TTA, mapped back). */
  async #run(network: PackageNetwork, image: RgbImage, tta: boolean): Promise<RawOutputs> {
    this.#recording?.get(network)?.push(image);
    const size = network.net.config.inputSize;
    const tasks = network.entry.tasks.filter((t) => this.#trained.has(t));
    const outputs = tf.tidy(() => {
      let x = tf.div(tf.tensor4d(image.data, [1, size, size, 3], 'float32'), 255) as tf.Tensor4D;
      if (tta) x = tf.concat([x, tf.reverse(x, 2)], 0);
      const logits = network.net.forward(x, { training: false, tasks });
      const out: Partial<Record<Task, tf.Tensor>> = {};
      for (const task of tasks) {
        const p = tf.sigmoid(logits[task]!);
        out[task] = tta && task !== 'glaucoma' ? tf.concat([tf.slice(p, [0], [1]), tf.reverse(tf.slice(p, [1], [1]), 2)], 0) : p;
      }
      return out;
    });
    const raw: RawOutputs = {};
    try {
      for (const task of tasks) {
        const values = (await outputs[task]!.data()) as Float32Array;
        const half = values.length / 2;
        raw[task] = tta ? { plain: values.subarray(0, half), flipped: values.subarray(half) } : { plain: values, flipped: null };
      }
    } finally {
      tf.dispose(Object.values(outputs));
    }
    return raw;
  }

  dispose(): void {
    for (const stats of this.#packageStatistics?.values() ?? []) tf.dispose(stats.flatMap((s) => [s.mean, s.variance]));
    this.model.dispose();
  }
}

function binaryDice(a: Float32Array, b: Float32Array): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! >= 0.5;
    const y = b[i]! >= 0.5;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

function summarise(mask: BinaryMask): StructureSummary {
  const box = boundingBox(mask);
  const px = area(mask);
  return { found: px > 0, areaPx: px, verticalDiameterPx: verticalDiameter(mask), box };
}

function emptyMask(size: Size): BinaryMask {
  return { width: size.width, height: size.height, data: new Uint8Array(size.width * size.height) };
}

function emptyMap(size: number): FloatMap {
  return { width: size, height: size, data: new Float32Array(size * size) };
}

/** The disc is missing or larger than the whole-image network's training scales. */
export function needsWideSearch(od: BinaryMask, original: Size): boolean {
  return area(od) === 0 || verticalDiameter(od) > WIDE_SEARCH_DISC_FRACTION * Math.min(original.width, original.height);
}

/**
 * Whether the whole photograph read by the disc-crop network replaces the usual
 * two-stage result: when the two stages found no disc, when the disc-crop network
 * sees a disc larger than any it was trained on (the two-stage crop around it would
 * reach far past the photograph's edges), when the two-stage result is too
 * uncertain to grade and the direct reading is less so, or when the two stages
 * stand on a doubtful first disc that no zoomed-out view confirmed on a
 * photograph that is fundus from edge to edge (`unconfirmedOnCrop`).
 */
export function readAsDiscCrop(
  direct: { readonly od: BinaryMask; readonly disagreement: readonly number[] },
  twoStage: { readonly od: BinaryMask; readonly disagreement: readonly number[] },
  original: Size,
  unconfirmedOnCrop = false,
): boolean {
  if (area(twoStage.od) === 0) return true;
  // The whole-image network's disc was doubtful (a speck, or its flipped pass disagreed), no zoomed-out view found
  // one, and the photograph is fundus from edge to edge: a tight disc crop, on which that network settles on a speck
  // the crop stages then read around. On a full photograph the same doubt is no evidence of a crop (the direct
  // reading there reports a disc of its training size), so it needs the field (docs/robustness.md, "A doubtful disc on
  // a photograph that is fundus edge to edge").
  if (unconfirmedOnCrop) return true;
  if (verticalDiameter(direct.od) / Math.min(original.width, original.height) >= DIRECT_CROP_MIN_DISC) return true;
  const mean = (v: readonly number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
  // Certainty alone is no evidence: on a full photograph the crop network reads a disc of its training size with
  // little flip disagreement (a fold model read a 50 % disc where the two stages found the 17 % one, OD Dice 0.82 -> 0.30).
  // So the two readings must also agree on the disc's size, within DIRECT_CROP_SIZE_AGREEMENT.
  const sizes = verticalDiameter(direct.od) / verticalDiameter(twoStage.od);
  const sameDisc = sizes <= DIRECT_CROP_SIZE_AGREEMENT && sizes >= 1 / DIRECT_CROP_SIZE_AGREEMENT;
  return sameDisc && mean(twoStage.disagreement) > DEFAULT_QUALITY_THRESHOLDS.maxUncertainty && mean(direct.disagreement) < mean(twoStage.disagreement);
}

/** A disc spans between 3 % and 90 % of the image's shorter side. */
function plausibleDisc(od: BinaryMask, original: Size): boolean {
  const d = verticalDiameter(od) / Math.min(original.width, original.height);
  return d >= 0.03 && d <= 0.9;
}

/** Mean probability over the pixels called disc: how sure the pass is of what it found. */
function confidenceOf(map: FloatMap, t: number): number {
  let sum = 0;
  let n = 0;
  for (const p of map.data) {
    if (p >= t) {
      sum += p;
      n++;
    }
  }
  return n ? sum / n : 0;
}
