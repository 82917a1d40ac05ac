// What the contract's handlers are built over: the services made once at
// start-up (src-main/app/services.ts) and who the app runs as.
import type { ImageCodec } from '../data/image-codec';
import type { AppEventSink } from '../contract/events';
import type { FinetunePlanner } from '../jobs/finetune';
import type { JobManager } from '../jobs/manager';
import type { ModelRegistry } from '../registry/model-registry';
import type { Store } from '../store/store';

/** Prints an HTML page to a PDF file (Electron's webContents.printToPDF); absent in the browser mode. */
export type PrintToPdf = (html: string, file: string) => Promise<void>;

export interface AppIdentity {
  readonly version: string;
  readonly userDataDir: string;
  /** Who the annotations and review events are recorded as. */
  readonly user: string;
  readonly shell: 'electron' | 'browser';
}

export interface HandlerServices {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly jobs: JobManager;
  readonly finetune: FinetunePlanner;
  readonly codec: ImageCodec;
  readonly events: AppEventSink;
  readonly identity: AppIdentity;
  readonly printToPdf?: PrintToPdf;
  /** The OS folder picker (Electron); absent in the browser mode, where the user types a path. */
  readonly pickFolder?: () => Promise<string | null>;
}
