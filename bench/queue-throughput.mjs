#!/usr/bin/env node
// Throughput of screening on the job queue (docs/distributed.md): one local
// run, then the same folder through a redis-server on 127.0.0.1 with one and
// with two workers, every TensorFlow job process on one thread.
//
//   node bench/queue-throughput.mjs [--images DIR] [--copies K] [--model PKG] [--json FILE]
//
// It starts its own redis-server (Debian's package) on a free port and stops it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'glaucoma-studio.mjs');
const { values } = parseArgs({ options: { images: { type: 'string' }, copies: { type: 'string' }, model: { type: 'string' }, json: { type: 'string' } } });
const source = path.resolve(values.images ?? path.join(root, '..', 'shared', 'data', 'refuge-samples'));
const copies = Number(values.copies ?? 2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-queue-bench-'));
const single = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1' };
const modelArgs = values.model ? ['--model', path.resolve(values.model)] : [];

function imagesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? imagesUnder(path.join(dir, e.name)) : /\.(jpe?g|png|bmp|tiff?)$/i.test(e.name) ? [path.join(dir, e.name)] : []));
}

// The folder: each photograph `copies` times under distinct names.
const folder = path.join(tmp, 'images');
fs.mkdirSync(folder);
const originals = imagesUnder(source).sort();
for (let c = 0; c < copies; c++) for (const f of originals) fs.copyFileSync(f, path.join(folder, `${c}-${path.basename(f)}`));
const count = originals.length * copies;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(args, env = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`glaucoma-studio ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
}

/** Mean of summary.csv's Milliseconds column: the screening step itself, inside the job process. */
function meanMs(out) {
  const [header, ...rows] = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n');
  const column = header.split(',').indexOf('Milliseconds');
  return rows.reduce((s, r) => s + Number(r.split(',')[column]), 0) / rows.length;
}

/**
 * Steady-state throughput of a queue run, in images per second: the images
 * after the first over the time between the first and the last image's record
 * (.glaucoma-studio-queue/images/*.json, written as each image is done). It
 * leaves out the run's fixed costs (the command's start, enqueueing, the
 * workers' first model load, gathering), which a 20-image run cannot amortise
 * and a programme's tens of thousands of photographs do.
 */
function steadyRate(out) {
  const dir = path.join(out, '.glaucoma-studio-queue', 'images');
  const times = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => fs.statSync(path.join(dir, f)).mtimeMs).sort((a, b) => a - b);
  return times.length > 1 ? ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]) : null;
}

async function withWorkers(url, n, fn) {
  const workers = Array.from({ length: n }, (_, i) => spawn(process.execPath, [bin, 'worker', '--queue', url, '--threads', '1', '--model-cache', path.join(tmp, `cache-${i}`)], { stdio: ['ignore', 'ignore', 'pipe'] }));
  for (const w of workers) w.stderr.resume();
  try {
    for (;;) {
      const status = JSON.parse(run(['queue', 'status', '--queue', url, '--json']).stdout);
      if (status.workers.length >= n) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    return await fn();
  } finally {
    await Promise.all(workers.map((w) => new Promise((r) => { w.once('exit', r); w.kill('SIGTERM'); })));
  }
}

const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${port}`;
try {
  // Warm the page cache and the bundle first, so the first timed run is not penalised.
  run(['screen', folder, '--out', path.join(tmp, 'warm'), '--no-overlays', ...modelArgs], single);
  const local = run(['screen', folder, '--out', path.join(tmp, 'local'), ...modelArgs], single);
  const localMs = meanMs(path.join(tmp, 'local'));
  const one = await withWorkers(url, 1, async () => run(['screen', folder, '--out', path.join(tmp, 'q1'), '--queue', url, ...modelArgs]));
  const oneMs = meanMs(path.join(tmp, 'q1'));
  const two = await withWorkers(url, 2, async () => run(['screen', folder, '--out', path.join(tmp, 'q2'), '--queue', url, ...modelArgs]));
  const twoMs = meanMs(path.join(tmp, 'q2'));
  const perImage = (s) => (s * 1000) / count;
  const result = {
    machine: `${os.cpus()[0]?.model} x${os.cpus().length}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    images: count,
    local: { wallS: local.seconds, msPerImageScreening: localMs },
    oneWorker: { wallS: one.seconds, msPerImageWall: perImage(one.seconds), msPerImageScreening: oneMs },
    twoWorkers: { wallS: two.seconds, msPerImageWall: perImage(two.seconds), msPerImageScreening: twoMs },
    speedupTwoOverOne: one.seconds / two.seconds,
    steadyState: { oneWorkerImagesPerS: steadyRate(path.join(tmp, 'q1')), twoWorkersImagesPerS: steadyRate(path.join(tmp, 'q2')) },
    // What the queue adds: the one-worker queue run against the local run of the same folder (same outputs written,
    // same command start), per image and as a share of the local run's time per image.
    queueOverheadMsPerImage: perImage(one.seconds) - perImage(local.seconds),
    queueOverheadPercent: ((one.seconds - local.seconds) / local.seconds) * 100,
    // Wall time per image outside the screening step with one worker (writing masks, overlays and records, the
    // command's start and gathering): work the local run does as well, not the queue's.
    outsideScreeningStepMsPerImage: perImage(one.seconds) - oneMs,
  };
  result.steadyState.speedupTwoOverOne = result.steadyState.oneWorkerImagesPerS && result.steadyState.twoWorkersImagesPerS ? result.steadyState.twoWorkersImagesPerS / result.steadyState.oneWorkerImagesPerS : null;
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  redis.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
