// Entry of the job process that owns TensorFlow. Started by the CLI and the
// bridge server with child_process.fork, and by the Electron app as a
// utilityProcess: both give it a message port to its parent. It loads the
// backend once, says 'ready', then runs the jobs it is sent, one at a time.
import { parseBackendChoice, selectBackend, BACKEND_ENV } from '../platform/tf-backend';
import { createSharpCodec } from '../platform/sharp-codec';
import { errorMessage } from '../core/errors';
import { JobWorker } from '../core/jobs/worker';
import type { FromJob, ToJob } from '../core/jobs/protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** Electron's utilityProcess gives process.parentPort; Node's fork gives process.send. */
function connect(): { send: (m: FromJob) => void; onMessage: (cb: (m: ToJob) => void) => void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as ToJob)) };
  }
  if (!process.send) throw new Error('the job process must be started by a parent with an IPC channel');
  return { send: (m) => process.send!(m), onMessage: (cb) => process.on('message', (m) => cb(m as ToJob)) };
}

async function main(): Promise<void> {
  const port = connect();
  const backend = await selectBackend(parseBackendChoice(process.env[BACKEND_ENV], BACKEND_ENV));
  const worker = new JobWorker({ codec: createSharpCodec(), backend, send: port.send });
  port.onMessage((message) => {
    if (message.type === 'shutdown') {
      void worker.handle(message).then(() => process.exit(0));
      return;
    }
    worker.handle(message).catch((error: unknown) => {
      port.send({ type: 'log', jobId: null, level: 'warn', message: `job process error: ${errorMessage(error)}` });
    });
  });
  // A parent that dies must not leave TensorFlow running.
  process.on('disconnect', () => process.exit(0));
  port.send({ type: 'ready', backend });
}

main().catch((error: unknown) => {
  process.stderr.write(`job process failed to start: ${errorMessage(error)}\n`);
  process.exit(1);
});
