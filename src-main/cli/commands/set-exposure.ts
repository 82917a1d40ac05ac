import path from 'node:path';
import { inSplit, SPLIT_CHOICES, type SplitChoice } from '../../core/data/splits';
import { openDataset } from '../../core/data/spec';
import { readManifest, rewritePackage } from '../../core/model/package';
import { exposureReferenceOf } from '../../core/train/exposure-reference';
import { createSharpCodec } from '../../platform/sharp-codec';
import { required, str, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';

export const setExposureCommand: CommandSpec = {
  name: 'set-exposure',
  summary: "record a package's exposure normalisation target: the median field luminance of its training photographs (train does this itself)",
  usage: 'glaucoma-studio set-exposure --model PKG --data SPEC --out PKG [--split train|test|all] | --off',
  options: {
    model: { type: 'string', description: 'model package (default: the bundled model)', placeholder: 'PKG' },
    data: { type: 'string', description: 'the photographs the model was trained on (as for train)', placeholder: 'SPEC' },
    split: { type: 'string', description: "which of the dataset's splits it was trained on", default: 'train', choices: SPLIT_CHOICES },
    out: { type: 'string', description: 'where the package goes (may be the same folder)', placeholder: 'PKG' },
    off: { type: 'boolean', description: 'remove the normalisation instead' },
  },
  examples: ['glaucoma-studio set-exposure --model runs/old/model --data drishti:../shared/data/drishti-gs1 --split train --out runs/old/model'],
};

export async function runSetExposure(options: ParsedOptions): Promise<number> {
  const model = path.resolve(str(options, 'model') ?? defaultModelDir());
  const out = path.resolve(required(options, 'out', 'set-exposure'));
  const manifest = readManifest(model);
  const { luminanceReference: _old, ...rest } = manifest.preprocessing;
  if (options['off']) {
    await rewritePackage(model, out, { preprocessing: rest });
    process.stdout.write(`exposure normalisation removed: ${out}\n`);
    return 0;
  }
  const codec = createSharpCodec();
  const opened = await openDataset(required(options, 'data', 'set-exposure'), codec);
  const split = (str(options, 'split') ?? 'train') as SplitChoice;
  const files = inSplit(opened.dataset.samples, split).map((s) => s.imageFile);
  const full = manifest.networks.find((n) => n.input.kind === 'full-image') ?? manifest.networks[0]!;
  const reference = await exposureReferenceOf(files, codec, full.architecture.inputSize);
  if (reference === null) {
    process.stderr.write(`${opened.dataset.root}: no illuminated photograph among ${files.length} file(s); nothing written\n`);
    return 1;
  }
  await rewritePackage(model, out, { preprocessing: { ...rest, luminanceReference: reference } });
  process.stdout.write(`exposure normalisation target ${reference.toFixed(1)} (median of ${files.length} photographs): ${out}\n`);
  return 0;
}
