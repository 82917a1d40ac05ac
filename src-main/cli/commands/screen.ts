import path from 'node:path';
import { flag, num, required, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf } from './common';
import { QUEUE_CONNECTION_OPTIONS } from './queue-options';
import { runScreenOnQueue } from './screen-queue';
import { resultsLine, screeningLine } from './screen-summary';

export const screenCommand: CommandSpec = {
  name: 'screen',
  summary: 'screen a folder of fundus photographs: REFUGE submission files, overlays, summary.csv and report.html',
  usage: 'glaucoma-studio screen FOLDER --out DIR [--model PKG] [--no-tta] [--no-overlays] [--resume] [--queue redis://HOST:PORT]',
  positionals: { name: 'FOLDER', description: 'folder of photographs (jpg, png, bmp, tif; searched recursively) or one image', required: true },
  options: {
    out: { type: 'string', description: 'output folder', placeholder: 'DIR' },
    model: { type: 'string', description: 'model package folder (default: the bundled model in resources/model)', placeholder: 'PKG' },
    'no-tta': { type: 'boolean', description: 'skip the flipped second pass (no uncertainty score; on native CPU TensorFlow not faster: see bench/RESULTS.md)' },
    'no-overlays': { type: 'boolean', description: 'do not write overlay images' },
    resume: { type: 'boolean', description: 'continue a stopped run in DIR (same folder and model); without it, a previous run\'s files in DIR are replaced' },
    specificity: { type: 'number', description: "target specificity of the operating point (default: the model's, 0.85); the threshold comes from the model's cross-validated cases", min: 0.5 },
    fusion: { type: 'string', description: "model: the package's decision model (chosen by cross-validation); paper: the paper's mean of network and vCDR regression at 0.5", default: 'model', choices: ['model', 'paper'] },
    ...BACKEND_OPTION,
    queue: { type: 'string', description: 'screen on a job queue\'s workers (see docs/distributed.md); FOLDER, --out and --model must be on storage every worker sees', placeholder: 'URL' },
    attempts: { type: 'number', description: 'with --queue: tries per photograph before it is reported as failed', default: 3, integer: true, min: 1 },
    ...QUEUE_CONNECTION_OPTIONS,
  },
  examples: ['glaucoma-studio screen ../shared/data/refuge-samples --out screening', 'glaucoma-studio screen /mnt/screening/week-12 --out /mnt/screening/week-12-results --queue redis://gpu-server:6379'],
};

export async function runScreen(options: ParsedOptions, positionals: readonly string[]): Promise<number> {
  const job = {
    folder: path.resolve(positionals[0]!),
    modelDir: path.resolve(str(options, 'model') ?? defaultModelDir()),
    outDir: path.resolve(required(options, 'out', 'screen')),
    tta: !flag(options, 'no-tta'),
    overlays: !flag(options, 'no-overlays'),
    resume: flag(options, 'resume'),
    decision: { fusion: (str(options, 'fusion') ?? 'model') as 'model' | 'paper', ...(options['specificity'] !== undefined ? { specificity: num(options, 'specificity') } : {}) },
  };
  const queue = str(options, 'queue');
  if (queue && job.resume) throw new UsageError('--resume is for a local run; a --queue run gathers what its workers already screened by itself (run the same command again)');
  if (queue) return runScreenOnQueue(queue, options, job);
  const result = await runJob({ kind: 'screen-folder', ...job }, { backend: backendOf(options) });
  if (result.kind !== 'screen-folder') throw new Error(`unexpected result ${result.kind}`);
  for (const p of result.problems) process.stderr.write(`not screened: ${p.file}: ${p.problem}\n`);
  process.stdout.write(`${screeningLine(result, result.failed)}; ${result.msPerImage.toFixed(0)} ms per image end to end\n${resultsLine(job.outDir)}\n`);
  return 0;
}
