// The security checklist pieces without Electron: the CSP, which URLs count as
// ours, the IPC sender check, navigation / new-window / <webview> refusal and
// the permission policy, each against a fake of the Electron object it touches.
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src-main/app/bridge';
import {
  createSenderCheck,
  denyAllPermissions,
  ELECTRON_RENDERER_CSP,
  hardenWebContents,
  isTrustedUrl,
  originOf,
  SECURE_WEB_PREFERENCES,
  withSource,
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
  on(event: string, listener: (event: PreventableEvent, url: string) => void): unknown {
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
