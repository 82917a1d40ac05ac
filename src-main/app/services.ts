// The composition root: every service of the back end built once, in order,
// and handed to whoever needs it. Used by the Electron main process and by the
// bridge server (serve.ts); nothing else creates a store, a job manager or
// handlers, and no module keeps one in a global.
//
// What the Electron glue adds on top: a JobProcessLauncher on utilityProcess,
// printToPdf (webContents.printToPDF) and pickFolder (dialog.showOpenDialog);
// IPC registration that validates the sender and calls services.dispatch;
// services.events forwarded to the windows; services.media behind the
// gs-media:// protocol; services.close() on quit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Handlers } from '../core/contract/contract';
import { dispatch, type ApiResult } from '../core/contract/dispatch';
import { AppEventBus } from '../core/contract/events';
import { createHandlers, type PrintToPdf } from '../core/api/handlers';
import { resolveMedia, type MediaResponse } from '../core/api/media';
import type { ImageCodec } from '../core/data/image-codec';
import { errorMessage } from '../core/errors';
import { FinetunePlanner } from '../core/jobs/finetune';
import type { JobProcessLauncher } from '../core/jobs/launcher';
import { JobManager, type JobManagerTuning } from '../core/jobs/manager';
import type { Log } from '../core/log';
import type { Clock } from '../core/store/db';
import { checkStoredOrientations, type OrientationCheckResult } from '../core/api/orientation-check';
import { openCheckedStore } from '../core/store/integrity';
import { ModelRegistry } from '../core/registry/model-registry';
import { DATABASE_FILE, type Store } from '../core/store/store';
import { createSharpCodec } from '../platform/sharp-codec';
import { queueTarget, type QueueSecurity } from '../queue/connection';
import { queueLauncher } from '../queue/launcher';
import { openDatabase } from '../platform/sqlite';
import { confineFolders, createFolderAccess, grantingPicker } from './folder-access';
import { acquireInstanceLock } from './instance-lock';

export interface ServicesOptions {
  /** Where the database, model versions, heat maps and fine-tuning runs live. */
  readonly userDataDir: string;
  /** The bundled default model package (resources/model); may be absent. */
  readonly bundledModelDir: string | null;
  readonly launcher: JobProcessLauncher;
  /**
   * The job server: a job queue (redis:// or rediss:// URL; password and TLS as
   * for the CLI's --queue) whose workers run the app's jobs (screening,
   * fine-tuning) instead of `launcher`'s local job process. Absent: everything
   * runs locally. See jobServerFromEnv.
   */
  readonly jobServer?: JobServerSetting;
  readonly shell: 'electron' | 'browser';
  readonly appVersion: string;
  /** Who annotations and reviews are recorded as; default: the OS user name. */
  readonly user?: string;
  readonly codec?: ImageCodec;
  readonly printToPdf?: PrintToPdf;
  readonly pickFolder?: () => Promise<string | null>;
  /**
   * Folders under which the page may name a folder to import or export to (browser
   * mode: serve --folders). Folders chosen in pickFolder are always allowed; nothing
   * else is (see folder-access.ts).
   */
  readonly folderRoots?: readonly string[];
  readonly jobTuning?: Partial<JobManagerTuning>;
  readonly log?: Log;
  readonly now?: Clock;
}

export interface JobServerSetting extends QueueSecurity {
  readonly url: string;
}

/** The job-server setting from the environment: GLAUCOMA_STUDIO_JOB_SERVER=redis://gpu-server:6379 (password: GLAUCOMA_STUDIO_REDIS_PASSWORD). */
export function jobServerFromEnv(env: NodeJS.ProcessEnv = process.env): JobServerSetting | undefined {
  const url = env.GLAUCOMA_STUDIO_JOB_SERVER?.trim();
  return url ? { url } : undefined;
}

export interface Services {
  readonly userDataDir: string;
  readonly store: Store;
  readonly events: AppEventBus;
  readonly registry: ModelRegistry;
  readonly jobs: JobManager;
  readonly finetune: FinetunePlanner;
  readonly codec: ImageCodec;
  readonly handlers: Handlers;
  /** The main-process folder picker, its answer allowed to the page (absent in the browser mode). */
  readonly pickFolder?: () => Promise<string | null>;
  /** Things worth telling the user at start-up (no bundled model, interrupted jobs; the orientation check's lines are added when it ends). */
  readonly notes: readonly string[];
  /** The start-up check of cases imported before EXIF orientations were applied (core/api/orientation-check.ts). */
  readonly orientationCheck: Promise<OrientationCheckResult>;
  /** Validates and runs one API call (the transports' single entry). */
  dispatch(method: unknown, input: unknown): Promise<ApiResult>;
  /** Answers a media path (mediaPath in the contract). */
  media(pathname: string, query: URLSearchParams): Promise<MediaResponse>;
  /** Interrupts a running job (resumable), stops the job process, closes the database. */
  close(): Promise<void>;
}

function osUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createServices(options: ServicesOptions): Services {
  const userDataDir = path.resolve(options.userDataDir);
  fs.mkdirSync(userDataDir, { recursive: true });
  const log: Log = options.log ?? ((level, message) => process.stderr.write(`[${level}] ${message}\n`));
  // One instance per user-data folder, and a checked database (both throw a message naming the folder or file).
  const lock = acquireInstanceLock(userDataDir);
  let checked: ReturnType<typeof openCheckedStore>;
  try {
    checked = openCheckedStore(path.join(userDataDir, DATABASE_FILE), openDatabase, options.now ? { now: options.now } : {});
  } catch (error) {
    lock.release();
    throw error;
  }
  const store = checked.store;
  for (const note of checked.notes) log('warn', note);
  const events = new AppEventBus();
  const codec = options.codec ?? createSharpCodec();
  const registry = new ModelRegistry(store, userDataDir, options.bundledModelDir);
  const notes: string[] = [...checked.notes];
  const bundledNote = registry.ensureBundled();
  if (bundledNote) {
    notes.push(bundledNote);
    log('warn', bundledNote);
  }
  let launcher = options.launcher;
  if (options.jobServer) {
    const target = queueTarget(options.jobServer.url, options.jobServer);
    launcher = queueLauncher({ target });
    log('info', `jobs run on the job server ${target.display} (photographs, models and outputs must be at the same paths there)`);
  }
  const jobs = new JobManager({ store, registry, launcher, events, userDataDir, log, ...(options.jobTuning ? { tuning: options.jobTuning } : {}) });
  const interrupted = jobs.recover();
  if (interrupted.length > 0) notes.push(`${interrupted.length} job(s) were interrupted when the app last stopped; resume them from the jobs panel`);
  const finetune = new FinetunePlanner({ store, registry, userDataDir });
  // Reads file headers, so it runs beside the start rather than before it; close() waits for it.
  const orientationCheck = checkStoredOrientations(store, codec, options.user ?? osUser()).then(
    (result) => {
      for (const note of result.notes) {
        notes.push(note);
        log('warn', note);
      }
      return result;
    },
    (error: unknown) => {
      log('error', `orientation check: ${errorMessage(error)}`);
      return { fixed: 0, flagged: 0, notes: [] };
    },
  );
  const folders = createFolderAccess({ roots: options.folderRoots ?? [], userDataDir });
  const pickFolder = options.pickFolder ? grantingPicker(options.pickFolder, folders) : undefined;
  const handlers = confineFolders(createHandlers({
    store,
    registry,
    jobs,
    finetune,
    codec,
    events,
    identity: { version: options.appVersion, userDataDir, user: options.user ?? osUser(), shell: options.shell },
    ...(options.printToPdf ? { printToPdf: options.printToPdf } : {}),
    ...(pickFolder ? { pickFolder } : {}),
  }), folders);
  let closed = false;
  return {
    userDataDir,
    store,
    events,
    registry,
    jobs,
    finetune,
    codec,
    handlers,
    ...(pickFolder ? { pickFolder } : {}),
    notes,
    orientationCheck,
    dispatch: (method, input) => dispatch(handlers, method, input, (m, error) => log('error', `${String(m)}: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}`)),
    media: (pathname, query) => resolveMedia({ store, codec }, pathname, query),
    async close() {
      if (closed) return;
      closed = true;
      await orientationCheck;
      await jobs.close();
      store.close();
      lock.release();
    },
  };
}
