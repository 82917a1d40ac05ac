// An ensemble package: the networks of several packages of one recipe (other
// seeds, other augmentations) side by side in one package. The predictor
// averages the probability maps of the networks that do the same job
// (infer/predictor.ts), so the ensemble is an ordinary package to every reader:
// hashed, validated, written atomically. Members must agree on everything that
// shapes their inputs and outputs (tasks, pre-processing, input sizes, how
// the disc is cropped); otherwise their maps do not describe the same pixels.
// A network two members share is stored and run once.
import fs from 'node:fs';
import path from 'node:path';
import { trainingImageIds } from '../data/training-images';
import type { ImageCodec } from '../data/image-codec';
import { InputError } from '../errors';
import { averagesStages, formatVersionFor, hasSecondCropStage, ModelManifestSchema, readCheckedWeights, verifyModelPackage, withStageFusion, writePackageDir, type ModelManifest, type NetworkEntry, type StageFusion } from './package';

export interface EnsembleOptions {
  /** The package's name (default: "ensemble of N models"). */
  readonly name?: string;
  /** Its id (default: derived from the members' ids). */
  readonly id?: string;
  readonly createdAt?: Date;
  /**
   * How the second crop stage's reading becomes the result in the ensemble (default: the members' own, which must
   * agree). Averaging needs the members to have a second stage.
   */
  readonly stageFusion?: StageFusion;
  /** Reads a member's dataset when its package predates the list of training images (training.sampleIds). */
  readonly codec?: ImageCodec;
}

/** Smallest number of members: one package is not an ensemble. */
export const MIN_ENSEMBLE_MEMBERS = 2;

/**
 * Writes the ensemble of the packages in `memberDirs` to `outDir`. The first
 * member is the primary: its vCDR regression, decision rule and data card are
 * kept (refit the decision with fit-decision on the ensemble's own scores).
 * Weights are copied byte for byte and checked against their hashes.
 */
export async function ensemblePackages(memberDirs: readonly string[], outDir: string, options: EnsembleOptions = {}): Promise<ModelManifest> {
  if (memberDirs.length < MIN_ENSEMBLE_MEMBERS) throw new InputError(memberDirs[0] ?? outDir, `an ensemble needs at least ${MIN_ENSEMBLE_MEMBERS} model packages, got ${memberDirs.length}`);
  const members = memberDirs.map((dir) => ({ dir, manifest: verifyModelPackage(dir) }));
  // Writing over a member would replace a model the user made with something else.
  const target = fs.existsSync(outDir) ? fs.realpathSync(outDir) : path.resolve(outDir);
  const overwritten = members.find((m) => fs.realpathSync(m.dir) === target);
  if (overwritten) throw new InputError(outDir, 'is one of the ensemble\'s members: write the ensemble to a new folder');
  const primary = members[0]!;
  for (const m of members.slice(1)) {
    const problem = incompatibility(primary.manifest, m.manifest);
    if (problem) throw new InputError(m.dir, `cannot join ${primary.dir} in an ensemble: ${problem}`);
  }
  // Each member's files under its own prefix, so two members' main.weights.bin do not collide.
  const prefix = (k: number, name: string): string => `m${k + 1}-${name}`;
  // A network a member shares with an earlier one (the same weights in the same role, e.g. two polar networks trained
  // on one whole-image and one Cartesian network) is kept once: its mean with itself is itself, run twice.
  const kept = new Map<string, NetworkEntry>();
  for (const [k, m] of members.entries()) {
    const before = kept.size;
    for (const n of m.manifest.networks) {
      const role = networkRole(n);
      if (!kept.has(role)) kept.set(role, { ...n, id: prefix(k, n.id), weights: { ...n.weights, file: prefix(k, n.weights.file) } });
    }
    if (kept.size === before) throw new InputError(m.dir, 'has only networks an earlier member has too: it would add nothing to the ensemble');
  }
  const shared = members.reduce((sum, m) => sum + m.manifest.networks.length, 0) - kept.size;
  const networks = [...kept.values()];
  // Every image any member trained on, so evaluate and the benches can tell when they measure on one of them;
  // one member that cannot say makes the ensemble unable to say either (no list rather than a short one).
  const trained = await Promise.all(members.map((m) => trainingImageIds(m.manifest.training, options.codec)));
  const sampleIds = trained.every((ids) => ids !== null) ? [...new Set(trained.flatMap((ids) => [...ids!]))].sort() : null;
  const p = primary.manifest;
  const fusion = options.stageFusion ?? p.preprocessing.stageFusion ?? 'replace';
  const preprocessing = withStageFusion(p.preprocessing, fusion);
  if (averagesStages(fusion) && !hasSecondCropStage(networks)) {
    throw new InputError(primary.dir, "the crop stages cannot be averaged: the members have no second disc-crop stage");
  }
  const manifest = ModelManifestSchema.parse({
    ...p,
    formatVersion: formatVersionFor({ networks, preprocessing }),
    preprocessing,
    id: options.id ?? `ensemble-${members.map((m) => m.manifest.id).join('-')}`.slice(0, 120),
    name: options.name ?? `ensemble of ${members.length} models`,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    description: `The mean of ${members.length} models' probability maps: ${members.map((m) => `${m.manifest.name} (${m.manifest.id})`).join('; ')}.${shared > 0 ? ` ${shared} network(s) the members share are kept once.` : ''}${fusion === 'average' ? ' The second crop stage is averaged with the first.' : fusion === 'average-disc' ? " The second crop stage's disc is averaged with the first's." : ''}`,
    networks,
    training: { ensemble: members.map((m) => ({ id: m.manifest.id, name: m.manifest.name, training: m.manifest.training })), ...(sampleIds ? { sampleIds } : {}) },
    // The members' own scores do not describe their mean.
    validation: null,
    parent: null,
  });
  // Read again with their hashes checked: a file changed since verifyModelPackage looked is refused, not copied.
  const files = new Set(networks.map((n) => n.weights.file));
  const weights = members.flatMap((m, k) => readCheckedWeights(m.dir, m.manifest).map((w) => ({ ...w, name: prefix(k, w.name) }))).filter((w) => files.has(w.name));
  await writePackageDir(outDir, manifest, weights);
  return manifest;
}

/** What makes two networks the same network: their weights, and what they read and predict. */
function networkRole(n: NetworkEntry): string {
  return JSON.stringify({ sha256: n.weights.sha256, input: n.input, architecture: n.architecture, tasks: [...n.tasks].sort() });
}

/** Why two packages cannot be averaged, or null when they can. */
export function incompatibility(a: ModelManifest, b: ModelManifest): string | null {
  const tasks = (m: ModelManifest): string => [...m.trainedTasks].sort().join(', ');
  if (tasks(a) !== tasks(b)) return `trained for ${tasks(b)}, not ${tasks(a)}`;
  const pre = differingField(a.preprocessing, b.preprocessing);
  if (pre) return `pre-processing differs in ${pre}`;
  const roles = (m: ModelManifest): string =>
    m.networks
      // A network's cup cut says what its output means (NetworkEntry.cupThreshold): maps of two meanings are not averaged.
      .map((n) => JSON.stringify({ input: n.input, size: n.architecture.inputSize, tasks: [...n.tasks].sort(), cupThreshold: n.cupThreshold ?? null }))
      .sort()
      .join(' ');
  if (roles(a) !== roles(b)) return 'its networks read different inputs (input kind, size, disc crop, tasks or cup threshold differ)';
  return null;
}

/** The first field whose values differ (numbers within a relative 1e-9: the same statistic recomputed). */
function differingField(a: Record<string, unknown>, b: Record<string, unknown>): string | null {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (typeof x === 'number' && typeof y === 'number') {
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) return `${key} (${x} vs ${y})`;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      return `${key} (${JSON.stringify(x)} vs ${JSON.stringify(y)})`;
    }
  }
  return null;
}
