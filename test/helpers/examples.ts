// Tiny hand-made training examples: a bright disc with a cup, a dark fovea.
import type { TrainingExample } from '../../src-main/core/train/example';

export function syntheticExample(id: string, size: number, opts: { cx: number; cy: number; r: number; glaucoma?: 0 | 1; labels?: Array<'od' | 'oc' | 'fovea' | 'glaucoma'> }): TrainingExample {
  const image = new Uint8Array(size * size * 3);
  const od = new Uint8Array(size * size);
  const oc = new Uint8Array(size * size);
  const fx = opts.cx > size / 2 ? opts.cx - size / 3 : opts.cx + size / 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - opts.cx, y - opts.cy);
      const i = y * size + x;
      const inDisc = d <= opts.r;
      const inCup = d <= opts.r * (opts.glaucoma ? 0.7 : 0.4);
      od[i] = inDisc ? 1 : 0;
      oc[i] = inCup ? 1 : 0;
      const fovea = Math.hypot(x - fx, y - opts.cy) < size / 10;
      image[i * 3] = inCup ? 250 : inDisc ? 230 : fovea ? 90 : 170;
      image[i * 3 + 1] = inCup ? 240 : inDisc ? 190 : fovea ? 30 : 70;
      image[i * 3 + 2] = inCup ? 200 : inDisc ? 120 : fovea ? 20 : 40;
    }
  }
  const labels = opts.labels ?? ['od', 'oc', 'fovea', 'glaucoma'];
  return {
    id,
    size,
    image,
    ...(labels.includes('od') ? { od } : {}),
    ...(labels.includes('oc') ? { oc } : {}),
    ...(labels.includes('fovea') ? { fovea: { x: fx, y: opts.cy } } : {}),
    ...(labels.includes('glaucoma') ? { glaucoma: opts.glaucoma ?? 0 } : {}),
  };
}
