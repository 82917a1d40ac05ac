import os from 'node:os';
import path from 'node:path';
import { forkLauncher } from '../../platform/fork-launcher';
import { QueueWorker } from '../../queue/worker';
import { num, required, str, type CommandSpec, type ParsedOptions } from '../args';
import { BACKEND_OPTION, backendOf } from './common';
import { QUEUE_CONNECTION_OPTIONS, queueTargetOf } from './queue-options';

export const workerCommand: CommandSpec = {
  name: 'worker',
  summary: 'run screening and fine-tuning jobs from a job queue (Redis), on this machine\'s backend',
  usage: 'glaucoma-studio worker --queue redis://HOST:PORT [--concurrency N] [--backend NAME] [--threads N]',
  options: {
    queue: { type: 'string', description: 'the job queue: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// for TLS', placeholder: 'URL' },
    concurrency: { type: 'number', description: 'jobs at a time (one job process each)', default: 1, integer: true, min: 1 },
    threads: { type: 'number', description: 'TensorFlow and image-decoding threads per job process (default: their own choice, all cores)', integer: true, min: 1 },
    'model-cache': { type: 'string', description: 'folder where model packages are kept by content hash ("none": load them from shared storage)', placeholder: 'DIR' },
    'grace-s': { type: 'number', description: 'on SIGTERM/Ctrl-C, seconds to finish the current job before handing it back to the queue', default: 60, min: 0 },
    'lock-ms': { type: 'number', description: 'job lock: a worker that dies loses its job to another worker this long after its last renewal', default: 30000, integer: true, min: 1000 },
    'stalled-ms': { type: 'number', description: 'how often to look for jobs of workers that died', default: 30000, integer: true, min: 500 },
    'max-stalled': { type: 'number', description: 'times a job may lose its worker before it is failed', default: 2, integer: true, min: 0 },
    ...QUEUE_CONNECTION_OPTIONS,
    ...BACKEND_OPTION,
  },
  examples: ['glaucoma-studio worker --queue redis://gpu-server:6379 --concurrency 2', 'GLAUCOMA_STUDIO_REDIS_PASSWORD=... glaucoma-studio worker --queue rediss://queue.clinic.example:6380 --tls-ca ca.pem'],
};

export function defaultModelCache(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'glaucoma-studio', 'models');
}

export async function runWorker(options: ParsedOptions): Promise<number> {
  const target = queueTargetOf(required(options, 'queue', 'worker'), options);
  const backend = backendOf(options);
  const threads = options.threads;
  const env: NodeJS.ProcessEnv = {
    ...(backend === 'auto' ? {} : { GLAUCOMA_STUDIO_BACKEND: backend }),
    // --threads bounds the job process's image decoding (libvips, libuv's pool) as well as TensorFlow, so N workers
    // with one thread each share the cores instead of each decoder taking all of them.
    ...(typeof threads === 'number'
      ? { TF_NUM_INTRAOP_THREADS: String(threads), TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: String(threads), VIPS_CONCURRENCY: String(threads), UV_THREADPOOL_SIZE: String(Math.max(threads, 2)) }
      : {}),
  };
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const cacheOption = str(options, 'model-cache');
  const worker = await QueueWorker.start({
    target,
    launcher: forkLauncher(undefined, { env, onStderr: log }),
    concurrency: num(options, 'concurrency'),
    modelCache: cacheOption === 'none' ? null : path.resolve(cacheOption ?? defaultModelCache()),
    lockDurationMs: num(options, 'lock-ms'),
    stalledIntervalMs: num(options, 'stalled-ms'),
    maxStalledCount: num(options, 'max-stalled'),
    log,
  });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        log(`${signal}: finishing the current job(s) (up to ${num(options, 'grace-s')} s, then handing them back); send it again to hand them back now`);
        worker.stop(num(options, 'grace-s') * 1000).then(resolve, (error: unknown) => {
          log(`stopping: ${error instanceof Error ? error.message : String(error)}`);
          resolve();
        });
      } else {
        log(`${signal}: handing the current job(s) back now`);
        void worker.stop(0);
        worker.handBack();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  log(`worker ${worker.id} stopped`);
  return 0;
}
