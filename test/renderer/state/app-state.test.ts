// AppState's notices go by themselves (errors after longer) and its route
// lives in the URL fragment: written on navigate (the token kept), read back at
// start (a reload), followed on back/forward, and a removed study falls back
// to the library.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Transport } from '../../../src-renderer/src/transport/transport';
import { AppState, NOTICE_MS } from '../../../src-renderer/src/state/app.svelte';

function fakeTransport(): Transport {
  const api = {
    'app.info': async () => ({ version: '0', userDataDir: '/u', backend: null, activeModel: null, user: 'dr', shell: 'browser' }),
    'studies.list': async () => [{ id: 's1', name: 'A', folder: '/a', createdAt: '', images: 1, screened: 0, failed: 0, byStatus: {}, suspects: 0 }],
    'jobs.list': async () => [],
    'models.list': async () => [],
  };
  return { api: api as unknown as Transport['api'], subscribe: () => () => {}, mediaUrl: (p) => p };
}

function fakeWindow(hash: string) {
  const listeners = new Set<() => void>();
  return {
    location: { hash },
    addEventListener: (_: 'hashchange', l: () => void) => void listeners.add(l),
    removeEventListener: (_: 'hashchange', l: () => void) => void listeners.delete(l),
    fire: () => listeners.forEach((l) => l()),
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('notices', () => {
  it('every kind goes by itself, errors last', () => {
    const app = new AppState(fakeTransport());
    app.notify('error', 'broken');
    app.notify('success', 'done');
    vi.advanceTimersByTime(NOTICE_MS.success);
    expect(app.notices.map((n) => n.message)).toEqual(['broken']);
    vi.advanceTimersByTime(NOTICE_MS.error - NOTICE_MS.success);
    expect(app.notices).toEqual([]);
    expect(NOTICE_MS.error).toBeGreaterThan(NOTICE_MS.info);
  });
});

describe('the route in the address', () => {
  it('opens the route of the address at start, writes the route on navigate (keeping the token), follows back/forward', async () => {
    const win = fakeWindow('#token=t0k&view=case&study=s1&case=c9');
    const app = new AppState(fakeTransport(), { window: win });
    await app.start();
    expect(app.route).toEqual({ view: 'case', studyId: 's1', caseId: 'c9' });
    app.navigate({ view: 'study', studyId: 's1' });
    expect(win.location.hash).toBe('#token=t0k&view=study&study=s1');
    win.location.hash = '#token=t0k&view=training';
    win.fire();
    expect(app.route).toEqual({ view: 'training' });
  });

  it('falls back to the library for a study that is gone', async () => {
    const app = new AppState(fakeTransport(), { window: fakeWindow('#token=t&view=study&study=gone') });
    await app.start();
    expect(app.route).toEqual({ view: 'library' });
  });
});
