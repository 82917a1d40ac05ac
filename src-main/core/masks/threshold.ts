// Probability map -> binary mask, the first post-processing step of the paper
// (threshold 0.5, then the largest component).
import type { BinaryMask, FloatMap, GreyImage } from '../types';
import { assertLayout } from './mask';

/** 1 where value >= t (NaN counts as below). Layout: same as the map. */
export function threshold(map: FloatMap, t = 0.5): BinaryMask {
  assertLayout(map, 'threshold');
  const out = new Uint8Array(map.data.length);
  const src = map.data;
  for (let i = 0; i < src.length; i++) out[i] = src[i]! >= t ? 1 : 0;
  return { width: map.width, height: map.height, data: out };
}

/**
 * Drishti-GS1 soft maps store how many of four experts marked a pixel as
 * 0/64/128/191/255; the usual consensus ("at least two experts") is >= 128.
 */
export function consensusMask(soft: GreyImage, minValue = 128): BinaryMask {
  assertLayout(soft, 'consensusMask');
  const out = new Uint8Array(soft.data.length);
  const src = soft.data;
  for (let i = 0; i < src.length; i++) out[i] = src[i]! >= minValue ? 1 : 0;
  return { width: soft.width, height: soft.height, data: out };
}
