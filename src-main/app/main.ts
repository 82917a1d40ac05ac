// The Electron main process: thin glue between Electron and the services of
// services.ts. It owns the window, the menu, the two custom protocols and the
// IPC registration, and nothing else: every decision about studies, cases,
// models and jobs is made in src-main/core behind services.dispatch.
//
// Start-up, in order: user-data folder (GLAUCOMA_STUDIO_USER_DATA overrides it,
// like serve.ts), privileged schemes and the sandbox for every renderer (both
// before 'ready'), the single-instance lock, then on 'ready': the log, the
// permission policy, app:// for the renderer, the services (job process on a
// utilityProcess), gs-media:// for images, IPC, the menu, the window.
// Quitting waits for services.close(): a running job is marked interrupted
// (resumable) and the database is closed cleanly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess, type MessageBoxOptions, type OpenDialogOptions } from 'electron';
import { METHODS } from '../core/contract/contract';
import type { Log } from '../core/log';
import { apiMethodsArgument, APP_ORIGIN, APP_SCHEME, MEDIA_SCHEME } from './channels';
import { forwardEvents, registerIpc } from './ipc';
import { createFileLog } from './log';
import { applicationMenuTemplate, importFolderAction } from './menu';
import { createPrintToPdf } from './print-pdf';
import { bundledModelDir } from './resources';
import { PRIVILEGED_SCHEMES, serveMedia, serveRenderer } from './protocols';
import { createSenderCheck, denyAllPermissions, hardenWebContents, originOf, refuseDevices, SECURE_WEB_PREFERENCES } from './security';
import { createServices, jobServerFromEnv, type Services } from './services';
import { utilityLauncher } from './utility-launcher';

const PRODUCT_NAME = 'Glaucoma Studio';

/** out/main: the main bundle, the job process's worker.js beside it, preload and renderer next door. */
const mainDir = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(mainDir, '..', 'renderer');
const preloadFile = path.join(mainDir, '..', 'preload', 'index.cjs');
const workerFile = path.join(mainDir, 'worker.js');

/** electron-vite's dev server (development only); the packaged app serves app:// alone. */
const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;
const trustedOrigins = [APP_ORIGIN, ...(devServerUrl ? [originOf(devServerUrl)].filter((o): o is string => o !== null) : [])];

// ---------- before 'ready' ----------

const userDataOverride = process.env.GLAUCOMA_STUDIO_USER_DATA;
if (userDataOverride) app.setPath('userData', path.resolve(userDataOverride));
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);
app.enableSandbox();

const windows = new Set<BrowserWindow>();
let mainWindow: BrowserWindow | null = null;

function openWindows(): BrowserWindow[] {
  return [...windows].filter((w) => !w.isDestroyed());
}

function windowIcon(): string | undefined {
  // Linux and Windows take the window icon from here in development; packaged builds have it in the executable.
  const icon = path.join(app.getAppPath(), 'resources', 'icon.png');
  return process.platform !== 'darwin' && fs.existsSync(icon) ? icon : undefined;
}

function createMainWindow(): BrowserWindow {
  const icon = windowIcon();
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: PRODUCT_NAME,
    backgroundColor: '#14171b',
    ...(icon ? { icon } : {}),
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadFile, additionalArguments: [apiMethodsArgument(METHODS)] },
  });
  windows.add(win);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    windows.delete(win);
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}

async function pickFolder(): Promise<string | null> {
  const options: OpenDialogOptions = { title: 'Choose a folder of fundus photographs', properties: ['openDirectory'] };
  const parent = BrowserWindow.getFocusedWindow() ?? mainWindow;
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** A hidden, script-less window for printing reports (print-pdf.ts). */
function hiddenReportPage(): { loadFile(file: string): Promise<void>; printToPdf(): Promise<Uint8Array>; close(): void } {
  const win = new BrowserWindow({
    show: false,
    width: 900,
    height: 1200,
    webPreferences: { ...SECURE_WEB_PREFERENCES, javascript: false },
  });
  return {
    loadFile: (file) => win.loadFile(file),
    printToPdf: async () => new Uint8Array(await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true })),
    close: () => {
      if (!win.isDestroyed()) win.destroy();
    },
  };
}

async function tell(kind: 'info' | 'error', message: string, detail: string): Promise<void> {
  const options: MessageBoxOptions = { type: kind, title: PRODUCT_NAME, message, detail, buttons: ['OK'] };
  const parent = BrowserWindow.getFocusedWindow() ?? mainWindow;
  await (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
}

function startServices(log: Log): Services {
  const jobServer = jobServerFromEnv();
  return createServices({
    userDataDir: app.getPath('userData'),
    bundledModelDir: bundledModelDir(app, process.resourcesPath),
    launcher: utilityLauncher({
      fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
      workerPath: workerFile,
      serviceName: `${PRODUCT_NAME} jobs`,
      log,
    }),
    // The job-server setting: with GLAUCOMA_STUDIO_JOB_SERVER set, screening and fine-tuning run on that queue's workers.
    ...(jobServer ? { jobServer } : {}),
    shell: 'electron',
    appVersion: app.getVersion(),
    printToPdf: createPrintToPdf(hiddenReportPage),
    pickFolder,
    // The page may name only folders chosen in the picker; GLAUCOMA_STUDIO_FOLDERS (path-list) adds roots
    // under which a typed folder is allowed too (the Electron e2e test, a managed install).
    folderRoots: (process.env.GLAUCOMA_STUDIO_FOLDERS ?? '').split(path.delimiter).filter((f) => f !== '').map((f) => path.resolve(f)),
    log,
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  const log = createFileLog(path.join(app.getPath('userData'), 'logs', 'main.log'));
  log('info', `${PRODUCT_NAME} ${app.getVersion()} (Electron ${process.versions.electron}) starting; user data in ${app.getPath('userData')}`);

  // Every webContents, whoever creates it: no navigation away, no new windows, no <webview>.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, trustedOrigins, log));
  denyAllPermissions(session.defaultSession, log);
  refuseDevices(session.defaultSession, log);
  protocol.handle(APP_SCHEME, (request) => serveRenderer(rendererDir, request));

  let services: Services;
  try {
    services = startServices(log);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log('error', `could not start: ${error instanceof Error ? (error.stack ?? message) : message}`);
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, message);
    app.exit(1);
    return;
  }
  for (const note of services.notes) log('info', note);

  protocol.handle(MEDIA_SCHEME, (request) => serveMedia((pathname, query) => services.media(pathname, query), request, trustedOrigins));
  registerIpc(ipcMain, {
    dispatch: (method, input) => services.dispatch(method, input),
    isTrustedSender: createSenderCheck({ trustedOrigins, isOurWebContents: (id) => openWindows().some((w) => w.webContents.id === id) }),
    log,
  });
  forwardEvents(
    (listener) => services.events.subscribe(listener),
    () => openWindows().map((w) => w.webContents),
  );
  // Load TensorFlow in the job process now, so the status bar shows the backend before the first job.
  services.jobs.warmUp();

  const importFolder = importFolderAction({ pickFolder: services.pickFolder ?? pickFolder, dispatch: (method, input) => services.dispatch(method, input), tell });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate({
        platform: process.platform,
        developerTools: !app.isPackaged,
        actions: {
          importFolder: () => void importFolder().catch((error: unknown) => log('error', `import from the menu: ${String(error)}`)),
          showDataFolder: () => void shell.openPath(app.getPath('userData')),
        },
      }),
    ),
  );
  app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion(), copyright: 'MIT licence' });

  mainWindow = createMainWindow();

  app.on('second-instance', () => {
    const win = mainWindow ?? createMainWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (openWindows().length === 0) mainWindow = createMainWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the services: the running job is marked interrupted, the job process stopped, the database closed.
  let closing: Promise<void> | null = null;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closing ??= services
      .close()
      .catch((error: unknown) => log('error', `closing the services: ${String(error)}`))
      .finally(() => {
        closed = true;
        log('info', 'stopped');
        app.quit();
      });
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another window of the same user-data folder is open: it is focused (second-instance) and this one leaves.
  app.quit();
} else {
  start().catch((error: unknown) => {
    process.stderr.write(`${PRODUCT_NAME} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    app.exit(1);
  });
}
