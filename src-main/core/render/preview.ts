// Small previews of large photographs (thumbnails in the review queue, images
// sent to the renderer). Area averaging, so a 2124 px photograph shrunk to 512 px
// keeps its vessels smooth instead of aliasing as point sampling would.
import { assertLayout } from '../masks/mask';
import type { RgbImage } from '../types';

/**
 * The image shrunk so its longer side is at most maxSide (aspect kept, each
 * side rounded, at least 1 px), each output pixel the area-weighted mean of
 * the source pixels it covers. An image already small enough is returned as is
 * (not copied).
 */
export function downscaleForPreview(image: RgbImage, maxSide: number): RgbImage {
  assertLayout(image, 'downscaleForPreview', 3);
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new RangeError(`downscaleForPreview: maxSide must be a positive integer, got ${maxSide}`);
  const { width, height } = image;
  const longer = Math.max(width, height);
  if (longer <= maxSide) return image;
  const scale = maxSide / longer;
  const outW = Math.max(1, Math.round(width * scale));
  const outH = Math.max(1, Math.round(height * scale));
  const columns = areaWeights(width, outW);
  const rows = areaWeights(height, outH);
  const acc = new Float64Array(outW * outH * 3);
  const line = new Float64Array(outW * 3);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    // Horizontal pass for source row y.
    line.fill(0);
    const rowStart = y * width * 3;
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = columns.start[ox]!; k < columns.start[ox + 1]!; k++) {
        const w = columns.weight[k]!;
        const o = rowStart + columns.index[k]! * 3;
        r += src[o]! * w;
        g += src[o + 1]! * w;
        b += src[o + 2]! * w;
      }
      line[ox * 3] = r;
      line[ox * 3 + 1] = g;
      line[ox * 3 + 2] = b;
    }
    // Vertical pass: add the row to the (one or two) output rows it overlaps.
    for (let k = rows.bySource[y]!; k < rows.bySource[y + 1]!; k++) {
      const oy = rows.sourceTarget[k]!;
      const w = rows.sourceWeight[k]!;
      const base = oy * outW * 3;
      for (let i = 0; i < outW * 3; i++) acc[base + i]! += line[i]! * w;
    }
  }
  const out = new Uint8Array(outW * outH * 3);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const norm = 1 / (rows.total[oy]! * columns.total[ox]!);
      const o = (oy * outW + ox) * 3;
      out[o] = Math.min(255, Math.round(acc[o]! * norm));
      out[o + 1] = Math.min(255, Math.round(acc[o + 1]! * norm));
      out[o + 2] = Math.min(255, Math.round(acc[o + 2]! * norm));
    }
  }
  return { width: outW, height: outH, data: out };
}

interface AreaWeights {
  /** For output i: entries start[i] .. start[i+1]-1 of index/weight. */
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** Sum of weights of output i. */
  readonly total: Float64Array;
  /** The same entries grouped by source index: bySource[s] .. bySource[s+1]-1 of sourceTarget/sourceWeight. */
  readonly bySource: Int32Array;
  readonly sourceTarget: Int32Array;
  readonly sourceWeight: Float64Array;
}

/** Coverage of each output pixel [i * n / m, (i + 1) * n / m) over source pixels 0..n-1. */
function areaWeights(n: number, m: number): AreaWeights {
  const step = n / m;
  const start = new Int32Array(m + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const total = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    start[i] = index.length;
    const a = i * step;
    const b = (i + 1) * step;
    for (let s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
      const w = Math.min(b, s + 1) - Math.max(a, s);
      if (w <= 0) continue;
      index.push(s);
      weight.push(w);
      total[i]! += w;
    }
  }
  start[m] = index.length;
  const counts = new Int32Array(n + 1);
  for (const s of index) counts[s + 1]!++;
  for (let s = 0; s < n; s++) counts[s + 1]! += counts[s]!;
  const bySource = counts.slice();
  const fill = counts.slice(0, n);
  const sourceTarget = new Int32Array(index.length);
  const sourceWeight = new Float64Array(index.length);
  for (let i = 0; i < m; i++) {
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const slot = fill[index[k]!]!++;
      sourceTarget[slot] = i;
      sourceWeight[slot] = weight[k]!;
    }
  }
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight), total, bySource, sourceTarget, sourceWeight };
}
