// Disc and cup Dice of a model on each ROI crop of ../shared/data/roi-multidomain (four hospitals).
// npx tsx bench/robustness/roi-dice.ts [--model PKG]
import path from 'node:path';
import { readSampleMasks } from '../../src-main/core/data/sample';
import { readRoiFolder } from '../../src-main/core/data/roi';
import { Predictor } from '../../src-main/core/infer/predictor';
import { dice } from '../../src-main/core/metrics/dice';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const i = process.argv.indexOf('--model');
const model = path.resolve(i > 0 ? process.argv[i + 1]! : path.join(root, 'resources', 'model'));
await selectBackend();
const codec = createSharpCodec();
const predictor = Predictor.open(model, codec);
process.stdout.write('| crop | disc found | OD Dice | OC Dice | vCDR | notes |\n| --- | --- | ---: | ---: | ---: | --- |\n');
for (const s of readRoiFolder(path.join(root, '..', 'shared', 'data', 'roi-multidomain')).samples) {
  const p = await predictor.predictFile(s.imageFile, { tta: true });
  const t = await readSampleMasks(s, codec);
  process.stdout.write(`| ${s.id} | ${p.summary.disc.found ? 'yes' : 'no'} | ${dice(p.od, t.od, { ifBothEmpty: 1 }).toFixed(3)} | ${dice(p.oc, t.oc, { ifBothEmpty: 1 }).toFixed(3)} | ${p.summary.vcdr?.toFixed(3) ?? '–'} | ${p.summary.warnings.join('; ')} |\n`);
}
predictor.dispose();
