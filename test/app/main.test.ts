// main.ts end to end against a stand-in for the 'electron' module (the binary
// is absent here) and real services on a temporary user-data folder: what is
// done before 'ready', the window's hardening, the protocols, IPC over the
// whole contract with the sender check, events to the window, the menu, and a
// quit that waits for the services. What only a real Electron can show (the
// sandboxed preload, the page itself) is the Electron e2e's job.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METHODS } from '../../src-main/core/contract/contract';
import type { ApiResult } from '../../src-main/core/contract/dispatch';
import { generateFundus } from '../../src-main/core/data/synth';
import { encodePng } from '../../src-main/core/report/png';
import { DATABASE_FILE } from '../../src-main/core/store/store';

type Handler = (event: unknown, ...args: unknown[]) => Promise<ApiResult>;
type ProtocolHandler = (request: Request) => Promise<Response>;

/** Everything main.ts did to Electron, in order where order matters. */
const record = vi.hoisted(() => ({
  calls: [] as string[],
  ipc: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  protocols: new Map<string, (request: Request) => Promise<Response>>(),
  schemes: [] as Array<{ scheme: string }>,
  windows: [] as Array<{ options: Record<string, unknown>; url: string; contents: { id: number; sent: unknown[]; listeners: Map<string, unknown>; openHandler: unknown } }>,
  menu: null as unknown,
  permissionRequest: null as null | ((c: unknown, p: string, cb: (granted: boolean) => void) => void),
  userData: '',
  appPath: '',
  /** What the stand-in folder picker answers (null: cancelled). */
  pick: null as string | null,
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    setPath: (name: string, value: string) => {
      record.calls.push(`setPath ${name}`);
      if (name === 'userData') record.userData = value;
    },
    getPath: (name: string) => (name === 'userData' ? record.userData : os.tmpdir()),
    getAppPath: () => record.appPath,
    getVersion: () => '0.1.0-test',
    enableSandbox: () => record.calls.push('enableSandbox'),
    requestSingleInstanceLock: () => {
      record.calls.push('requestSingleInstanceLock');
      return true;
    },
    whenReady: () => {
      record.calls.push('whenReady');
      return Promise.resolve();
    },
    quit: () => {
      record.calls.push('quit');
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) record.calls.push('quit done');
    },
    exit: (code: number) => record.calls.push(`exit ${code}`),
    setAboutPanelOptions: () => {},
  });
  let nextId = 1;
  class BrowserWindow extends Emitter {
    static getFocusedWindow = () => null;
    readonly webContents: { id: number; sent: unknown[]; listeners: Map<string, unknown>; openHandler: unknown; send: (c: string, e: unknown) => void; isDestroyed: () => boolean; on: (n: string, l: unknown) => void; setWindowOpenHandler: (h: unknown) => void };
    constructor(readonly options: Record<string, unknown>) {
      super();
      const contents = {
        id: nextId++,
        sent: [] as unknown[],
        listeners: new Map<string, unknown>(),
        openHandler: null as unknown,
        send: (channel: string, event: unknown) => contents.sent.push([channel, event]),
        isDestroyed: () => false,
        on: (name: string, listener: unknown) => contents.listeners.set(name, listener),
        setWindowOpenHandler: (handler: unknown) => (contents.openHandler = handler),
      };
      this.webContents = contents;
      record.windows.push({ options, url: '', contents });
      app.emit('web-contents-created', {}, contents);
    }
    loadURL(url: string) {
      record.windows.find((w) => w.contents === this.webContents)!.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
  }
  return {
    app,
    BrowserWindow,
    dialog: { showOpenDialog: async () => (record.pick === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [record.pick] }), showMessageBox: async () => ({ response: 0 }), showErrorBox: (t: string, m: string) => record.calls.push(`error box ${t}: ${m}`) },
    ipcMain: { handle: (channel: string, listener: Handler) => record.ipc.set(channel, listener), removeHandler: (channel: string) => record.ipc.delete(channel) },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: (menu: unknown) => (record.menu = menu) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: Array<{ scheme: string }>) => {
        record.calls.push('registerSchemesAsPrivileged');
        record.schemes = schemes;
      },
      handle: (scheme: string, handler: ProtocolHandler) => record.protocols.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof record.permissionRequest) => (record.permissionRequest = h),
        setPermissionCheckHandler: () => {},
        setDevicePermissionHandler: () => record.calls.push('setDevicePermissionHandler'),
        on: (event: string) => record.calls.push(`session.on ${event}`),
      },
    },
    shell: { openPath: async () => '' },
    // A job process that never gets ready (TensorFlow is not loaded in this test) and exits when killed.
    utilityProcess: {
      fork: () => {
        const child = Object.assign(new Emitter(), { stdout: null, stderr: null, postMessage: () => {}, kill: () => (child.emit('exit', 0), true) });
        record.calls.push('job process started');
        // A job process that has loaded TensorFlow says so, with its backend.
        setTimeout(() => child.emit('message', { type: 'ready', backend: { name: 'cpu', device: 'test CPU', tfjsVersion: '4.22.0', skipped: [] } }), 10);
        return child;
      },
    },
  };
});

let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-main-'));
  record.appPath = path.join(tmp, 'app');
  vi.stubEnv('GLAUCOMA_STUDIO_USER_DATA', path.join(tmp, 'user-data'));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await import('../../src-main/app/main');
  for (let i = 0; i < 200 && record.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ourFrame = (id: number) => ({ sender: { id }, senderFrame: { url: 'app://glaucoma-studio/index.html', parent: null } });

describe('the Electron main process', () => {
  it('sets the user-data folder, privileged schemes and the sandbox before ready, then takes the single-instance lock', () => {
    const before = record.calls.slice(0, record.calls.indexOf('whenReady'));
    expect(before).toEqual(['setPath userData', 'registerSchemesAsPrivileged', 'enableSandbox', 'requestSingleInstanceLock']);
    expect(record.userData).toBe(path.join(tmp, 'user-data'));
    expect(record.schemes.map((s) => s.scheme)).toEqual(['app', 'gs-media']);
    expect(fs.existsSync(path.join(tmp, 'user-data', DATABASE_FILE))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'user-data', 'logs', 'main.log'))).toBe(true);
  });

  it('opens one hardened window on the app origin, with the preload and the contract in its argv', () => {
    expect(record.windows).toHaveLength(1);
    const [win] = record.windows;
    const prefs = win!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(prefs.additionalArguments).toEqual([`--glaucoma-studio-api=${METHODS.join(',')}`]);
    expect(win!.url).toBe('app://glaucoma-studio/index.html');
    expect([...win!.contents.listeners.keys()].sort()).toEqual(['select-bluetooth-device', 'will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
    expect((win!.contents.openHandler as (d: { url: string }) => unknown)({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    let granted: boolean | null = null;
    record.permissionRequest!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(record.calls).toEqual(expect.arrayContaining(['setDevicePermissionHandler', 'session.on select-hid-device', 'session.on select-usb-device', 'session.on select-serial-port']));
  });

  it('registers both protocols; media requests reach the services', async () => {
    expect([...record.protocols.keys()].sort()).toEqual(['app', 'gs-media']);
    const response = await record.protocols.get('gs-media')!(new Request('gs-media://app/media/case/nope/image'));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('case nope not found');
  });

  it('answers the whole contract over IPC for our page only', async () => {
    expect([...record.ipc.keys()].sort()).toEqual(METHODS.map((m) => `glaucoma-studio:api:${m}`).sort());
    const id = record.windows[0]!.contents.id;
    const info = (await record.ipc.get('glaucoma-studio:api:app.info')!(ourFrame(id), {})) as ApiResult;
    expect(info).toMatchObject({ ok: true, value: { version: '0.1.0-test', shell: 'electron', userDataDir: path.join(tmp, 'user-data') } });
    const stranger = (await record.ipc.get('glaucoma-studio:api:app.info')!(ourFrame(id + 100), {})) as ApiResult;
    expect(stranger).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const picked = (await record.ipc.get('glaucoma-studio:api:studies.pickFolder')!(ourFrame(id), {})) as ApiResult;
    expect(picked).toEqual({ ok: true, value: { folder: null } });
  });

  it('forwards app events to the window', async () => {
    const id = record.windows[0]!.contents.id;
    const folder = path.join(tmp, 'study');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'P001_OD.png'), encodePng(generateFundus(1, { width: 96, height: 88 }).image, 3));
    // A folder the page names itself is refused; the same folder chosen in the main-process picker is imported.
    const named = (await record.ipc.get('glaucoma-studio:api:studies.import')!(ourFrame(id), { folder })) as ApiResult;
    expect(named).toMatchObject({ ok: false, error: { code: 'input-error', file: folder, message: expect.stringMatching(/choose it with Browse/) } });
    record.pick = folder;
    const picked = (await record.ipc.get('glaucoma-studio:api:studies.pickFolder')!(ourFrame(id), {})) as ApiResult;
    expect(picked).toEqual({ ok: true, value: { folder } });
    const imported = (await record.ipc.get('glaucoma-studio:api:studies.import')!(ourFrame(id), { folder })) as ApiResult;
    expect(imported.ok).toBe(true);
    expect(record.windows[0]!.contents.sent).toContainEqual(['glaucoma-studio:event', expect.objectContaining({ type: 'study' })]);
  });

  it('starts the job process at start-up, so the backend is known before the first job', async () => {
    expect(record.calls).toContain('job process started');
    const id = record.windows[0]!.contents.id;
    let info: ApiResult | undefined;
    for (let i = 0; i < 300; i++) {
      info = (await record.ipc.get('glaucoma-studio:api:app.info')!(ourFrame(id), {})) as ApiResult;
      if (info.ok && (info.value as { backend: unknown }).backend !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(info).toMatchObject({ ok: true, value: { backend: { name: 'cpu', device: 'test CPU' } } });
    // No job has run: the backend came from the start-up.
    expect(((await record.ipc.get('glaucoma-studio:api:jobs.list')!(ourFrame(id), {})) as ApiResult)).toMatchObject({ ok: true, value: [] });
  });

  it('has the menu with File > Import folder…', () => {
    const menu = record.menu as Array<{ label?: string; submenu?: Array<{ label?: string }> }>;
    const file = menu.find((m) => m.label === 'File');
    expect(file?.submenu?.map((i) => i.label)).toContain('Import folder…');
  });

  it('quits only after the services have closed', async () => {
    const { app } = (await import('electron')) as unknown as { app: EventEmitter & { quit(): void } };
    app.quit();
    expect(record.calls.at(-1)).toBe('quit');
    for (let i = 0; i < 300 && !record.calls.includes('quit done'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(record.calls.filter((c) => c.startsWith('quit'))).toEqual(['quit', 'quit', 'quit done']);
    const id = record.windows[0]!.contents.id;
    const after = (await record.ipc.get('glaucoma-studio:api:studies.list')!(ourFrame(id), {})) as ApiResult;
    expect(after.ok).toBe(false);
  });
});
