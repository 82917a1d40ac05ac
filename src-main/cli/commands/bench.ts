import fs from 'node:fs';
import path from 'node:path';
import { ARCH_VARIANTS, type ArchVariant } from '../../core/model/config';
import { flag, listOf, num, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf } from './common';

/** Where the REFUGE samples sit relative to the repository (the project's shared data). */
const DEFAULT_SCREENING = path.join('..', 'shared', 'data', 'refuge-samples');

export const benchCommand: CommandSpec = {
  name: 'bench',
  summary: 'measure inference and MTL-IO training speed on this machine, and end-to-end screening of real photographs',
  usage: 'glaucoma-studio bench [--arch paper|vgg16] [--size 256] [--batch N] [--width W] [--json]',
  options: {
    arch: { type: 'string', description: 'network layout', default: 'paper', choices: ARCH_VARIANTS },
    width: { type: 'number', description: 'channel multiplier', default: 1 },
    size: { type: 'number', description: 'input side in pixels', default: 256, integer: true, min: 32 },
    batch: { type: 'number', description: 'training batch of the MTL-IO step', default: 4, integer: true, min: 1 },
    'infer-batches': { type: 'string', description: 'inference batch sizes, comma-separated (2 is the image and its flip, as screening runs them)', default: '1,2,8', placeholder: 'LIST' },
    repeats: { type: 'number', description: 'timed repetitions (median reported)', default: 3, integer: true, min: 1 },
    'no-train': { type: 'boolean', description: 'skip the training-step measurement' },
    screening: { type: 'string', description: `folder of real photographs for end-to-end screening (default ${DEFAULT_SCREENING} if present; "none" to skip)`, placeholder: 'DIR' },
    model: { type: 'string', description: 'model package for the screening measurement (default: the bundled model)', placeholder: 'PKG' },
    json: { type: 'boolean', description: 'print the result as one JSON line' },
    ...BACKEND_OPTION,
  },
  examples: ['glaucoma-studio bench --arch paper --size 256 --json'],
};

export async function runBench(options: ParsedOptions): Promise<number> {
  const screeningOption = str(options, 'screening');
  const screeningFolder = screeningOption === 'none' ? null : path.resolve(screeningOption ?? DEFAULT_SCREENING);
  const modelDir = path.resolve(str(options, 'model') ?? defaultModelDir());
  const screening = screeningFolder && fs.existsSync(screeningFolder) && fs.existsSync(modelDir) ? screeningFolder : null;
  const json = flag(options, 'json');
  const result = await runJob(
    {
      kind: 'bench',
      config: {
        variant: str(options, 'arch') as ArchVariant,
        width: num(options, 'width'),
        size: num(options, 'size'),
        batch: num(options, 'batch'),
        inferBatches: inferBatchesOf(str(options, 'infer-batches') ?? '1,2,8'),
        repeats: num(options, 'repeats'),
        screeningFolder: screening,
        screeningModelDir: screening ? modelDir : null,
        skipTraining: flag(options, 'no-train'),
      },
    },
    { backend: backendOf(options), quiet: json },
  );
  if (result.kind !== 'bench') throw new Error(`unexpected result ${result.kind}`);
  const r = result.result;
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  const lines = [
    `backend            ${r.backend} on ${r.device}`,
    `model              ${r.variant}, width ${r.width}, ${r.size}x${r.size}, ${(r.params / 1e6).toFixed(2)} M parameters, ${r.forwardGflopPerImage.toFixed(1)} GFLOP/image forward`,
    ...Object.entries(r.inferMsPerImage).map(([b, ms]) => `inference b${b.padEnd(3)}     ${ms.toFixed(1)} ms/image`),
    `MTL-IO step        ${r.mtlioStepMsPerImage === null ? 'skipped' : `${r.mtlioStepMsPerImage.toFixed(1)} ms/image (batch ${r.trainBatch}${r.trainBackend !== r.backend ? `, on ${r.trainBackend}` : ''})`}`,
    `achieved           ${r.inferGflops.toFixed(1)} GFLOP/s inference${r.trainGflops === null ? '' : `, ${r.trainGflops.toFixed(1)} GFLOP/s training`}`,
    `peak memory        ${r.peakRssMb.toFixed(0)} MB`,
    `screening          ${r.screening ? `${r.screening.msPerImage.toFixed(0)} ms/image end to end (${r.screening.images} images ${r.screening.imageSize}, model ${r.screening.model})` : 'skipped'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function inferBatchesOf(list: string): number[] {
  const batches = listOf(list).map(Number);
  if (batches.length === 0 || batches.some((b) => !Number.isInteger(b) || b < 1)) throw new UsageError(`--infer-batches: expected positive integers separated by commas, got "${list}"`);
  return batches;
}
