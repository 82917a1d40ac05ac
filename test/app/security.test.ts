// The security checklist pieces without Electron: the CSP, which URLs count as
// ours, the IPC sender check, navigation / new-window / <webview> refusal and
// the permission policy, each against a fake of the Electron object it touches.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src-main/app/bridge';
import {
  createSenderCheck,
  denyAllPermissions,
  ELECTRON_RENDERER_CSP,
  hardenWebContents,
  isTrustedUrl,
  refuseDevices,
  originOf,
  SECURE_WEB_PREFERENCES,
  withSource,
  type DeviceSession,
  type HardenableContents,
  type IpcSenderLike,
  type PreventableEvent,
} from '../../src-main/app/security';

const directives = (csp: string): Map<string, string[]> => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));

describe('the renderer CSP', () => {
  it("is the bridge's policy with the media protocol added to img-src only", () => {
    const base = directives(RENDERER_CSP);
    const ours = directives(ELECTRON_RENDERER_CSP);
    expect([...ours.keys()]).toEqual([...base.keys()]);
    for (const [name, sources] of base) {
      expect(ours.get(name)).toEqual(name === 'img-src' ? [...sources, 'gs-media:'] : sources);
    }
    expect(ours.get('script-src')).toEqual(["'self'"]);
    expect(ours.get('object-src')).toEqual(["'none'"]);
  });

  it('allows no inline style or script, in the header and in index.html alike', () => {
    for (const csp of [RENDERER_CSP, ELECTRON_RENDERER_CSP]) {
      expect(directives(csp).get('style-src')).toEqual(["'self'"]);
      expect(csp).not.toContain('unsafe-');
    }
    const html = fs.readFileSync(path.resolve(import.meta.dirname, '../../src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]!;
    expect(directives(meta).get('style-src')).toEqual(["'self'"]);
    expect(meta).not.toContain('unsafe-');
  });

  it('withSource adds once and refuses a directive that is not there', () => {
    expect(withSource("img-src 'self'; connect-src 'self'", 'img-src', 'data:')).toBe("img-src 'self' data:; connect-src 'self'");
    expect(withSource("img-src 'self' data:", 'img-src', 'data:')).toBe("img-src 'self' data:");
    expect(() => withSource("img-src 'self'", 'media-src', 'data:')).toThrow(/no media-src/);
  });
});

describe('the web preferences', () => {
  it('isolate, sandbox and keep Node out', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });
});

describe('origins', () => {
  it('are scheme://host, also for schemes Node does not know', () => {
    expect(originOf('app://glaucoma-studio/index.html#x')).toBe('app://glaucoma-studio');
    expect(originOf('gs-media://app/media/case/1/image?model=m')).toBe('gs-media://app');
    expect(originOf('http://localhost:5173/src/main.ts')).toBe('http://localhost:5173');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });

  it('trust only the listed origins', () => {
    const trusted = ['app://glaucoma-studio'];
    expect(isTrustedUrl('app://glaucoma-studio/index.html', trusted)).toBe(true);
    expect(isTrustedUrl('app://glaucoma-studio.evil.org/index.html', trusted)).toBe(false);
    expect(isTrustedUrl('app://other/index.html', trusted)).toBe(false);
    expect(isTrustedUrl('https://glaucoma-studio/', trusted)).toBe(false);
    expect(isTrustedUrl('file:///work/out/renderer/index.html', trusted)).toBe(false);
  });
});

describe('the IPC sender check', () => {
  const check = createSenderCheck({ trustedOrigins: ['app://glaucoma-studio'], isOurWebContents: (id) => id === 1 });
  const event = (id: number, url: string, parent: unknown = null): IpcSenderLike => ({ sender: { id }, senderFrame: { url, parent } });

  it("accepts our window's top frame on our page", () => {
    expect(check(event(1, 'app://glaucoma-studio/index.html'))).toBe(true);
  });

  it('refuses another page, a sub-frame, a foreign webContents and a vanished frame', () => {
    expect(check(event(1, 'https://example.org/'))).toBe(false);
    expect(check(event(1, 'app://glaucoma-studio/index.html', { url: 'app://glaucoma-studio/' }))).toBe(false);
    expect(check(event(2, 'app://glaucoma-studio/index.html'))).toBe(false);
    expect(check({ sender: { id: 1 }, senderFrame: null })).toBe(false);
    const gone = {
      sender: { id: 1 },
      get senderFrame(): IpcSenderLike['senderFrame'] {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(check(gone)).toBe(false);
  });
});

class FakeContents implements HardenableContents {
  readonly listeners = new Map<string, (event: PreventableEvent, url: string) => void>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Fires an event; returns whether the listener prevented it. */
  fire(name: string, url = ''): boolean {
    let prevented = false;
    this.listeners.get(name)!({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('hardenWebContents', () => {
  const setup = () => {
    const contents = new FakeContents();
    const logged: string[] = [];
    hardenWebContents(contents, ['app://glaucoma-studio'], (level, message) => logged.push(`${level} ${message}`));
    return { contents, logged };
  };

  it('lets the app navigate within its own origin only', () => {
    const { contents, logged } = setup();
    expect(contents.fire('will-navigate', 'app://glaucoma-studio/index.html')).toBe(false);
    expect(contents.fire('will-navigate', 'https://example.org/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///home/reader/photo.jpg')).toBe(true);
    expect(contents.fire('will-redirect', 'https://example.org/')).toBe(true);
    expect(logged).toEqual(['warn blocked navigation to https://example.org/', 'warn blocked navigation to file:///home/reader/photo.jpg', 'warn blocked redirect to https://example.org/']);
  });

  it('guards every frame: will-frame-navigate refuses a sub-frame or the main frame leaving our origin', () => {
    const { contents, logged } = setup();
    const frameNavigate = (url: string, isMainFrame: boolean): boolean => {
      let prevented = false;
      (contents.listeners.get('will-frame-navigate') as unknown as (d: PreventableEvent & { url: string; isMainFrame: boolean }) => void)({ preventDefault: () => (prevented = true), url, isMainFrame });
      return prevented;
    };
    expect(frameNavigate('app://glaucoma-studio/index.html', true)).toBe(false);
    expect(frameNavigate('https://example.org/', false)).toBe(true);
    expect(frameNavigate('file:///etc/passwd', true)).toBe(true);
    expect(logged).toEqual(['warn blocked frame navigation to https://example.org/', 'warn blocked navigation to file:///etc/passwd']);
  });

  it('cancels the Bluetooth chooser instead of letting Electron pick the first device', () => {
    const { contents } = setup();
    let prevented = false;
    const answers: string[] = [];
    (contents.listeners.get('select-bluetooth-device') as unknown as (e: PreventableEvent, d: unknown[], cb: (id: string) => void) => void)({ preventDefault: () => (prevented = true) }, [{ deviceId: 'b1' }], (id) => answers.push(id));
    expect(prevented).toBe(true);
    expect(answers).toEqual(['']);
  });

  it('denies every new window and every <webview>', () => {
    const { contents } = setup();
    expect(contents.openHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'app://glaucoma-studio/index.html' })).toEqual({ action: 'deny' });
    expect(contents.fire('will-attach-webview')).toBe(true);
  });
});

describe('denyAllPermissions', () => {
  it('refuses every request and every check', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: ((contents: unknown, permission: string) => boolean) | null = null;
    const logged: string[] = [];
    denyAllPermissions(
      { setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) },
      (level, message) => logged.push(`${level} ${message}`),
    );
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) request!(null, permission, (granted) => answers.push(granted));
    expect(answers).toEqual([false, false, false, false]);
    expect(check!(null, 'media')).toBe(false);
    expect(logged[0]).toBe('warn refused the permission request "media"');
  });
});

describe('refuseDevices', () => {
  it('grants no device and cancels the HID, USB and serial choosers', () => {
    let permission: ((details: unknown) => boolean) | null = null;
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const session: DeviceSession = {
      setDevicePermissionHandler: (h) => (permission = h),
      on: (event: string, listener: (...args: never[]) => void) => listeners.set(event, listener as (...args: unknown[]) => void),
    };
    const logged: string[] = [];
    refuseDevices(session, (level, message) => logged.push(`${level} ${message}`));
    expect(permission!({ deviceType: 'hid', origin: 'app://glaucoma-studio' })).toBe(false);
    const answers: unknown[] = [];
    let prevented = 0;
    const event = { preventDefault: () => prevented++ };
    listeners.get('select-hid-device')!(event, { deviceList: [{ deviceId: 'h1' }] }, (id?: string) => answers.push(id));
    listeners.get('select-usb-device')!(event, { deviceList: [{ deviceId: 'u1' }] }, (id?: string) => answers.push(id));
    listeners.get('select-serial-port')!(event, [{ portId: 's1' }], {}, (id: string) => answers.push(id));
    expect(prevented).toBe(3);
    expect(answers).toEqual([undefined, undefined, '']);
    expect(logged).toEqual(['warn refused a HID device chooser', 'warn refused a USB device chooser', 'warn refused a serial device chooser']);
  });
});
