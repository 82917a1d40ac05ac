// Disc and cup Dice of a model on each ROI crop of ../shared/data/roi-multidomain (four hospitals).
// npx tsx bench/robustness/roi-dice.ts [--model PKG] [--shape-prior none|hull|ellipse] [--colour R,G,B]
import path from 'node:path';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { Predictor } from '../../src-main/core/infer/predictor';
import { SHAPE_PRIORS, type ShapePrior } from '../../src-main/core/masks/shape-prior';
import { dice } from '../../src-main/core/metrics/dice';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const model = path.resolve(arg('model') ?? path.join(root, 'resources', 'model'));
const shapePrior = arg('shape-prior') ?? 'none';
if (!(SHAPE_PRIORS as readonly string[]).includes(shapePrior)) throw new Error(`--shape-prior must be one of ${SHAPE_PRIORS.join(', ')}`);
// --colour R,G,B: colour normalisation to this target (run.ts --colour on prints the Drishti-GS1 training photographs').
const colourArg = arg('colour')?.split(',').map(Number);
if (colourArg && (colourArg.length !== 3 || colourArg.some((c) => !(c > 0 && c <= 255)))) throw new Error('--colour must be R,G,B, each in (0, 255]');
const colour = colourArg ? { colourReference: [colourArg[0]!, colourArg[1]!, colourArg[2]!] as const } : {};
await selectBackend();
const codec = createSharpCodec();
const predictor = Predictor.open(model, codec);
process.stdout.write('| crop | disc found | OD Dice | OC Dice | vCDR | notes |\n| --- | --- | ---: | ---: | ---: | --- |\n');
for (const s of readRoiFolder(path.join(root, '..', 'shared', 'data', 'roi-multidomain')).samples) {
  const p = await predictor.predictFile(s.imageFile, { tta: true, shapePrior: shapePrior as ShapePrior, ...colour });
  const t = await readSampleMasks(s, codec);
  process.stdout.write(`| ${s.id} | ${p.summary.disc.found ? 'yes' : 'no'} | ${dice(p.od, t.od, { ifBothEmpty: 1 }).toFixed(3)} | ${dice(p.oc, t.oc, { ifBothEmpty: 1 }).toFixed(3)} | ${p.summary.vcdr?.toFixed(3) ?? '–'} | ${p.summary.warnings.join('; ')} |\n`);
}
predictor.dispose();
