import path from 'node:path';
import { flag, required, str, type CommandSpec, type ParsedOptions } from '../args';
import { trainingNote } from '../../core/infer/evaluation-report';
import { defaultModelDir } from '../paths';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf } from './common';
import { printSummary } from './print';

export const evaluateCommand: CommandSpec = {
  name: 'evaluate',
  summary: 'score a model on a labelled dataset with the official REFUGE metrics (metrics.json, report.md, report.html)',
  usage: 'glaucoma-studio evaluate --data SPEC --model PKG --out DIR [--split test|train|all] [--tta]',
  options: {
    data: { type: 'string', description: 'labelled dataset (as for train)', placeholder: 'SPEC' },
    model: { type: 'string', description: 'model package folder (default: the bundled model)', placeholder: 'PKG' },
    out: { type: 'string', description: 'output folder', placeholder: 'DIR' },
    split: { type: 'string', description: "test: the dataset's test split when it has one; train: everything but the test split (to score a model trained on the test split); all: every image", default: 'test', choices: ['test', 'train', 'all'] },
    tta: { type: 'boolean', description: 'average with the left-right flipped prediction' },
    ...BACKEND_OPTION,
  },
  examples: ['glaucoma-studio evaluate --data refuge:data/synth --model runs/synth/model --out runs/synth/eval'],
};

export async function runEvaluate(options: ParsedOptions): Promise<number> {
  const out = path.resolve(required(options, 'out', 'evaluate'));
  const result = await runJob(
    {
      kind: 'evaluate',
      data: required(options, 'data', 'evaluate'),
      modelDir: path.resolve(str(options, 'model') ?? defaultModelDir()),
      outDir: out,
      tta: flag(options, 'tta'),
      split: (str(options, 'split') ?? 'test') as 'test' | 'train' | 'all',
    },
    { backend: backendOf(options) },
  );
  if (result.kind !== 'evaluate') throw new Error(`unexpected result ${result.kind}`);
  for (const p of result.problems) process.stderr.write(`warning: ${p.file}: ${p.problem}\n`);
  const seen = trainingNote(result.seenInTraining, result.images);
  if (seen) process.stderr.write(`warning: ${seen}\n`);
  process.stdout.write(`${result.images} images scored:\n`);
  printSummary(result.summary);
  process.stdout.write(`metrics and report in ${out}\n`);
  return 0;
}
