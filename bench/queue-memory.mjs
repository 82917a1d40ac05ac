#!/usr/bin/env node
// Redis memory per queued screening job (docs/distributed.md): adds 10,000
// screen-image jobs with realistic paths and our job options to a throw-away
// redis-server on 127.0.0.1 and reports used_memory's growth per job.
//   node bench/queue-memory.mjs
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import { Queue } from 'bullmq';

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const mem = () => Number(/used_memory:(\d+)/.exec(execFileSync('redis-cli', ['-p', String(port), 'info', 'memory']).toString())[1]);
const queue = new Queue('glaucoma-studio', { connection: { host: '127.0.0.1', port } });
try {
  await queue.waitUntilReady();
  const before = mem();
  const N = 10_000;
  const base = { run: '0123456789abcdef', modelDir: '/mnt/screening/models/default-model-v3', modelSha256: 'a'.repeat(64), outDir: '/mnt/screening/week-12-results', tta: true, overlays: true };
  for (let i = 0; i < N; i += 1000) {
    await queue.addBulk(
      Array.from({ length: 1000 }, (_, k) => ({
        name: 'screen-image',
        data: { ...base, item: { file: `/mnt/screening/week-12/site-a/IMG_${i + k}.jpg`, name: `IMG_${i + k}.jpg`, stem: `IMG_${i + k}` } },
        opts: { jobId: `0123456789abcdef-${(i + k).toString(16).padStart(24, '0')}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 604800, count: 100000 }, removeOnFail: false },
      })),
    );
  }
  console.log(JSON.stringify({ jobs: N, bytesPerJob: Math.round((mem() - before) / N) }));
} finally {
  await queue.close();
  redis.kill('SIGTERM');
}
