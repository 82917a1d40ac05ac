// The application menu: the platform's standard roles (so copy/paste, undo in
// text fields, zoom and window commands behave as users expect) plus the app's
// own File > Import folder…. The template is plain data with callbacks, built
// without Electron; main.ts hands it to Menu.buildFromTemplate.
import type { MenuItemConstructorOptions } from 'electron';
import type { ApiErrorDto } from '../core/contract/contract';
import type { ApiResult } from '../core/contract/dispatch';

export interface MenuActions {
  /** File > Import folder…: pick a folder and import it as a study. */
  importFolder(): void;
  /** File > Show data folder: where the database, model versions and logs live. */
  showDataFolder(): void;
}

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  /** Reload and the developer tools: in development only. */
  readonly developerTools: boolean;
  readonly actions: MenuActions;
}

export const IMPORT_FOLDER_LABEL = 'Import folder…';

export function applicationMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: IMPORT_FOLDER_LABEL, accelerator: 'CmdOrCtrl+O', click: () => options.actions.importFolder() },
      { label: 'Show data folder', click: () => options.actions.showDataFolder() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.developerTools ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(mac ? ([{ role: 'appMenu' }] satisfies MenuItemConstructorOptions[]) : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    // macOS has About in the app menu.
    ...(mac ? [] : ([{ role: 'help', submenu: [{ role: 'about' }] }] satisfies MenuItemConstructorOptions[])),
  ];
}

export interface ImportFolderDeps {
  /** The OS folder picker; null when the user cancels. */
  readonly pickFolder: () => Promise<string | null>;
  /** services.dispatch (the same validated door as the renderer's calls). */
  readonly dispatch: (method: 'studies.import', input: { folder: string }) => Promise<ApiResult>;
  /** A message box. */
  readonly tell: (kind: 'info' | 'error', message: string, detail: string) => Promise<void>;
}

/** At most this many per-file problems are listed in the message box. */
const LISTED_PROBLEMS = 12;

interface ImportOutput {
  readonly study: { readonly name: string; readonly images: number };
  readonly problems: readonly { readonly file: string; readonly problem: string; readonly kind: 'skipped' | 'unreadable' }[];
}

/**
 * File > Import folder…: pick, import through dispatch, then say what happened.
 * The library updates itself: studies.import emits a 'study' event that reaches
 * the windows like any other.
 */
export function importFolderAction(deps: ImportFolderDeps): () => Promise<void> {
  return async () => {
    const folder = await deps.pickFolder();
    if (folder === null) return;
    const result = await deps.dispatch('studies.import', { folder });
    if (!result.ok) {
      const error: ApiErrorDto = result.error;
      await deps.tell('error', `Could not import ${folder}`, error.file && !error.message.includes(error.file) ? `${error.file}: ${error.message}` : error.message);
      return;
    }
    const { study, problems } = result.value as ImportOutput;
    const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `${p.file}: ${p.problem}`);
    if (problems.length > LISTED_PROBLEMS) listed.push(`… and ${problems.length - LISTED_PROBLEMS} more`);
    const headline = `Imported ${study.images} image${study.images === 1 ? '' : 's'} into “${study.name}”.`;
    // The unreadable images are among the images imported (cases marked unreadable); the skipped files are not.
    const unreadable = problems.filter((p) => p.kind === 'unreadable').length;
    const skipped = problems.length - unreadable;
    const counts = [unreadable > 0 ? `${unreadable} of the images cannot be read (marked unreadable in the queue)` : '', skipped > 0 ? `${skipped} other file${skipped === 1 ? ' was' : 's were'} skipped` : ''].filter(Boolean).join('; ');
    await deps.tell('info', headline, problems.length === 0 ? 'Every file could be used.' : `${counts}:\n${listed.join('\n')}`);
  };
}
