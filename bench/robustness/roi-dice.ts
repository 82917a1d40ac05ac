// Disc and cup Dice of a model on each ROI crop of ../shared/data/roi-multidomain (four hospitals).
// npx tsx bench/robustness/roi-dice.ts [--model PKG] [--shape-prior none|filled|hull|ellipse] [--colour R,G,B] [--stage-fusion replace|average|average-disc] [--cup-threshold P]
import path from 'node:path';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { Predictor } from '../../src-main/core/infer/predictor';
import { dice } from '../../src-main/core/metrics/dice';
import { mean } from '../../src-main/core/metrics/stats';
import { refugeVerticalCupToDiscRatio } from '../../src-main/core/metrics/vcdr';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
import { cupThresholdArg, optionalArg as arg, shapePriorArg, stageFusionArg } from './args';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const model = path.resolve(arg('model') ?? path.join(root, 'resources', 'model'));
// --shape-prior: the disc and cup's shape prior (default: the package's).
const shapePrior = shapePriorArg();
// --stage-fusion: how a second disc-crop stage's reading becomes the result (default: the package's).
const fusion = stageFusionArg();
// --cup-threshold P: the cup map read at P instead of the package's threshold (a cup trained on the experts' agreement).
const cupThreshold = cupThresholdArg();
// --colour R,G,B: colour normalisation to this target (run.ts --colour on prints the Drishti-GS1 training photographs').
const colourArg = arg('colour')?.split(',').map(Number);
if (colourArg && (colourArg.length !== 3 || colourArg.some((c) => !(c > 0 && c <= 255)))) throw new Error('--colour must be R,G,B, each in (0, 255]');
const colour = colourArg ? { colourReference: [colourArg[0]!, colourArg[1]!, colourArg[2]!] as const } : {};
await selectBackend();
const codec = createSharpCodec();
const predictor = Predictor.open(model, codec);
process.stdout.write("| crop | disc found | OD Dice | OC Dice | vCDR | experts' vCDR | notes |\n| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
const rows: { id: string; od: number; oc: number; error: number }[] = [];
for (const s of readRoiFolder(path.join(root, '..', 'shared', 'data', 'roi-multidomain')).samples) {
  const p = await predictor.predictFile(s.imageFile, { tta: true, ...(shapePrior ? { shapePrior } : {}), ...colour, ...(fusion ? { stageFusion: fusion } : {}), ...(cupThreshold !== undefined ? { cupThreshold } : {}) });
  const t = await readSampleMasks(s, codec);
  const truth = refugeVerticalCupToDiscRatio(t.od, t.oc);
  // REFUGE scores a missing disc as vCDR 0.
  rows.push({ id: s.id, od: dice(p.od, t.od, { ifBothEmpty: 1 }), oc: dice(p.oc, t.oc, { ifBothEmpty: 1 }), error: Math.abs((p.summary.vcdr ?? 0) - truth) });
  process.stdout.write(`| ${s.id} | ${p.summary.disc.found ? 'yes' : 'no'} | ${rows.at(-1)!.od.toFixed(3)} | ${rows.at(-1)!.oc.toFixed(3)} | ${p.summary.vcdr?.toFixed(3) ?? '–'} | ${truth.toFixed(3)} | ${p.summary.warnings.join('; ')} |\n`);
}
predictor.dispose();
// The issue's ROI target (OD Dice >= 0.85 in every crop), the three other hospitals' crops (not Domain1), the vCDR error.
const others = rows.filter((r) => !r.id.startsWith('Domain1/'));
const meanOf = (values: number[]): string => mean(values).toFixed(3);
process.stdout.write(
  `\nOD >= 0.85: ${rows.filter((r) => r.od >= 0.85).length} of ${rows.length}; other hospitals OD / OC: ${meanOf(others.map((r) => r.od))} / ${meanOf(others.map((r) => r.oc))}; vCDR MAE ${meanOf(rows.map((r) => r.error))}\n`,
);
