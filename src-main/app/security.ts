// The Electron security checklist, as code: the renderer's web preferences,
// its Content-Security-Policy, which URLs it may navigate to, who may call the
// API over IPC, and the refusal of new windows, <webview> and permission
// requests. Everything here takes minimal interfaces instead of Electron's
// classes, so test/app/security.test.ts checks it without an Electron binary.
// https://www.electronjs.org/docs/latest/tutorial/security
import type { WebPreferences } from 'electron';
import { RENDERER_CSP } from './bridge';
import type { Log } from '../core/log';
import { MEDIA_SCHEME } from './channels';

/**
 * Every window that shows our renderer: no Node, an isolated and sandboxed
 * preload, the web's same-origin rules. `preload` is added by the caller.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

/** Adds `source` to one directive of a policy (the directive must exist). */
export function withSource(csp: string, directive: string, source: string): string {
  let found = false;
  const out = csp.split(';').map((part) => {
    const words = part.trim().split(/\s+/);
    if (words[0] !== directive) return part.trim();
    found = true;
    return words.includes(source) ? part.trim() : [...words, source].join(' ');
  });
  if (!found) throw new Error(`the policy has no ${directive} directive`);
  return out.join('; ');
}

/**
 * The bridge's policy plus the media protocol for images: the renderer's own
 * files only, no inline scripts, no eval, nothing from the network. Sent as a
 * response header by the app:// protocol; index.html carries a meta tag with
 * the same sources, and a page obeys both.
 */
export const ELECTRON_RENDERER_CSP = withSource(RENDERER_CSP, 'img-src', `${MEDIA_SCHEME}:`);

/**
 * scheme://host of a URL. Node's URL gives origin 'null' for schemes it does not
 * know (app:, gs-media:), so the origin is put together from its parts.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** Whether `url` belongs to one of the origins the app trusts (its own, and the dev server in development). */
export function isTrustedUrl(url: string, trustedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && trustedOrigins.includes(origin);
}

/** What an IPC sender check reads of Electron's IpcMainInvokeEvent. */
export interface IpcSenderLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface SenderCheckOptions {
  readonly trustedOrigins: readonly string[];
  /** True for the webContents of a window this app created for its renderer. */
  readonly isOurWebContents: (id: number) => boolean;
}

/**
 * A call is trusted only when it comes from the top frame of one of our
 * windows while that frame shows our own page: not from a frame that has
 * navigated elsewhere, an embedded frame, or any other webContents.
 */
export function createSenderCheck(options: SenderCheckOptions): (event: IpcSenderLike) => boolean {
  return (event) => {
    let frame: IpcSenderLike['senderFrame'];
    try {
      frame = event.senderFrame;
    } catch {
      return false; // a frame that is gone
    }
    if (frame === null || frame.parent !== null) return false;
    if (!isTrustedUrl(frame.url, options.trustedOrigins)) return false;
    return options.isOurWebContents(event.sender.id);
  };
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of Electron's WebContents that hardening touches. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (details: PreventableEvent & { readonly url: string; readonly isMainFrame: boolean }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'select-bluetooth-device', listener: (event: PreventableEvent, devices: unknown[], callback: (deviceId: string) => void) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Applied to every webContents the app creates: navigation only within the
 * trusted origins, of the main frame and of any sub-frame (will-navigate is the
 * main frame's only; will-frame-navigate covers every frame), no new windows
 * (window.open, target=_blank: the renderer shows no external links, so none is
 * opened anywhere, not even in the system browser), no <webview>, and the
 * Bluetooth chooser cancelled (without a listener Electron picks the first device).
 */
export function hardenWebContents(contents: HardenableContents, trustedOrigins: readonly string[], log: Log): void {
  const guard = (kind: string) => (event: PreventableEvent, url: string) => {
    if (isTrustedUrl(url, trustedOrigins)) return;
    event.preventDefault();
    log('warn', `blocked ${kind} to ${url}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-frame-navigate', (details) => guard(details.isMainFrame ? 'navigation' : 'frame navigation')(details, details.url));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('warn', 'blocked a <webview>');
  });
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    log('warn', 'refused a Bluetooth device chooser');
    callback('');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log('warn', `blocked a new window for ${url}`);
    return { action: 'deny' };
  });
}

/** The parts of Electron's Session that the permission policy sets. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
}

/**
 * The app needs no web permission (camera, notifications, geolocation,
 * clipboard reading, HID...): every request and check is refused.
 */
export function denyAllPermissions(session: PermissionSession, log: Log): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log('warn', `refused the permission request "${permission}"`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/** The parts of Electron's Session that the device policy sets. */
export interface DeviceSession {
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  on(event: 'select-hid-device', listener: (event: PreventableEvent, details: unknown, callback: (deviceId?: string | null) => void) => void): unknown;
  on(event: 'select-usb-device', listener: (event: PreventableEvent, details: unknown, callback: (deviceId?: string) => void) => void): unknown;
  on(event: 'select-serial-port', listener: (event: PreventableEvent, ports: unknown, contents: unknown, callback: (portId: string) => void) => void): unknown;
}

/**
 * No device (HID, USB, serial) is ever granted, and a page's device chooser is
 * cancelled at once instead of being left to Electron's default.
 */
export function refuseDevices(session: DeviceSession, log: Log): void {
  session.setDevicePermissionHandler(() => false);
  const refused = (kind: string) => (event: PreventableEvent) => {
    event.preventDefault();
    log('warn', `refused a ${kind} device chooser`);
  };
  session.on('select-hid-device', (event, _details, callback) => (refused('HID')(event), callback()));
  session.on('select-usb-device', (event, _details, callback) => (refused('USB')(event), callback()));
  session.on('select-serial-port', (event, _ports, _contents, callback) => (refused('serial')(event), callback('')));
}
