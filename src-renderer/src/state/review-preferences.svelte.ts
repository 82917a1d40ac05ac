// How the reader likes to work, kept from case to case and across reloads:
// the zoom (on the disc or the whole image, and how far in), the tool, the
// structure, the brush size, the overlays, and the review queue's sort, filter
// and last opened case per study. Stored as versioned JSON in localStorage; a
// missing, unreadable or older value falls back field by field to the
// defaults, so a bad value never stops the app.
import type { QueueFilter, QueueSortKey, SortOrder } from '../queue/sort';
import type { ToolId } from '../editor/tools/types';
import type { Structure } from '../editor/labels';

export const PREFERENCES_KEY = 'glaucoma-studio.review-preferences';
const VERSION = 1;

export interface ZoomPreference {
  /** 'disc': centred on the detected disc; 'fit': the whole image. */
  readonly mode: 'disc' | 'fit';
  /** The zoom relative to that mode's starting zoom (1: as opened). */
  readonly factor: number;
}

export interface OverlayPreference {
  readonly model: boolean;
  readonly expert: boolean;
  readonly fill: boolean;
  readonly fovea: boolean;
  readonly heatmap: 'none' | 'od' | 'oc' | 'fovea';
  readonly heatmapOpacity: number;
}

export interface QueuePreference {
  readonly sortKey: QueueSortKey;
  readonly order: SortOrder;
  readonly filter: QueueFilter;
}

export interface Preferences {
  readonly zoom: ZoomPreference;
  readonly tool: ToolId;
  readonly structure: Structure;
  /** Brush radius in image pixels; null: chosen from the image's size. */
  readonly brushRadius: number | null;
  readonly overlays: OverlayPreference;
  readonly queue: QueuePreference;
  /** The case last opened from each study's queue (to come back to it). */
  readonly lastCase: Readonly<Record<string, string>>;
}

export const DEFAULT_PREFERENCES: Preferences = {
  zoom: { mode: 'disc', factor: 1 },
  tool: 'brush',
  structure: 'cup',
  brushRadius: null,
  overlays: { model: true, expert: true, fill: true, fovea: true, heatmap: 'none', heatmapOpacity: 0.5 },
  queue: { sortKey: 'probability', order: 'desc', filter: 'all' },
  lastCase: {},
};

const TOOLS: readonly ToolId[] = ['brush', 'eraser', 'polygon', 'ellipse', 'fovea'];
const SORT_KEYS: readonly QueueSortKey[] = ['probability', 'vcdr', 'uncertainty', 'status', 'name'];
const FILTERS: readonly QueueFilter[] = ['all', 'unreviewed', 'corrected', 'approved', 'ungradable', 'problems'];

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T>(v: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const number = (v: unknown, min: number, max: number, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback);

/** Preferences from stored JSON: every field checked, anything wrong replaced by its default. */
export function parsePreferences(text: string | null): Preferences {
  if (!text) return DEFAULT_PREFERENCES;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return DEFAULT_PREFERENCES;
  }
  if (!isObject(raw) || raw.version !== VERSION) return DEFAULT_PREFERENCES;
  const d = DEFAULT_PREFERENCES;
  const zoom = isObject(raw.zoom) ? raw.zoom : {};
  const overlays = isObject(raw.overlays) ? raw.overlays : {};
  const queue = isObject(raw.queue) ? raw.queue : {};
  const lastCase: Record<string, string> = {};
  if (isObject(raw.lastCase)) for (const [k, v] of Object.entries(raw.lastCase)) if (typeof v === 'string') lastCase[k] = v;
  return {
    zoom: { mode: oneOf(zoom.mode, ['disc', 'fit'] as const, d.zoom.mode), factor: number(zoom.factor, 0.01, 100, d.zoom.factor) },
    tool: oneOf(raw.tool, TOOLS, d.tool),
    structure: oneOf(raw.structure, ['disc', 'cup'] as const, d.structure),
    brushRadius: raw.brushRadius === null ? null : number(raw.brushRadius, 1, 200, 0) || null,
    overlays: {
      model: bool(overlays.model, d.overlays.model),
      expert: bool(overlays.expert, d.overlays.expert),
      fill: bool(overlays.fill, d.overlays.fill),
      fovea: bool(overlays.fovea, d.overlays.fovea),
      heatmap: oneOf(overlays.heatmap, ['none', 'od', 'oc', 'fovea'] as const, d.overlays.heatmap),
      heatmapOpacity: number(overlays.heatmapOpacity, 0, 1, d.overlays.heatmapOpacity),
    },
    queue: {
      sortKey: oneOf(queue.sortKey, SORT_KEYS, d.queue.sortKey),
      order: oneOf(queue.order, ['asc', 'desc'] as const, d.queue.order),
      filter: oneOf(queue.filter, FILTERS, d.queue.filter),
    },
    lastCase,
  };
}

export function serializePreferences(p: Preferences): string {
  return JSON.stringify({ version: VERSION, ...p });
}

/** Where preferences are kept: window.localStorage, or nothing (tests, storage refused). */
export type PreferenceStorage = { getItem(key: string): string | null; setItem(key: string, value: string): void } | null;

export class ReviewPreferences {
  readonly #storage: PreferenceStorage;
  #value = $state.raw<Preferences>(DEFAULT_PREFERENCES);

  constructor(storage: PreferenceStorage) {
    this.#storage = storage;
    try {
      this.#value = parsePreferences(storage?.getItem(PREFERENCES_KEY) ?? null);
    } catch {
      this.#value = DEFAULT_PREFERENCES;
    }
  }

  get value(): Preferences {
    return this.#value;
  }

  update(change: Partial<Preferences>): void {
    this.#value = { ...this.#value, ...change };
    try {
      this.#storage?.setItem(PREFERENCES_KEY, serializePreferences(this.#value));
    } catch {
      // Storage full or refused: the preferences still hold for this session.
    }
  }

  rememberCase(studyId: string, caseId: string): void {
    if (this.#value.lastCase[studyId] === caseId) return;
    this.update({ lastCase: { ...this.#value.lastCase, [studyId]: caseId } });
  }
}
