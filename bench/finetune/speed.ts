// Time to fine-tune the bundled default model on 20 corrections, as the app
// does it (core/train/finetune.ts runFinetune with the app's default settings:
// DEFAULT_FINETUNE in core/jobs/finetune.ts), end to end: decoding the
// photographs, both networks, writing the package. No held-back validation.
//   npx tsx bench/finetune/speed.ts [--images 20] [--epochs N] [--data SPEC] [--model PKG]
// Prints the seconds and the machine's load average (a shared machine is slower).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDataset } from '../../src-main/core/data/spec';
import { DEFAULT_FINETUNE } from '../../src-main/core/jobs/finetune';
import { runFinetune } from '../../src-main/core/train/finetune';
import { labelledImagesOf } from '../../src-main/core/train/finetune-data';
import { createSharpCodec } from '../../src-main/platform/sharp-codec';
import { selectBackend } from '../../src-main/platform/tf-backend';
import { describeBackend } from '../../src-main/core/backend';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const count = Number(opt('images', '20'));
const epochs = Number(opt('epochs', String(DEFAULT_FINETUNE.epochs)));
const dataSpec = opt('data', `drishti:${path.join(root, '..', 'shared', 'data', 'drishti-gs1')}`);
const parentDir = path.resolve(opt('model', path.join(root, 'resources', 'model')));

const backend = await selectBackend();
const codec = createSharpCodec();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-ft-speed-'));
try {
  // The test split: images the default model never trained on, as a clinic's would be.
  const samples = (await openDataset(dataSpec)).dataset.samples.filter((s) => s.split === 'test' && s.masks).slice(0, count);
  const train = await labelledImagesOf(samples, codec, path.join(work, 'masks'));
  const load = os.loadavg()[0]!.toFixed(1);
  const started = performance.now();
  await runFinetune(
    {
      parentModelDir: parentDir,
      outModelDir: path.join(work, 'model'),
      runDir: path.join(work, 'run'),
      train,
      validation: [],
      replay: [],
      epochs,
      learningRate: DEFAULT_FINETUNE.learningRate,
      batchSize: DEFAULT_FINETUNE.batchSize,
      seed: 1,
      resume: false,
      modelId: 'speed',
      modelName: 'speed',
    },
    { codec, backend },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `fine-tuned the default model on ${train.length} corrections, ${epochs} epochs, batch ${DEFAULT_FINETUNE.batchSize}: ${seconds.toFixed(0)} s (${(seconds / 60).toFixed(1)} min)\n` +
      `backend: ${describeBackend(backend)}; ${os.cpus().length} cores; load average ${load} before, ${os.loadavg()[0]!.toFixed(1)} after\n`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
