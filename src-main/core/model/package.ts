// A model package is a folder that carries everything about a model, so that
// nothing about it lives only in code: the weights of each network, its
// architecture, the exact pre-processing, the tasks it was trained for, the
// vCDR regression, where its data came from, how it was trained and how it
// scored. Written atomically; read with every field validated and every weight
// file checked against its hash, so a damaged package is refused with a clear
// message instead of predicting nonsense.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DecisionModelSchema, domainEvidence, type DecisionModel } from '../decision/model';
import { InputError } from '../errors';
import { writeDirAtomic, writeJsonAtomic } from '../fs/atomic';
import { checkJson, readJsonFile } from '../fs/json-file';
import { SHAPE_PRIOR_WORDS, SHAPE_PRIORS, type ShapePrior } from '../masks/shape-prior';
import { TASKS, type Task } from '../types';
import { ArchConfigSchema, resolveArchConfig, type ArchConfig } from './config';
import { MultiTaskUNet } from './network';
import { foveaSigma } from './tasks';
import { decodeTensors, encodeTensors, type WeightDtype } from './weights-io';

export const MODEL_FORMAT = 'glaucoma-studio-model';
/**
 * The newest format this app reads and writes. Version 2 adds the second disc-crop
 * stage (NetworkInput `stage: 2`); a package without one is still written as version 1,
 * so older apps keep reading it. One with one must not be read by an app that would
 * average its two crop networks as an ensemble: they refuse version 2 as newer.
 */
export const MODEL_FORMAT_VERSION = 5;
/**
 * The version a package needs: 5 when a network draws its cup at its own probability (NetworkEntry.cupThreshold),
 * 4 when it shapes its disc and cup (preprocessing.shapePrior), 3 when its second crop stage is averaged with the
 * first (preprocessing.stageFusion); an older app would read any of these as absent and give other answers, so it
 * must refuse it. 2 with a second crop stage, 1 otherwise.
 */
export function formatVersionFor(m: {
  readonly networks: readonly { readonly input: NetworkInput; readonly cupThreshold?: number }[];
  readonly preprocessing: Preprocessing;
}): 1 | 2 | 3 | 4 | 5 {
  if (m.networks.some((n) => n.cupThreshold !== undefined)) return 5;
  if (m.preprocessing.shapePrior !== undefined) return 4;
  if (averagesStages(m.preprocessing.stageFusion)) return 3;
  return hasSecondCropStage(m.networks) ? 2 : 1;
}

/** Whether networks include a second disc-crop stage (one a fusion other than 'replace' can average with the first). */
export function hasSecondCropStage(networks: readonly { readonly input: NetworkInput }[]): boolean {
  return networks.some((n) => cropStageOf(n.input) === 2);
}

/** Whether a package's fusion brings anything of the first crop stage in (absent: 'replace', it does not). */
export function averagesStages(fusion: StageFusion | undefined): fusion is Exclude<StageFusion, 'replace'> {
  return fusion !== undefined && fusion !== 'replace';
}

/** The pre-processing reading with `prior`; 'none' is what a package without the field does, so it is not written. */
export function withShapePrior(preprocessing: Preprocessing, prior: ShapePrior): Preprocessing {
  const { shapePrior: _old, ...rest } = preprocessing;
  return prior === 'none' ? rest : { ...rest, shapePrior: prior };
}

/** The pre-processing reading with `fusion`; 'replace' is what a package without the field does, so it is not written (an older app still reads it). */
export function withStageFusion(preprocessing: Preprocessing, fusion: StageFusion): Preprocessing {
  const { stageFusion: _old, ...rest } = preprocessing;
  return averagesStages(fusion) ? { ...rest, stageFusion: fusion } : rest;
}

/**
 * How a second disc-crop stage's reading becomes the result: 'replace' (its disc and cup stand alone), 'average'
 * (its probabilities averaged with the first crop stage's, brought into its crop, before thresholding) or
 * 'average-disc' (the disc averaged so, the cup the second stage's own).
 */
export const STAGE_FUSIONS = ['replace', 'average', 'average-disc'] as const;
export type StageFusion = (typeof STAGE_FUSIONS)[number];
export const isStageFusion = (value: string): value is StageFusion => (STAGE_FUSIONS as readonly string[]).includes(value);
export const MANIFEST_FILE = 'model.json';

const TaskSchema = z.enum(TASKS);

const WeightEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'float16']),
  offset: z.number().int().nonnegative(),
  byteLength: z.number().int().nonnegative(),
});

/** Where a network looks: the whole letterboxed image, or a square crop around the disc found by an earlier network. */
const NetworkInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full-image') }),
  z.object({
    kind: z.literal('disc-crop'),
    /** Crop side = this many times the detected disc's larger diameter. */
    cropScale: z.number().positive(),
    /** Smallest crop side as a fraction of the image side (guards against a tiny false disc). */
    minSideFraction: z.number().positive().max(1),
    /**
     * 2: a second crop stage, cut around the disc the first (the disc-crop networks
     * without a stage) found. The first places and sizes the crop; the second, e.g. a
     * polar network that reads a disc of its training size whatever it is shown,
     * gives the final disc and cup. Absent: the first stage.
     */
    stage: z.literal(2).optional(),
  }),
]);
export type NetworkInput = z.infer<typeof NetworkInputSchema>;

/** Which disc-crop stage a network reads (1 or 2), or null for a whole-image network. */
export function cropStageOf(input: NetworkInput): 1 | 2 | null {
  return input.kind === 'disc-crop' ? (input.stage ?? 1) : null;
}

const NetworkEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  tasks: z.array(TaskSchema).min(1),
  architecture: ArchConfigSchema,
  input: NetworkInputSchema,
  /**
   * The probability at which this network's cup is drawn (absent: preprocessing.threshold). A network trained on the
   * share of experts who drew each pixel cup (`train --crop-polar-cup-target agreement`) answers that share, so the
   * cut that draws the experts' consensus is its own (run-training.ts, AGREEMENT_CUP_THRESHOLD). Needs format version 5.
   */
  cupThreshold: z.number().gt(0).lt(1).optional(),
  weights: z.object({
    file: z
      .string()
      .regex(/^[\w.-]+$/, 'a plain file name inside the package')
      .refine((name) => name !== '.' && name !== '..', 'a plain file name inside the package, not "." or ".."'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    entries: z.array(WeightEntrySchema),
  }),
});
export type NetworkEntry = z.infer<typeof NetworkEntrySchema>;

const PreprocessingSchema = z.object({
  /** Pad to a square with black, centred (floor of half the difference before), then resize. */
  padToSquare: z.literal(true),
  resize: z.literal('bilinear'),
  /** Network input = RGB / 255; no mean/std normalisation (as the paper). */
  inputScale: z.literal('rgb/255'),
  channelOrder: z.literal('RGB'),
  maskConvention: z.literal('refuge-0-128-255'),
  threshold: z.number().gt(0).lt(1),
  postprocess: z.literal('largest-connected-component'),
  /** Gaussian sigma of the fovea target, in network-input pixels. */
  foveaSigmaPx: z.number().positive(),
  /** 'centre-of-mass' is the paper's rule; 'peak-centre-of-mass' restricts it to 3 sigma around the peak. */
  foveaLocation: z.enum(['centre-of-mass', 'peak-centre-of-mass']),
  /**
   * Test-time exposure normalisation: every network input is scaled so the mean
   * luminance of its illuminated field is this value (the training photographs'
   * median), for cameras that expose brighter or darker. Absent: inputs as decoded.
   */
  luminanceReference: z.number().positive().max(255).optional(),
  /**
   * How the second disc-crop stage's reading becomes the result (absent: 'replace'). 'average' needs format
   * version 3 and a second stage. Measured in docs/robustness.md, "Two polar networks and the crop stages averaged".
   */
  stageFusion: z.enum(STAGE_FUSIONS).optional(),
  /**
   * The shape prior applied to disc and cup after the last segmentation stage (absent: none; masks/shape-prior.ts).
   * Needs format version 4. Measured in docs/robustness.md, "The disc and cup as their convex hulls".
   */
  shapePrior: z.enum(SHAPE_PRIORS).exclude(['none']).optional(),
});
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

const VcdrRegressionSchema = z.object({
  /** P(glaucoma) = 1 / (1 + exp(-(intercept + slope * vCDR))). */
  intercept: z.number(),
  slope: z.number(),
  fittedOn: z.string(),
  samples: z.number().int().positive(),
});
export type VcdrRegression = z.infer<typeof VcdrRegressionSchema>;

const DataCardSchema = z.object({
  source: z.string(),
  licence: z.string(),
  intendedUse: z.string(),
  images: z.number().int().nonnegative(),
  labels: z.partialRecord(TaskSchema, z.number().int().nonnegative()),
  notes: z.string().optional(),
});
export type DataCard = z.infer<typeof DataCardSchema>;

/** How a model scored on data it did not train on. */
const ValidationRecordSchema = z.object({
  /** On what data and by what protocol, in words ("5-fold cross-validation on 50 Drishti-GS1 training images"). */
  note: z.string(),
  /** Mean values: odDice, ocDice, vcdrMae, auc, aucNetwork, aucVcdr, sensitivityAt85, foveaErrorPx. */
  metrics: z.record(z.string(), z.number().nullable()),
  /** Standard deviations across folds, when there were folds. */
  sd: z.record(z.string(), z.number().nullable()).optional(),
  /** Per-fold values. */
  folds: z.array(z.record(z.string(), z.number().nullable())).optional(),
  /** Another model scored on the same data (a fine-tuned model's parent), for comparison. */
  baseline: z.object({ modelId: z.string(), metrics: z.record(z.string(), z.number().nullable()) }).optional(),
});
export type ValidationRecord = z.infer<typeof ValidationRecordSchema>;

export const ModelManifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(MODEL_FORMAT_VERSION)]),
  id: z.string().min(1),
  name: z.string().min(1),
  createdAt: z.string(),
  description: z.string().optional(),
  /** Tasks that had labels in training; the app shows nothing for the others. */
  trainedTasks: z.array(TaskSchema),
  networks: z.array(NetworkEntrySchema).min(1),
  preprocessing: PreprocessingSchema,
  vcdrRegression: VcdrRegressionSchema.nullable(),
  /**
   * The glaucoma decision rule chosen by cross-validation, with its operating point
   * (absent in packages made before it existed: they use the paper's rule).
   */
  decision: DecisionModelSchema.nullable().optional(),
  dataCard: DataCardSchema,
  /** The resolved training configuration (strategy, epochs, batch, lr, seed, backend...). */
  training: z.record(z.string(), z.unknown()),
  /** Metrics on data the model did not train on, with a note saying which data. */
  validation: ValidationRecordSchema.nullable(),
  parent: z.string().nullable(),
}).superRefine((m, ctx) => {
  const needed = formatVersionFor(m);
  if (m.formatVersion < needed) {
    const why =
      needed === 5 ? 'a package with a network that draws its cup at its own probability' : needed === 4 ? 'a package that shapes its disc and cup' : needed === 3 ? 'a package whose crop stages are averaged' : 'a package with a second disc-crop stage';
    ctx.addIssue({ code: 'custom', path: ['formatVersion'], message: `${why} must be format version ${needed}` });
  }
  const stages = new Set(m.networks.map((n) => cropStageOf(n.input)));
  if (stages.has(2) && !stages.has(1)) {
    ctx.addIssue({ code: 'custom', path: ['networks'], message: 'a second disc-crop stage needs a first one to place its crop' });
  }
  if (averagesStages(m.preprocessing.stageFusion) && !stages.has(2)) {
    ctx.addIssue({ code: 'custom', path: ['preprocessing', 'stageFusion'], message: `'${m.preprocessing.stageFusion}' needs a second disc-crop stage to average with the first` });
  }
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export function defaultPreprocessing(inputSize: number): Preprocessing {
  return {
    padToSquare: true,
    resize: 'bilinear',
    inputScale: 'rgb/255',
    channelOrder: 'RGB',
    maskConvention: 'refuge-0-128-255',
    threshold: 0.5,
    postprocess: 'largest-connected-component',
    foveaSigmaPx: foveaSigma(inputSize),
    foveaLocation: 'peak-centre-of-mass',
  };
}

/** A network of a package, ready to run. */
export interface PackageNetwork {
  readonly entry: NetworkEntry;
  readonly net: MultiTaskUNet;
}

/** A loaded package: its manifest and networks. Owns the weights: call dispose(). */
export interface LoadedModel {
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly networks: readonly PackageNetwork[];
  dispose(): void;
}

/** What saveModelPackage needs besides the networks. */
export type ManifestFields = Omit<ModelManifest, 'format' | 'formatVersion' | 'networks'>;

export interface NetworkToSave {
  readonly id: string;
  readonly tasks: readonly Task[];
  readonly input: NetworkInput;
  readonly net: MultiTaskUNet;
  /** The probability at which its cup is drawn, when not the package's threshold (NetworkEntry.cupThreshold). */
  readonly cupThreshold?: number;
}

/**
 * Writes a package folder atomically (a complete new folder replaces any old
 * one in a single rename). Weights are stored as `dtype` (float16 halves the
 * size; predictions move by far less than the 0.5 threshold's resolution).
 */
export async function saveModelPackage(dir: string, fields: ManifestFields, networks: readonly NetworkToSave[], dtype: WeightDtype = 'float32'): Promise<ModelManifest> {
  let manifest: ModelManifest | undefined;
  await writeDirAtomic(dir, (tmp) => {
    const entries: NetworkEntry[] = networks.map((n) => {
      const values = n.net.params.snapshot();
      try {
        const { data, entries: weightEntries } = encodeTensors(values, dtype);
        const file = `${n.id}.weights.bin`;
        fs.writeFileSync(path.join(tmp, file), data);
        return {
          id: n.id,
          tasks: [...n.tasks],
          architecture: { ...n.net.config },
          input: n.input,
          ...(n.cupThreshold !== undefined ? { cupThreshold: n.cupThreshold } : {}),
          weights: { file, sha256: sha256(data), entries: weightEntries.map((w) => ({ ...w, shape: [...w.shape] })) },
        };
      } finally {
        for (const t of values.values()) t.dispose();
      }
    });
    manifest = ModelManifestSchema.parse({ ...fields, format: MODEL_FORMAT, formatVersion: formatVersionFor({ networks: entries, preprocessing: fields.preprocessing }), networks: entries });
    writeJsonAtomic(path.join(tmp, MANIFEST_FILE), manifest);
    fs.writeFileSync(path.join(tmp, 'README.md'), describeModel(manifest));
  });
  return manifest!;
}

/**
 * Writes a copy of the package at `srcDir` to `outDir` (atomically; `outDir` may be
 * `srcDir`) with manifest fields replaced: the glaucoma decision model, the
 * pre-processing, the data card. Weights are copied byte for byte and re-checked against their
 * hashes, so a damaged package is refused.
 */
export async function rewritePackage(srcDir: string, outDir: string, patch: Partial<Pick<ModelManifest, 'decision' | 'preprocessing' | 'dataCard' | 'validation'>>): Promise<ModelManifest> {
  const source = readManifest(srcDir);
  const patched = { ...source, ...patch };
  const manifest = ModelManifestSchema.parse({ ...patched, formatVersion: formatVersionFor(patched) });
  await writePackageDir(outDir, manifest, readCheckedWeights(srcDir, source));
  return manifest;
}

/** A weights file's bytes under the name a package's model.json gives it. */
export interface WeightsFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/** The package's weights files, each checked against its hash in model.json (a damaged package is refused). */
export function readCheckedWeights(dir: string, manifest: ModelManifest): WeightsFile[] {
  return manifest.networks.map((n) => {
    const file = path.join(dir, n.weights.file);
    const data = fs.readFileSync(file);
    if (sha256(data) !== n.weights.sha256) throw new InputError(file, 'weights do not match the hash in model.json (the package is damaged)');
    return { name: n.weights.file, data };
  });
}

/** Writes a package folder atomically from a manifest and its weights files' bytes (copied, not re-encoded), with its README. */
export async function writePackageDir(outDir: string, manifest: ModelManifest, weights: readonly WeightsFile[]): Promise<void> {
  await writeDirAtomic(outDir, (tmp) => {
    for (const w of weights) fs.writeFileSync(path.join(tmp, w.name), w.data);
    writeJsonAtomic(path.join(tmp, MANIFEST_FILE), manifest);
    fs.writeFileSync(path.join(tmp, 'README.md'), describeModel(manifest));
  });
}

/** Reads and validates a manifest without loading weights. Throws InputError naming the file and the field. */
export function readManifest(dir: string): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(dir)) throw new InputError(dir, 'model package folder not found');
  if (!fs.existsSync(file)) throw new InputError(dir, `not a model package: ${MANIFEST_FILE} is missing`);
  assertRegularFile(file, MANIFEST_FILE);
  const json = readJsonFile(file);
  // A newer format is said as such, before its new fields read as invalid ones.
  const format = (json as { format?: unknown; formatVersion?: unknown } | null) ?? {};
  if (format.format === MODEL_FORMAT && typeof format.formatVersion === 'number' && format.formatVersion > MODEL_FORMAT_VERSION) {
    throw new InputError(file, `model format version ${format.formatVersion} is newer than this app understands (${MODEL_FORMAT_VERSION}); update Glaucoma Studio`);
  }
  return checkJson(file, json, ModelManifestSchema, 'model manifest');
}

/**
 * A package file must be a regular file before it is read: a FIFO would block the read forever,
 * a folder would fail with a bare EISDIR.
 */
function assertRegularFile(file: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError(file, `${what} missing from the model package`);
  }
  if (stat.isDirectory()) throw new InputError(file, `${what} is a folder, not a file; the model package is damaged`);
  if (!stat.isFile()) throw new InputError(file, `${what} is not a regular file (a FIFO, socket or device); the model package is damaged`);
}

/**
 * Checks a package without loading it into TensorFlow (the app's main process
 * never does): the manifest, and every network's weights file present, a regular
 * file, matching its SHA-256 and large enough for the tensors it lists. Throws
 * an InputError naming the file and the problem.
 */
export function verifyModelPackage(dir: string): ModelManifest {
  const manifest = readManifest(dir);
  for (const entry of manifest.networks) {
    const file = path.join(dir, entry.weights.file);
    assertRegularFile(file, `weights file ${entry.weights.file}`);
    const data = fs.readFileSync(file);
    if (sha256(data) !== entry.weights.sha256) throw new InputError(file, 'weights file is damaged (its SHA-256 does not match model.json)');
    const end = Math.max(0, ...entry.weights.entries.map((w) => w.offset + w.byteLength));
    if (end > data.length) throw new InputError(file, `weights file is too short: model.json lists tensors up to byte ${end}, the file has ${data.length}`);
  }
  return manifest;
}

/** The files of a package: model.json, each network's weights and the README when there is one. */
export function packageFiles(dir: string, manifest: ModelManifest): string[] {
  const files = [MANIFEST_FILE, ...manifest.networks.map((n) => n.weights.file)];
  if (fs.existsSync(path.join(dir, 'README.md'))) files.push('README.md');
  return [...new Set(files)];
}

/** Loads a package: manifest, then every network's weights (hash-checked). */
export function loadModelPackage(dir: string): LoadedModel {
  const manifest = readManifest(dir);
  const networks: PackageNetwork[] = [];
  try {
    for (const entry of manifest.networks) {
      const file = path.join(dir, entry.weights.file);
      assertRegularFile(file, 'weights file');
      const data = new Uint8Array(fs.readFileSync(file));
      if (sha256(data) !== entry.weights.sha256) {
        throw new InputError(file, 'weights file is damaged (its SHA-256 does not match model.json)');
      }
      let values;
      try {
        values = decodeTensors(data, entry.weights.entries, file);
      } catch (error) {
        throw new InputError(file, error instanceof Error ? error.message.replace(`${file}: `, '') : String(error));
      }
      let arch: ArchConfig;
      try {
        arch = resolveArchConfig(entry.architecture);
        // The warp turns around the input's centre: only a crop centred on the disc has one that means anything.
        if (arch.polar && entry.input.kind !== 'disc-crop') throw new Error(`polar: only a disc-crop network can be polar, this one reads ${entry.input.kind} input`);
      } catch (error) {
        tfDisposeAll(values);
        throw new InputError(path.join(dir, MANIFEST_FILE), `network "${entry.id}": ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        networks.push({ entry, net: MultiTaskUNet.fromWeights(arch, values) });
      } catch (error) {
        tfDisposeAll(values);
        throw new InputError(file, error instanceof Error ? error.message : String(error));
      }
    }
  } catch (error) {
    for (const n of networks) n.net.dispose();
    throw error;
  }
  return {
    dir,
    manifest,
    networks,
    dispose() {
      for (const n of networks) n.net.dispose();
    },
  };
}

function tfDisposeAll(values: Map<string, { dispose(): void }>): void {
  for (const v of values.values()) v.dispose();
}

function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** How a package's photographs are read beyond its networks: exposure, the crop stages' fusion, the shape prior. */
export function describeReading(p: Preprocessing): string[] {
  return [
    `Exposure normalisation: ${p.luminanceReference === undefined ? 'none (inputs as decoded)' : `every input scaled to a field luminance of ${p.luminanceReference.toFixed(1)} (the training photographs' median)`}`,
    ...(p.stageFusion === 'average' ? ["Crop stages: the second stage's disc and cup probabilities averaged with the first's before thresholding"] : []),
    ...(p.stageFusion === 'average-disc' ? ["Crop stages: the second stage's disc probabilities averaged with the first's before thresholding; its cup its own"] : []),
    ...(p.shapePrior ? [`Shape prior: ${SHAPE_PRIOR_WORDS[p.shapePrior]}, after the last segmentation stage`] : []),
  ];
}

/** The package's README: the data card and what the model is for, for people who open the folder. */
export function describeModel(m: ModelManifest): string {
  const lines = [
    `# ${m.name}`,
    '',
    m.description ?? '',
    '',
    `- Model id: ${m.id} (parent: ${m.parent ?? 'none'})`,
    `- Created: ${m.createdAt}`,
    `- Trained tasks: ${m.trainedTasks.join(', ') || 'none'}`,
    `- Networks: ${m.networks.map((n) => `${n.id} (${n.architecture.variant}, width ${n.architecture.width}, ${n.architecture.inputSize}px, ${n.input.kind}${cropStageOf(n.input) === 2 ? ' (second stage)' : ''}${n.architecture.polar ? ', polar' : ''}${n.cupThreshold !== undefined ? `, cup drawn at ${n.cupThreshold}` : ''}; tasks ${n.tasks.join(', ')})`).join('; ')}`,
    ...describeReading(m.preprocessing).map((line) => `- ${line}`),
    `- vCDR regression: ${m.vcdrRegression ? `P = sigmoid(${m.vcdrRegression.intercept.toFixed(3)} + ${m.vcdrRegression.slope.toFixed(3)} * vCDR), fitted on ${m.vcdrRegression.fittedOn}` : 'none'}`,
    '',
    '## Data card',
    `- Source: ${m.dataCard.source}`,
    `- Licence terms: ${m.dataCard.licence}`,
    `- Intended use: ${m.dataCard.intendedUse}`,
    `- Images: ${m.dataCard.images}; labels: ${Object.entries(m.dataCard.labels).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    m.dataCard.notes ? `- Notes: ${m.dataCard.notes}` : '',
    '',
    '## Glaucoma decision',
    ...describeDecision(m.decision ?? null),
    '',
    '## Validation',
    m.validation ? '```json\n' + JSON.stringify(m.validation, null, 2) + '\n```' : 'none recorded',
    '',
  ];
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

/** A package without a decision model decides by the paper's rule, in one sentence. */
export const PAPER_RULE_SENTENCE = "The paper's rule: the mean of the network's glaucoma output and the vCDR regression, glaucoma at 0.5 (no decision model was fitted).";

/** A decision model's facts, each one sentence: the parts a short summary (`info`, the model list) picks from. */
export interface DecisionSentences {
  readonly rule: string;
  readonly auc: string;
  readonly operatingPoint: string;
  readonly calibration: string;
  readonly measuredOn: string;
  /** Where it decides; null for a package without a validated field of view. */
  readonly domain: string | null;
}

/** A figure with its 95 % interval, each number written by `f`. */
const withInterval = (i: { value: number; low: number; high: number }, f: (v: number) => string): string => `${f(i.value)} (95 % CI ${f(i.low)}-${f(i.high)})`;
const threeDecimals = (v: number): string => v.toFixed(3);

export function decisionSentences(d: DecisionModel): DecisionSentences {
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  const op = d.operatingPoint;
  return {
    rule: `Rule: ${d.label} (\`${d.id}\`), chosen by cross-validation among ${d.selection.candidates.length} candidates.`,
    auc: `Cross-validated AUC: ${withInterval(d.validation.auc, threeDecimals)} on ${d.validation.cases} cases (${d.validation.positives} glaucoma); nested cross-validation of the choice: ${d.selection.nestedAuc === null ? 'n/a' : d.selection.nestedAuc.toFixed(3)}.`,
    operatingPoint: `Operating point: glaucoma when P >= ${op.threshold.toFixed(3)}, fitted for specificity ${pct(op.targetSpecificity)}${op.rule === 'harrell-davis' ? " (the normal eyes' estimated quantile, Harrell-Davis)" : ''}: expected sensitivity ${withInterval(op.sensitivity, pct)}, specificity ${withInterval(op.specificity, pct)}.`,
    calibration: `Calibration: Brier score ${d.validation.brier.toFixed(3)}, expected calibration error ${d.validation.ece.toFixed(3)}.`,
    measuredOn: `Measured on: ${d.validation.note}.`,
    domain: d.domain ? `Decides on discs spanning ${pct(d.domain.discSize.low)}-${pct(d.domain.discSize.high)} of the image's shorter side (${domainEvidence(d.domain)}); elsewhere no decision.` : null,
  };
}

/** The decision rule in words: what was chosen, how well it did, at which operating point, where it decides, and every candidate. */
export function describeDecision(d: DecisionModel | null): string[] {
  if (!d) return [PAPER_RULE_SENTENCE];
  const s = decisionSentences(d);
  return [
    ...[s.rule, s.auc, s.operatingPoint, s.calibration, s.measuredOn, ...(s.domain ? [s.domain] : [])].map((line) => `- ${line}`),
    '',
    '| candidate | eligible | cross-validated AUC (95 % CI) |',
    '| --- | --- | --- |',
    ...d.selection.candidates.map((c) => `| ${c.label} (\`${c.id}\`) | ${c.eligible ? 'yes' : 'no'} | ${c.auc ? withInterval(c.auc, threeDecimals) : 'n/a'} |`),
  ];
}
