// The back end without Electron: the services and the local HTTP bridge, for
// the browser mode and the Chromium e2e tests. Prints one JSON line
// {"url", "token", "pageUrl"} on stdout when it is ready; open pageUrl (the
// token travels in the fragment). Stops on SIGINT/SIGTERM, interrupting a
// running job (resumable next time).
//
//   npx tsx src-main/app/serve.ts --user-data DIR [--renderer out/renderer] [--model resources/model]
//                                 [--worker FILE] [--port 0] [--user NAME] [--folders DIR]...
// --folders: the page may import from and export to folders under DIR only (repeatable; default the home folder).
// --worker names the job process entry (default: the built worker.mjs, else src-main/worker/main.ts through tsx).
//                                 [--worker FILE] [--port 0] [--user NAME] [--job-server redis://HOST:PORT]
// --worker names the job process entry (default: the built worker.mjs, else src-main/worker/main.ts through tsx);
// --job-server (or GLAUCOMA_STUDIO_JOB_SERVER) runs the jobs on that queue's workers instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBridge } from './bridge';
import type { JobProcessLauncher } from '../core/jobs/launcher';
import { defaultWorkerEntry, forkLauncher } from '../platform/fork-launcher';
import { createServices, jobServerFromEnv } from './services';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A launcher that explains what is missing instead of starting a process that cannot run. */
function missingWorker(reason: string): JobProcessLauncher {
  return {
    launch() {
      throw new Error(reason);
    },
  };
}

function launcherFor(workerFile: string | undefined): JobProcessLauncher {
  if (workerFile !== undefined) {
    const entry = path.resolve(workerFile);
    if (!fs.existsSync(entry)) return missingWorker(`the job process entry ${entry} does not exist`);
    return forkLauncher({ entry, execArgv: /\.[cm]?ts$/.test(entry) ? ['--import', 'tsx'] : [] });
  }
  try {
    return forkLauncher(defaultWorkerEntry());
  } catch (error) {
    return missingWorker(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'user-data': { type: 'string' },
      renderer: { type: 'string' },
      model: { type: 'string' },
      worker: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      folders: { type: 'string', multiple: true },
      'job-server': { type: 'string' },
    },
    strict: true,
  });
  const userDataDir = path.resolve(values['user-data'] ?? process.env.GLAUCOMA_STUDIO_USER_DATA ?? path.join(os.homedir(), '.glaucoma-studio'));
  const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const jobServer = values['job-server'] ? { url: values['job-server'] } : jobServerFromEnv();
  const services = createServices({
    userDataDir,
    bundledModelDir: path.resolve(values.model ?? path.join(repoRoot, 'resources', 'model')),
    launcher: launcherFor(values.worker),
    ...(jobServer ? { jobServer } : {}),
    shell: 'browser',
    appVersion: version,
    ...(values.user ? { user: values.user } : {}),
    // The page has no picker here: it may name folders under these (default: the home folder).
    folderRoots: (values.folders ?? [os.homedir()]).map((f) => path.resolve(f)),
  });
  // Load TensorFlow in the job process now, so the UI can show the backend before the first job.
  services.jobs.warmUp();
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  const bridge = await startBridge({
    handlers: services.handlers,
    subscribe: (listener) => services.events.subscribe(listener),
    media: (pathname, query) => services.media(pathname, query),
    rendererDir: path.resolve(values.renderer ?? path.join(repoRoot, 'out', 'renderer')),
    port,
    log: (method, error) => process.stderr.write(`[error] ${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
  });
  process.stdout.write(`${JSON.stringify({ url: bridge.url, token: bridge.token, pageUrl: bridge.pageUrl })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await bridge.close();
      await services.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`glaucoma-studio serve: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
