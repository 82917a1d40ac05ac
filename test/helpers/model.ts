// A small, untrained model package for tests that need one on disk.
import { MultiTaskUNet } from '../../src-main/core/model/network';
import { defaultPreprocessing, rewritePackage, saveModelPackage, type ManifestFields, type ModelManifest } from '../../src-main/core/model/package';
import { selectDecisionModel } from '../../src-main/core/decision/select';
import { createRng } from '../../src-main/core/random';
import type { Task } from '../../src-main/core/types';
import { TASKS } from '../../src-main/core/types';

export async function writeTinyModel(dir: string, options: { size?: number; width?: number; tasks?: readonly Task[]; cropStage?: boolean; polarCrop?: boolean; cascade?: boolean; seed?: number; secondSeed?: number } = {}): Promise<ModelManifest> {
  const size = options.size ?? 32;
  const tasks = [...(options.tasks ?? TASKS)];
  const main = MultiTaskUNet.create({ width: options.width ?? 0.0625, inputSize: size }, options.seed ?? 1);
  const crop = options.cropStage
    ? MultiTaskUNet.create({ width: options.width ?? 0.0625, inputSize: size, ...(options.polarCrop ? { polar: true as const } : {}) }, (options.seed ?? 1) + 1)
    : null;
  // A second crop stage: a polar network reading a crop cut around the first crop network's disc.
  const second = options.cascade ? MultiTaskUNet.create({ width: options.width ?? 0.0625, inputSize: size, polar: true }, options.secondSeed ?? (options.seed ?? 1) + 2) : null;
  const fields: ManifestFields = {
    id: 'tiny-test-model',
    name: 'Tiny test model',
    createdAt: '2026-01-01T00:00:00.000Z',
    trainedTasks: tasks,
    preprocessing: defaultPreprocessing(size),
    vcdrRegression: { intercept: -6, slope: 12, fittedOn: 'test', samples: 10 },
    dataCard: { source: 'unit test', licence: 'none', intendedUse: 'tests only', images: 0, labels: {} },
    training: {},
    validation: null,
    parent: null,
  };
  try {
    return await saveModelPackage(dir, fields, [
      { id: 'main', tasks, input: { kind: 'full-image' }, net: main },
      ...(crop ? [{ id: 'disc-crop', tasks: ['od', 'oc'] as Task[], input: { kind: 'disc-crop' as const, cropScale: 2, minSideFraction: 0.05 }, net: crop }] : []),
      ...(second ? [{ id: 'disc-crop-polar', tasks: ['od', 'oc'] as Task[], input: { kind: 'disc-crop' as const, cropScale: 2, minSideFraction: 0.05, stage: 2 as const }, net: second }] : []),
    ]);
  } finally {
    main.dispose();
    crop?.dispose();
    second?.dispose();
  }
}

/**
 * Gives the package at `dir` a decision model fitted on synthetic cases (vCDR
 * carries the label), so screening decides at an operating point that
 * --specificity moves.
 */
export async function addSyntheticDecision(dir: string): Promise<ModelManifest> {
  const rng = createRng(3);
  const cases = Array.from({ length: 90 }, (_, i) => {
    const label = (i % 3 === 0 ? 0 : 1) as 0 | 1;
    const vcdr = (label ? 0.65 : 0.45) + (rng.next() - 0.5) * 0.3;
    const rim = (1 - vcdr) / 2;
    const features = { vcdr, hcdr: vcdr, areaCdr: vcdr * vcdr, rimToDisc: rim, rimInferior: rim, rimSuperior: rim, rimHorizontalWide: rim, rimHorizontalNarrow: rim, isntRule: 1, discSize: 0.2 };
    return { id: `c${i}`, label, features, network: rng.next() };
  });
  return rewritePackage(dir, dir, { decision: selectDecisionModel(cases, { note: 'synthetic test cases', repeats: 2 }) });
}
