// The app's services with the job-server setting pointed at a test redis-server:
// a local job process must never start (its launcher throws), every job goes
// through the queue-backed launcher to a `glaucoma-studio worker`.
import path from 'node:path';
import { createServices, type Services } from '../../src-main/app/services';
import { codec } from '../core/api/study-fixture';

export function jobServerServices(options: { tmp: string; modelDir: string; redisUrl: string }): Services {
  return createServices({
    userDataDir: path.join(options.tmp, 'user-data'),
    bundledModelDir: options.modelDir,
    // The study folders are temporary ones (the page may name only folders under the roots).
    folderRoots: [options.tmp],
    launcher: {
      launch: () => {
        throw new Error('the local job process must not start when a job server is set');
      },
    },
    jobServer: { url: options.redisUrl },
    shell: 'browser',
    appVersion: 'test',
    user: 'dr.test',
    codec,
    jobTuning: { progressIntervalMs: 0, readyTimeoutMs: 120_000 },
    log: () => {},
  });
}
