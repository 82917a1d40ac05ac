// Several readings of the same images (e.g. one network's cup cut at several probabilities, rescore.ts
// --cup-threshold), each a run-shaped score set: the AUC of each set's vCDR and of their per-image mean, on the images
// every set measured. Whether averaging readings gives the decision more than one of them does.
//   npx tsx bench/robustness/vcdr-average.ts --sets A,B,C [--average A,B]      (--average: the sets to average; default all)
import { listOf } from '../../src-main/cli/args';
import { auc } from '../../src-main/core/metrics/roc';
import { optionalArg } from './args';
import { readScores } from './score-sets';

const names = listOf(optionalArg('sets'));
if (names.length < 2) throw new Error('usage: vcdr-average.ts --sets A,B[,C...] [--average A,B]: at least two score sets (run folders or score files)');
const averaged = optionalArg('average') ? listOf(optionalArg('average')) : names;
const unknown = averaged.filter((n) => !names.includes(n));
if (unknown.length) throw new Error(`--average: ${unknown.join(', ')} is not one of --sets`);
const sets = new Map(names.map((n) => [n, readScores(n)] as const));
const first = sets.get(names[0]!)!;
// An image counts when every set measured its vCDR and it has a glaucoma label.
const ids = [...first.keys()].filter((id) => first.get(id)!.glaucoma != null && names.every((n) => sets.get(n)!.get(id)?.vcdr != null));
const labels = ids.map((id) => first.get(id)!.glaucoma!);
if (new Set(labels).size < 2) throw new Error('the sets share no labelled images of both classes');
const vcdrOf = (n: string): number[] => ids.map((id) => sets.get(n)!.get(id)!.vcdr!);
process.stdout.write(`${ids.length} labelled images measured by every set (${labels.filter((l) => l === 0).length} normal)\n\n| reading | AUC of the vCDR |\n| --- | ---: |\n`);
for (const n of names) process.stdout.write(`| ${n} | ${auc(vcdrOf(n), labels).toFixed(3)} |\n`);
const columns = averaged.map(vcdrOf);
const mean = ids.map((_, i) => columns.reduce((s, c) => s + c[i]!, 0) / columns.length);
process.stdout.write(`| mean of ${averaged.join(', ')} | ${auc(mean, labels).toFixed(3)} |\n`);
