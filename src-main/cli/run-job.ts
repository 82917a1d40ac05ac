// Runs one job in the job process (TensorFlow never loads in the CLI's own
// process), shows its progress, and returns its result. Ctrl-C asks the job to
// stop at the next safe point (checkpoints stay valid); a second Ctrl-C kills it.
import { randomUUID } from 'node:crypto';
import { describeBackend, type BackendChoice } from '../core/backend';
import type { JobChannel, JobProcessLauncher } from '../core/jobs/launcher';
import { assertNever, type FromJob, type JobResult, type JobSpec } from '../core/jobs/protocol';
import type { EpochRecord } from '../core/train/loop';
import { forkLauncher } from '../platform/fork-launcher';
import { ProgressBar } from './progress';

export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
}

export interface RunJobOptions {
  readonly backend: BackendChoice;
  readonly quiet?: boolean;
  readonly launcher?: JobProcessLauncher;
  readonly onEpoch?: (unit: string, record: EpochRecord) => void;
}

function formatEpoch(unit: string, record: EpochRecord): string {
  const losses = Object.entries(record.losses)
    .map(([t, v]) => `${t} ${v!.toFixed(4)}`)
    .join(', ');
  const validation = record.validation
    ? ` | val ${Object.entries(record.validation)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k} ${(v as number).toFixed(3)}`)
        .join(', ')}`
    : '';
  return `${unit} epoch ${record.epoch + 1}: loss ${losses}${validation} (${record.seconds.toFixed(1)} s)`;
}

export function runJob(spec: JobSpec, options: RunJobOptions): Promise<JobResult> {
  const bar = new ProgressBar();
  const say = (line: string): void => {
    if (!options.quiet) bar.log(line);
  };
  const launcher = options.launcher ?? forkLauncher(undefined, { env: options.backend === 'auto' ? {} : { GLAUCOMA_STUDIO_BACKEND: options.backend }, onStderr: (l) => bar.log(l) });
  const jobId = randomUUID();
  return new Promise<JobResult>((resolve, reject) => {
    let channel: JobChannel;
    try {
      channel = launcher.launch();
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts += 1;
      if (interrupts === 1) {
        bar.log('stopping at the next safe point (press Ctrl-C again to kill)...');
        channel.send({ type: 'cancel', jobId });
      } else {
        channel.kill();
      }
    };
    process.on('SIGINT', onSigint);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSigint);
      bar.end();
      channel.send({ type: 'shutdown' });
      fn();
    };
    channel.onExit((code) => finish(() => reject(new JobFailedError(`the job process ended unexpectedly (exit code ${code ?? 'signal'})`))));
    channel.onMessage((message: FromJob) => {
      switch (message.type) {
        case 'ready':
          say(`backend: ${describeBackend(message.backend)}`);
          for (const why of message.backend.skipped) say(`  (skipped: ${why})`);
          channel.send({ type: 'start', jobId, spec });
          return;
        case 'progress':
          if (!options.quiet) bar.update(message.progress.done, message.progress.total, message.progress.message, message.progress.etaS);
          return;
        case 'log':
          say(message.level === 'warn' ? `warning: ${message.message}` : message.message);
          return;
        case 'epoch':
          say(formatEpoch(message.unit, message.record));
          options.onEpoch?.(message.unit, message.record);
          return;
        case 'item':
        case 'item-error':
          return;
        case 'done':
          finish(() => resolve(message.result));
          return;
        case 'cancelled':
          finish(() => reject(new JobFailedError('cancelled; run the same command with --resume to continue where it stopped')));
          return;
        case 'failed':
          finish(() => reject(new JobFailedError(message.message)));
          return;
        default:
          assertNever(message, 'message from the job process');
      }
    });
  });
}
