// A view of Drishti-GS1 whose cup is what at least N of the four experts drew (the dataset's own consensus, what
// `drishti:` reads, is two of four). Every file but the cup soft maps is a symbolic link to the dataset; each cup soft
// map is rewritten as 255 where at least N experts marked the pixel and 0 elsewhere, so `drishti:OUT` reads that cup
// and the usual disc. For training a cup on the experts' agreement (docs/robustness.md, "The cup trained on three of
// the four experts"); score such a model against the dataset itself (`rescore.ts` reads the run's config.json data).
//   npx tsx bench/robustness/cup-consensus-view.ts --data ../shared/data/drishti-gs1 --experts 3 --out runs/drishti-cup3
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { optionalArg as arg } from './args';

const usage = 'usage: cup-consensus-view.ts --data DRISHTI_ROOT --experts 1|2|3|4 --out DIR';
const data = arg('data');
const out = arg('out');
const experts = Number(arg('experts'));
if (!data || !out || !arg('experts')) throw new Error(usage);
if (![1, 2, 3, 4].includes(experts)) throw new Error(`--experts must be 1, 2, 3 or 4 (of the four experts), got ${arg('experts')}`);
if (!fs.existsSync(data) || !fs.statSync(data).isDirectory()) throw new Error(`${data}: dataset folder not found`);
if (fs.existsSync(out)) throw new Error(`${out}: already exists (the view is written into a new folder)`);
// The soft maps hold 0/64/128/191/255 for 0-4 experts: each count's threshold lies halfway to the next lower value.
const threshold = [32, 96, 160, 223][experts - 1]!;
const CUP_MAP = /_cupsegSoftmap\.png$/i;

let maps = 0;
async function mirror(rel: string): Promise<void> {
  for (const entry of fs.readdirSync(path.join(data!, rel), { withFileTypes: true })) {
    const file = path.join(rel, entry.name);
    const from = path.resolve(data!, file);
    const to = path.join(out!, file);
    if (entry.isDirectory()) {
      fs.mkdirSync(to);
      await mirror(file);
    } else if (CUP_MAP.test(entry.name)) {
      const { data: pixels, info } = await sharp(from)
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true })
        .catch((error: unknown) => {
          throw new Error(`${from}: cannot read the cup soft map (${error instanceof Error ? error.message : String(error)})`);
        });
      const cup = Buffer.alloc(info.width * info.height);
      for (let i = 0; i < cup.length; i++) cup[i] = pixels[i * info.channels]! >= threshold ? 255 : 0;
      await sharp(cup, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(to);
      maps++;
    } else {
      fs.symlinkSync(from, to);
    }
  }
}

fs.mkdirSync(out, { recursive: true });
await mirror('');
if (maps === 0) throw new Error(`${data}: no cup soft maps (GT/<id>/SoftMap/<id>_cupsegSoftmap.png) found: is it Drishti-GS1?`);
console.log(`${maps} cup soft maps at ${experts} of 4 experts: ${out} (read it as drishti:${out})`);
