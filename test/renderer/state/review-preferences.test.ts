// The reader's preferences: kept in storage, read back field by field, and a
// bad stored value never stops the app (defaults instead).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, parsePreferences, PREFERENCES_KEY, ReviewPreferences, serializePreferences } from '../../../src-renderer/src/state/review-preferences.svelte';

function memoryStorage() {
  const items = new Map<string, string>();
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

describe('review preferences', () => {
  it('survive a reload (a new instance on the same storage)', () => {
    const storage = memoryStorage();
    const first = new ReviewPreferences(storage);
    first.update({ tool: 'eraser', brushRadius: 25, zoom: { mode: 'fit', factor: 2.5 } });
    first.update({ queue: { sortKey: 'vcdr', order: 'asc', filter: 'corrected' } });
    first.rememberCase('s1', 'c7');
    const again = new ReviewPreferences(storage).value;
    expect(again.tool).toBe('eraser');
    expect(again.brushRadius).toBe(25);
    expect(again.zoom).toEqual({ mode: 'fit', factor: 2.5 });
    expect(again.queue).toEqual({ sortKey: 'vcdr', order: 'asc', filter: 'corrected' });
    expect(again.lastCase).toEqual({ s1: 'c7' });
  });

  it('fall back to the defaults for unreadable JSON, another version, or a bad field', () => {
    expect(parsePreferences(null)).toEqual(DEFAULT_PREFERENCES);
    expect(parsePreferences('{not json')).toEqual(DEFAULT_PREFERENCES);
    expect(parsePreferences(JSON.stringify({ version: 99, tool: 'eraser' }))).toEqual(DEFAULT_PREFERENCES);
    const mixed = parsePreferences(JSON.stringify({ ...JSON.parse(serializePreferences(DEFAULT_PREFERENCES)), tool: 'scalpel', brushRadius: -3, zoom: { mode: 'fit', factor: 'x' }, overlays: { model: false } }));
    expect(mixed.tool).toBe('brush');
    expect(mixed.brushRadius).toBeNull();
    expect(mixed.zoom).toEqual({ mode: 'fit', factor: 1 });
    expect(mixed.overlays).toEqual({ ...DEFAULT_PREFERENCES.overlays, model: false });
  });

  it('still work when storage refuses to write', () => {
    const prefs = new ReviewPreferences({ getItem: () => null, setItem: () => { throw new Error('quota'); } });
    prefs.update({ tool: 'polygon' });
    expect(prefs.value.tool).toBe('polygon');
    expect(PREFERENCES_KEY).toMatch(/glaucoma-studio/);
  });
});
