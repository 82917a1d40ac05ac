// Cancelling a job that runs on another machine: the client publishes the
// queue job's id on one Redis channel; the worker running it asks its job
// process to stop at the next safe point (as Ctrl-C does locally).
import { Redis } from 'ioredis';
import { QUEUE_NAME, type QueueTarget } from './connection';

export const CANCEL_CHANNEL = `glaucoma-studio:${QUEUE_NAME}:cancel`;

/** Calls onCancel(jobId) for every cancel request; resolves with an unsubscribe function. */
export async function subscribeCancels(target: QueueTarget, onCancel: (jobId: string) => void): Promise<() => Promise<void>> {
  const subscriber = new Redis({ ...target.connection, lazyConnect: true });
  await subscriber.connect();
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (channel: string, jobId: string) => {
    if (channel === CANCEL_CHANNEL) onCancel(jobId);
  });
  return async () => {
    subscriber.disconnect();
  };
}

export async function publishCancel(client: { publish(channel: string, message: string): Promise<number> }, jobId: string): Promise<void> {
  await client.publish(CANCEL_CHANNEL, jobId);
}
