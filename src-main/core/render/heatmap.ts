// Heat maps (the fovea head's output, probability maps) as colour images.
import { assertLayout } from '../masks/mask';
import type { FloatMap, RgbImage } from '../types';
import type { Rgb } from './colour';

/**
 * Viridis (matplotlib's default map: perceptually uniform, readable in grey
 * and by colour-blind users) at 0, 1/8, ..., 1; the 256-entry table
 * interpolates linearly between these nine stops.
 */
const VIRIDIS_STOPS: readonly Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** 256 x 3 bytes: colour of level i at [3i, 3i + 2]. */
export const VIRIDIS_TABLE: Uint8Array = buildTable(VIRIDIS_STOPS);

function buildTable(stops: readonly Rgb[]): Uint8Array {
  const table = new Uint8Array(256 * 3);
  const segments = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(Math.floor(t), segments - 1);
    const f = t - k;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(stops[k]![c]! * (1 - f) + stops[k + 1]![c]! * f);
  }
  return table;
}

export interface HeatmapOptions {
  /** Value shown with the first colour (default 0); lower values are clamped. */
  readonly min?: number;
  /** Value shown with the last colour (default 1); higher values are clamped. */
  readonly max?: number;
}

/**
 * Colours a float map with viridis: level = round(255 * (v - min) / (max - min)),
 * clamped; NaN gets the lowest colour. Same size as the map, RGB interleaved.
 */
export function heatmapToRgb(map: FloatMap, options: HeatmapOptions = {}): RgbImage {
  assertLayout(map, 'heatmapToRgb');
  const min = options.min ?? 0;
  const max = options.max ?? 1;
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`heatmapToRgb: need min < max, got ${min}, ${max}`);
  const scale = 255 / (max - min);
  const out = new Uint8Array(map.data.length * 3);
  for (let i = 0; i < map.data.length; i++) {
    const v = (map.data[i]! - min) * scale;
    const level = v > 0 ? (v < 255 ? Math.round(v) : 255) : 0;
    const o = level * 3;
    out[i * 3] = VIRIDIS_TABLE[o]!;
    out[i * 3 + 1] = VIRIDIS_TABLE[o + 1]!;
    out[i * 3 + 2] = VIRIDIS_TABLE[o + 2]!;
  }
  return { width: map.width, height: map.height, data: out };
}
