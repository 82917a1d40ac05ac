import path from 'node:path';
import { writeSyntheticRefuge } from '../../core/data/synth';
import { writeJsonAtomic } from '../../core/fs/atomic';
import { createSharpCodec } from '../../platform/sharp-codec';
import { num, required, type CommandSpec, type ParsedOptions } from '../args';

export const synthCommand: CommandSpec = {
  name: 'synth',
  summary: 'write a synthetic fundus dataset (seeded) in REFUGE\'s own layout, for tests and demos',
  usage: 'glaucoma-studio synth --out DIR --count N [--layout refuge] [--seed S] [--width W] [--height H]',
  options: {
    out: { type: 'string', description: 'folder to create (must not exist or be empty)', placeholder: 'DIR' },
    count: { type: 'number', description: 'images per split (train, validation, test)', default: 20, integer: true, min: 1 },
    layout: { type: 'string', description: 'folder layout', default: 'refuge', choices: ['refuge'] },
    seed: { type: 'number', description: 'random seed', default: 1, integer: true },
    width: { type: 'number', description: 'image width', default: 256, integer: true, min: 64 },
    height: { type: 'number', description: 'image height', default: 248, integer: true, min: 64 },
    'positive-rate': { type: 'number', description: 'fraction of glaucoma cases per split', default: 0.1 },
  },
  examples: ['glaucoma-studio synth --out data/synth --count 40'],
};

export async function runSynth(options: ParsedOptions): Promise<number> {
  const out = path.resolve(required(options, 'out', 'synth'));
  const samples = await writeSyntheticRefuge(
    out,
    { count: num(options, 'count'), seed: num(options, 'seed'), width: num(options, 'width'), height: num(options, 'height'), positiveRate: num(options, 'positive-rate') },
    createSharpCodec(),
  );
  // The settings that reproduce this dataset, beside it (readers ignore the file).
  writeJsonAtomic(path.join(out, 'glaucoma-studio-synth.json'), {
    count: num(options, 'count'),
    seed: num(options, 'seed'),
    width: num(options, 'width'),
    height: num(options, 'height'),
    positiveRate: num(options, 'positive-rate'),
    layout: 'refuge',
    createdAt: new Date().toISOString(),
  });
  const glaucoma = samples.filter((s) => s.glaucoma === 1).length;
  process.stdout.write(`wrote ${samples.length} synthetic images (${glaucoma} glaucoma) in REFUGE layout to ${out}\n`);
  return 0;
}
