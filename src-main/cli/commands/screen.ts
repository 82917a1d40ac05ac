import path from 'node:path';
import { flag, num, required, str, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';
import { runJob } from '../run-job';
import { BACKEND_OPTION, backendOf } from './common';

export const screenCommand: CommandSpec = {
  name: 'screen',
  summary: 'screen a folder of fundus photographs: REFUGE submission files, overlays, summary.csv and report.html',
  usage: 'glaucoma-studio screen FOLDER --out DIR [--model PKG] [--no-tta] [--no-overlays] [--resume]',
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
  },
  examples: ['glaucoma-studio screen ../shared/data/refuge-samples --out screening'],
};

export async function runScreen(options: ParsedOptions, positionals: readonly string[]): Promise<number> {
  const out = path.resolve(required(options, 'out', 'screen'));
  const folder = path.resolve(positionals[0]!);
  const result = await runJob(
    {
      kind: 'screen-folder',
      folder,
      modelDir: path.resolve(str(options, 'model') ?? defaultModelDir()),
      outDir: out,
      tta: !flag(options, 'no-tta'),
      overlays: !flag(options, 'no-overlays'),
      resume: flag(options, 'resume'),
      decision: { fusion: (str(options, 'fusion') ?? 'model') as 'model' | 'paper', ...(options['specificity'] !== undefined ? { specificity: num(options, 'specificity') } : {}) },
    },
    { backend: backendOf(options) },
  );
  if (result.kind !== 'screen-folder') throw new Error(`unexpected result ${result.kind}`);
  for (const p of result.problems) process.stderr.write(`not screened: ${p.file}: ${p.problem}\n`);
  process.stdout.write(
    `screened ${result.screened} image(s), ${result.suspects} glaucoma suspect(s), ${result.undecided} without a decision (ungradable or outside the validated field of view), ${result.failed} not readable; ` +
      `operating point: ${result.operatingPoint}; ` +
      `${result.msPerImage.toFixed(0)} ms per image end to end\nresults: ${out}/summary.csv, ${out}/report.html, ${out}/segmentation/, ${out}/classification_results.csv\n`,
  );
  return 0;
}
