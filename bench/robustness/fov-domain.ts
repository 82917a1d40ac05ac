// The field of view (disc sizes) a decision may be trusted on, measured: several models' readings of the robustness
// benchmark's geometric shifts (run.ts --parts shifts --shifts wider,crop, one results folder per model, e.g. each
// fold model of a cross-validation on the images it held out) are pooled, and the span of disc sizes is widened from
// the unshifted photographs' only through conditions that read within tolerance (decision/field-of-view.ts).
// Writes a file `glaucoma-studio set-domain --from` records in a package.
//   npx tsx bench/robustness/fov-domain.ts --results DIR,DIR,... --out FILE [--tolerance 0.02]
import fs from 'node:fs';
import path from 'node:path';
import { listOf } from '../../src-main/cli/args';
import { z } from 'zod';
import { FIELD_OF_VIEW_TOLERANCE, fieldOfViewDomain, ShiftReadingSchema, type ShiftReading } from '../../src-main/core/decision/field-of-view';
import { writeJsonAtomic } from '../../src-main/core/fs/atomic';
import { checkJson, readJsonFile } from '../../src-main/core/fs/json-file';
import { optionalArg as arg } from './args';

const results = arg('results');
const out = arg('out');
if (!results || !out) throw new Error('usage: fov-domain.ts --results DIR,DIR,... --out FILE [--tolerance 0.02]');
const tolerance = Number(arg('tolerance') ?? FIELD_OF_VIEW_TOLERANCE);
if (!(tolerance >= 0 && tolerance < 1)) throw new Error(`--tolerance must be in [0, 1), got ${arg('tolerance')}`);

const perModel: ShiftReading[][] = listOf(results).map((dir) => {
  const file = path.join(dir, 'results.json');
  if (!fs.existsSync(file)) throw new Error(`${file}: not found (bench/robustness/run.ts --out ${dir} writes it)`);
  const json = readJsonFile(file) as { shifts?: { discSpan?: unknown }[] } | null;
  if (!json?.shifts?.length) throw new Error(`${file}: no shifts part (run.ts --parts shifts)`);
  if (json.shifts.some((r) => r.discSpan === undefined)) throw new Error(`${file}: written before run.ts recorded disc spans; run it again`);
  return checkJson(file, json, z.object({ shifts: z.array(ShiftReadingSchema) }), 'robustness benchmark results').shifts;
});
const { pooled, measured, domain } = fieldOfViewDomain(perModel, tolerance);
const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
const f3 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
const rows = pooled.map((r, i) => {
  const v = measured.verdicts[i]!;
  return `| ${r.condition} | ${r.images} | ${pct(r.discFound)} | ${f3(r.odDice)} | ${f3(r.ocDice)} | ${f3(r.vcdrMae)} | ${r.discSpan ? `${(100 * r.discSpan[0]).toFixed(0)}-${pct(r.discSpan[1])}` : 'n/a'} | ${v.holds ? 'yes' : 'no'}: ${v.why} |`;
});
const evidence = domain.evidence;
writeJsonAtomic(out, { domain, tolerance, conditions: pooled.map((r, i) => ({ ...r, ...measured.verdicts[i]! })) });
process.stdout.write(
  [
    '| condition | images | disc found | OD Dice | OC Dice | vCDR MAE | disc span | holds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `disc sizes ${(100 * domain.discSize.low).toFixed(0)}-${pct(domain.discSize.high)} of the shorter side (the span widened by a tenth each way), ${evidence}`,
    `written: ${out} (record it: glaucoma-studio set-domain --model PKG --from ${out} --out PKG)`,
    '',
  ].join('\n'),
);
