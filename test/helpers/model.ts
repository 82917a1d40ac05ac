// A small, untrained model package for tests that need one on disk.
import { MultiTaskUNet } from '../../src-main/core/model/network';
import { defaultPreprocessing, saveModelPackage, type ManifestFields, type ModelManifest } from '../../src-main/core/model/package';
import type { Task } from '../../src-main/core/types';
import { TASKS } from '../../src-main/core/types';

export async function writeTinyModel(dir: string, options: { size?: number; width?: number; tasks?: readonly Task[]; cropStage?: boolean; seed?: number } = {}): Promise<ModelManifest> {
  const size = options.size ?? 32;
  const tasks = [...(options.tasks ?? TASKS)];
  const main = MultiTaskUNet.create({ width: options.width ?? 0.0625, inputSize: size }, options.seed ?? 1);
  const crop = options.cropStage ? MultiTaskUNet.create({ width: options.width ?? 0.0625, inputSize: size }, (options.seed ?? 1) + 1) : null;
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
    ]);
  } finally {
    main.dispose();
    crop?.dispose();
  }
}
