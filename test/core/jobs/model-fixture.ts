// A model package with a valid manifest and no weights: enough for everything
// in the main process (registry, regression, data card), which never loads
// weights. Only the job process does, and tests replace it with a fake.
import fs from 'node:fs';
import path from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../../../src-main/core/fs/atomic';
import { defaultPreprocessing, MANIFEST_FILE, ModelManifestSchema, type ModelManifest } from '../../../src-main/core/model/package';

export interface FakeModelOptions {
  readonly id: string;
  readonly name?: string;
  readonly parent?: string | null;
  /** P(glaucoma | vCDR) = sigmoid(intercept + slope * vCDR); default: 0.5 at vCDR 0.6. */
  readonly vcdrRegression?: { intercept: number; slope: number } | null;
  readonly training?: Record<string, unknown>;
  readonly metrics?: Record<string, number | null>;
}

export function fakeManifest(options: FakeModelOptions): ModelManifest {
  const regression = options.vcdrRegression === undefined ? { intercept: -6, slope: 10 } : options.vcdrRegression;
  return ModelManifestSchema.parse({
    format: 'glaucoma-studio-model',
    formatVersion: 1,
    id: options.id,
    name: options.name ?? `Model ${options.id}`,
    createdAt: '2026-01-01T00:00:00.000Z',
    trainedTasks: ['glaucoma', 'od', 'oc'],
    networks: [
      {
        id: 'main',
        tasks: ['glaucoma', 'od', 'oc', 'fovea'],
        architecture: { variant: 'vgg16', width: 0.125, normalization: 'batch', inputSize: 64, glaucomaDropout: 0.5, glaucomaHidden: 0 },
        input: { kind: 'full-image' },
        weights: { file: 'main.weights.bin', sha256: '0'.repeat(64), entries: [] },
      },
    ],
    preprocessing: defaultPreprocessing(64),
    vcdrRegression: regression === null ? null : { ...regression, fittedOn: 'test', samples: 10 },
    dataCard: { source: 'synthetic test data', licence: 'none', intendedUse: 'tests only; not for clinical use', images: 10, labels: { od: 10 } },
    training: options.training ?? {},
    validation: { note: 'fixture', metrics: options.metrics ?? { odDice: 0.9, ocDice: 0.8 } },
    parent: options.parent ?? null,
  });
}

export async function writeFakeModel(dir: string, options: FakeModelOptions): Promise<ModelManifest> {
  const manifest = fakeManifest(options);
  await writeDirAtomic(dir, (tmp) => writeJsonAtomic(path.join(tmp, MANIFEST_FILE), manifest));
  return manifest;
}

export function readFakeModel(dir: string): ModelManifest {
  return ModelManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')));
}
