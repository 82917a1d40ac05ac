import { flag, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { formatQueueStatus, queueStatus, retryFailed } from '../../queue/status';
import { QUEUE_CONNECTION_OPTIONS, queueTargetOf } from './queue-options';

export const queueCommand: CommandSpec = {
  name: 'queue',
  summary: 'the job queue\'s health: workers and their backends, waiting/active/failed jobs (status), or retry the failed ones (retry-failed)',
  usage: 'glaucoma-studio queue status|retry-failed --queue redis://HOST:PORT [--json]',
  positionals: { name: 'ACTION', description: 'status or retry-failed', required: true },
  options: {
    queue: { type: 'string', description: 'the job queue (default: $GLAUCOMA_STUDIO_QUEUE)', placeholder: 'URL' },
    json: { type: 'boolean', description: 'status as JSON' },
    ...QUEUE_CONNECTION_OPTIONS,
  },
  examples: ['glaucoma-studio queue status --queue redis://gpu-server:6379'],
};

export async function runQueueCommand(options: ParsedOptions, positionals: readonly string[]): Promise<number> {
  const url = (options.queue as string | undefined) ?? process.env.GLAUCOMA_STUDIO_QUEUE;
  if (!url) throw new UsageError('queue: --queue is required (or set GLAUCOMA_STUDIO_QUEUE)');
  const target = queueTargetOf(url, options);
  switch (positionals[0]) {
    case 'status': {
      const status = await queueStatus(target);
      process.stdout.write(flag(options, 'json') ? `${JSON.stringify(status, null, 2)}\n` : formatQueueStatus(status));
      return 0;
    }
    case 'retry-failed': {
      const count = await retryFailed(target);
      process.stdout.write(`${count} failed job(s) queued again\n`);
      return 0;
    }
    default:
      throw new UsageError(`queue: unknown action "${positionals[0]}" (use status or retry-failed)`);
  }
}
