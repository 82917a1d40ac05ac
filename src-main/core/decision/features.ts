// Measurements of the optic nerve head from a disc and a cup mask: the inputs of
// the glaucoma decision model. Pure functions on binary masks at any resolution;
// every ratio is scale-free, so a measurement means the same on any camera.
//
// Sectors follow the ISNT convention on the image as displayed (y down): inferior
// is down, superior up. Nasal and temporal depend on the eye (OD/OS), which a
// photograph does not reliably tell, so the two horizontal sectors are reported
// as the wider and the narrower one: in a healthy eye the nasal rim is the wider.
import { boundingBox, type BoundingBox } from '../masks/measure';
import type { BinaryMask, Point } from '../types';

/** The measurements, each a plain number (ratios of lengths or areas; 0/1 for the rule). */
export interface DiscCupFeatures {
  /** Vertical cup-to-disc ratio (REFUGE rule: the most mask pixels in any one column). */
  readonly vcdr: number;
  /** Horizontal cup-to-disc ratio (the most mask pixels in any one row). */
  readonly hcdr: number;
  /** Cup area / disc area. */
  readonly areaCdr: number;
  /** Narrowest rim width in any direction / disc diameter (the rim-to-disc ratio, RDR). */
  readonly rimToDisc: number;
  /** Mean rim width per sector / disc diameter. */
  readonly rimInferior: number;
  readonly rimSuperior: number;
  readonly rimHorizontalWide: number;
  readonly rimHorizontalNarrow: number;
  /** 1 when the rim follows the ISNT order (inferior >= superior >= wider >= narrower horizontal), else 0. */
  readonly isntRule: number;
  /** Disc vertical diameter / the image's shorter side. Depends on the camera's field of view. */
  readonly discSize: number;
}

export const FEATURE_NAMES = [
  'vcdr',
  'hcdr',
  'areaCdr',
  'rimToDisc',
  'rimInferior',
  'rimSuperior',
  'rimHorizontalWide',
  'rimHorizontalNarrow',
  'isntRule',
  'discSize',
] as const satisfies readonly (keyof DiscCupFeatures)[];
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Readable names for reports and the app. */
export const FEATURE_LABELS: Readonly<Record<FeatureName, string>> = {
  vcdr: 'vertical cup-to-disc ratio',
  hcdr: 'horizontal cup-to-disc ratio',
  areaCdr: 'cup-to-disc area ratio',
  rimToDisc: 'rim-to-disc ratio (narrowest rim)',
  rimInferior: 'inferior rim width',
  rimSuperior: 'superior rim width',
  rimHorizontalWide: 'wider horizontal rim width',
  rimHorizontalNarrow: 'narrower horizontal rim width',
  isntRule: 'ISNT rule holds',
  discSize: 'disc size (fraction of the image)',
};

const RAYS = 180;

/**
 * Most set pixels in any one column (vertical) or row (horizontal), counting
 * only inside `box`: every set pixel of the masks measured here lies in the disc's box.
 */
function extent(mask: BinaryMask, vertical: boolean, box: BoundingBox): number {
  const { width, data } = mask;
  const counts = new Uint32Array(vertical ? width : mask.height);
  for (let y = box.y0; y < box.y1; y++) {
    const row = y * width;
    for (let x = box.x0; x < box.x1; x++) if (data[row + x]) counts[vertical ? x : y]!++;
  }
  let best = 0;
  for (const c of counts) if (c > best) best = c;
  return best;
}

function centroid(mask: BinaryMask, box: BoundingBox): { centre: Point; area: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      if (mask.data[y * mask.width + x]) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return { centre: { x: n ? sx / n : 0, y: n ? sy / n : 0 }, area: n };
}

/** Distance from `from` along direction (dx, dy) to the last set pixel of `mask` (0 if none). */
function reach(mask: BinaryMask, from: Point, dx: number, dy: number, maxSteps: number): number {
  let last = 0;
  for (let s = 0; s <= maxSteps; s++) {
    const x = Math.round(from.x + dx * s * 0.5);
    const y = Math.round(from.y + dy * s * 0.5);
    if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) break;
    if (mask.data[y * mask.width + x]) last = s * 0.5;
  }
  return last;
}

/**
 * Measures disc and cup. Null when there is no disc. The cup is taken as given
 * and must lie inside the disc (the predictor and label maps keep it there); an
 * empty cup gives ratios of 0. Only the disc's bounding box is scanned: this runs
 * for every screened photograph and every edit.
 */
export function discCupFeatures(od: BinaryMask, oc: BinaryMask): DiscCupFeatures | null {
  const box = boundingBox(od);
  if (!box) return null;
  const disc = centroid(od, box);
  const cupArea = centroid(oc, box).area;
  const discV = extent(od, true, box);
  const discH = extent(od, false, box);
  const diameter = discV;
  const maxSteps = 2 * (discV + discH);
  // Rim width along rays from the disc's centroid: disc radius minus cup radius.
  const rim = new Float64Array(RAYS);
  for (let i = 0; i < RAYS; i++) {
    const angle = (2 * Math.PI * i) / RAYS;
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    rim[i] = Math.max(0, reach(od, disc.centre, dx, dy, maxSteps) - reach(oc, disc.centre, dx, dy, maxSteps));
  }
  // Angle 0 points right, 90 degrees down (image y grows downwards).
  const sector = (centreDeg: number): number => {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < RAYS; i++) {
      const deg = (360 * i) / RAYS;
      const d = Math.abs(((deg - centreDeg + 540) % 360) - 180);
      if (d <= 45) {
        sum += rim[i]!;
        n++;
      }
    }
    return n ? sum / n / diameter : 0;
  };
  const inferior = sector(90);
  const superior = sector(270);
  const right = sector(0);
  const left = sector(180);
  const wide = Math.max(left, right);
  const narrow = Math.min(left, right);
  let minRim = Infinity;
  for (const r of rim) minRim = Math.min(minRim, r);
  return {
    vcdr: extent(oc, true, box) / discV,
    hcdr: discH > 0 ? extent(oc, false, box) / discH : 0,
    areaCdr: cupArea / disc.area,
    rimToDisc: minRim / diameter,
    rimInferior: inferior,
    rimSuperior: superior,
    rimHorizontalWide: wide,
    rimHorizontalNarrow: narrow,
    isntRule: inferior >= superior && superior >= wide && wide >= narrow ? 1 : 0,
    discSize: discV / Math.min(od.width, od.height),
  };
}
