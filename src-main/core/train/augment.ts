// Training-time augmentation on examples already at network size. Geometric:
// zoom, shift, small rotation and left/right flip, padding with the camera's
// black border, so a model trained on disc-centred 30-degree images (Drishti-GS1)
// also finds the smaller, off-centre disc of 45-degree macula-centred images
// (REFUGE). Photometric: brightness, contrast, gamma and per-channel gain, for
// camera differences (a model trained on one camera's colours alone was seen to
// lose the disc on another's: on a REFUGE-validation crop its disc Dice went from
// 0.40 to 0.93 when the crop was merely darkened by a quarter). Image quality:
// blur, sharpening and sensor noise, the other half of what differs between
// cameras ("deep stacked transformations", Zhang et al., IEEE TMI 2020: stacking
// quality, appearance and spatial transforms was what let a segmentation network
// trained on one scanner hold on unseen ones).
import { blur } from '../quality/blur';
import type { Rng } from '../random';
import type { Point } from '../types';
import type { TrainingExample } from './example';

export interface AugmentConfig {
  /** Zoom factor range; < 1 zooms out (the content shrinks, black border grows). */
  readonly scale: readonly [number, number];
  /** Largest shift, as a fraction of the image side, in x and y. */
  readonly shift: number;
  /** Largest rotation in degrees, either way. */
  readonly rotationDeg: number;
  /** Probability of a left/right flip (turns a right eye into a left one). */
  readonly flip: number;
  /** Brightness and contrast factors are drawn from [1 - b, 1 + b]. */
  readonly brightness: number;
  readonly contrast: number;
  /** Gamma is drawn from [1 - g, 1 + g]. */
  readonly gamma: number;
  /** Each colour channel is scaled by its own factor from [1 - g, 1 + g] (white balance, sensor tint). */
  readonly channelGain: number;
  /** Largest Gaussian blur sigma as a fraction of the side (drawn for a third of the images). */
  readonly blur: number;
  /** Largest unsharp-mask amount (drawn for another third; its sigma is 1 % of the side). */
  readonly sharpen: number;
  /** Largest sensor-noise standard deviation as a fraction of full scale (drawn for half of the images). */
  readonly noise: number;
  /**
   * For half of the images, the disc (a soft-edged copy of its mask) brightened or dimmed by a factor from this
   * range against the retina around it; absent: off. How bright a disc is beside its retina differs by camera and
   * flash: a Zeiss disc is bright orange where a Drishti-GS1 rim is dull red, and a disc-crop network trained on
   * Drishti-GS1 alone was seen to mark nearly a whole Zeiss disc as cup.
   */
  readonly discBrightness?: readonly [number, number];
}

export const NO_AUGMENTATION: AugmentConfig = { scale: [1, 1], shift: 0, rotationDeg: 0, flip: 0, brightness: 0, contrast: 0, gamma: 0, channelGain: 0, blur: 0, sharpen: 0, noise: 0 };

/** A mild default for same-domain training. */
export const DEFAULT_AUGMENTATION: AugmentConfig = { scale: [0.9, 1.1], shift: 0.05, rotationDeg: 10, flip: 0.5, brightness: 0.1, contrast: 0.1, gamma: 0.1, channelGain: 0, blur: 0, sharpen: 0, noise: 0 };

/** Strong zoom-out and shift: disc-centred training images made to look like macula-centred ones. */
export const DOMAIN_AUGMENTATION: AugmentConfig = { scale: [0.45, 1.15], shift: 0.3, rotationDeg: 15, flip: 0.5, brightness: 0.15, contrast: 0.15, gamma: 0.15, channelGain: 0, blur: 0, sharpen: 0, noise: 0 };

/** The default with the disc's brightness against the retina varied, for the disc-crop network (an option: docs/robustness.md says what it trades). */
export const DISC_BRIGHTNESS_AUGMENTATION: AugmentConfig = { ...DEFAULT_AUGMENTATION, discBrightness: [0.75, 1.6] };

/** Strong colour changes: one camera's images made to look like another's (exposure, contrast, tint). */
const CAMERA_PHOTOMETRIC = { brightness: 0.3, contrast: 0.3, gamma: 0.3, channelGain: 0.15 } as const;

/** The default geometry with strong colour changes: for disc crops, whose scale is fixed by the crop. */
export const CAMERA_AUGMENTATION: AugmentConfig = { ...DEFAULT_AUGMENTATION, ...CAMERA_PHOTOMETRIC };

/** The domain geometry with strong colour changes: disc-centred images of one camera made to look like macula-centred ones of any. */
export const DOMAIN_CAMERA_AUGMENTATION: AugmentConfig = { ...DOMAIN_AUGMENTATION, ...CAMERA_PHOTOMETRIC };

/**
 * Image quality of poorer or different cameras. Blur up to 1.5 % of the side: the
 * robustness benchmark's strong blur (0.5 % of a 2000-pixel photograph's width)
 * is about that much of a disc crop twice the disc's size. Noise up to 3 % of full scale.
 */
const CAMERA_QUALITY = { blur: 0.015, sharpen: 1, noise: 0.03 } as const;

/** The camera colours with the camera's image quality: the crop network's stacked transformations. */
export const STACKED_AUGMENTATION: AugmentConfig = { ...CAMERA_AUGMENTATION, ...CAMERA_QUALITY };

/** The domain geometry with the stacked camera transformations: the whole-image network's. */
export const DOMAIN_STACKED_AUGMENTATION: AugmentConfig = { ...DOMAIN_CAMERA_AUGMENTATION, ...CAMERA_QUALITY };

/**
 * Forward affine map of the augmentation, about the image centre c:
 * p' = c + t + s R(theta) F (p - c), with F the optional horizontal flip.
 */
interface Affine {
  readonly a: number; // row 1: x' = a x + b y + tx
  readonly b: number;
  readonly tx: number;
  readonly c: number; // row 2: y' = c x + d y + ty
  readonly d: number;
  readonly ty: number;
}

function drawAffine(size: number, config: AugmentConfig, rng: Rng): Affine {
  const s = config.scale[0] + (config.scale[1] - config.scale[0]) * rng.next();
  const theta = ((rng.next() * 2 - 1) * config.rotationDeg * Math.PI) / 180;
  const flip = rng.next() < config.flip ? -1 : 1;
  const shiftX = (rng.next() * 2 - 1) * config.shift * size;
  const shiftY = (rng.next() * 2 - 1) * config.shift * size;
  const cos = Math.cos(theta) * s;
  const sin = Math.sin(theta) * s;
  const a = cos * flip;
  const b = -sin;
  const c = sin * flip;
  const d = cos;
  const centre = (size - 1) / 2;
  return { a, b, c, d, tx: centre + shiftX - (a * centre + b * centre), ty: centre + shiftY - (c * centre + d * centre) };
}

function invert(m: Affine): Affine {
  const det = m.a * m.d - m.b * m.c;
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, tx: -(a * m.tx + b * m.ty), ty: -(c * m.tx + d * m.ty) };
}

function apply(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.tx, y: m.c * p.x + m.d * p.y + m.ty };
}

/** Bilinear warp of an interleaved image (channels 3) or nearest warp of a mask, outside = 0. */
function warp(src: Uint8Array, size: number, channels: number, inverse: Affine, nearest: boolean): Uint8Array {
  const out = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = inverse.a * x + inverse.b * y + inverse.tx;
      const sy = inverse.c * x + inverse.d * y + inverse.ty;
      const o = (y * size + x) * channels;
      if (nearest) {
        const ix = Math.round(sx);
        const iy = Math.round(sy);
        if (ix < 0 || iy < 0 || ix >= size || iy >= size) continue;
        const i = (iy * size + ix) * channels;
        for (let k = 0; k < channels; k++) out[o + k] = src[i + k]!;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= size || y0 >= size) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < channels; k++) {
        const at = (xx: number, yy: number): number => (xx < 0 || yy < 0 || xx >= size || yy >= size ? 0 : src[(yy * size + xx) * channels + k]!);
        const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
        const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
        out[o + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

/** Brightness, contrast (about mid-grey), gamma and per-channel gain through one lookup table per channel. */
function photometric(image: Uint8Array, config: AugmentConfig, rng: Rng): Uint8Array {
  const brightness = 1 + (rng.next() * 2 - 1) * config.brightness;
  const contrast = 1 + (rng.next() * 2 - 1) * config.contrast;
  const gamma = 1 + (rng.next() * 2 - 1) * config.gamma;
  // Drawn only when enabled, so configurations without it keep their random streams.
  const gains = config.channelGain > 0 ? [0, 1, 2].map(() => 1 + (rng.next() * 2 - 1) * config.channelGain) : [1, 1, 1];
  const luts = gains.map((gain) => {
    const lut = new Uint8Array(256);
    for (let v = 1; v < 256; v++) {
      // v = 0 stays 0: the camera's black border must not turn grey.
      let f = (v / 255) ** gamma;
      f = (f - 0.5) * contrast + 0.5;
      f *= brightness * gain;
      lut[v] = Math.max(0, Math.min(255, Math.round(f * 255)));
    }
    return lut;
  });
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = luts[i % 3]![image[i]!]!;
  return out;
}

/**
 * Blur or sharpening (at most one, each for a third of the images), then sensor
 * noise (for half). Noise spares the camera's black border (exactly 0 in every
 * channel), as the photometric step does: the field mask must stay recognisable.
 */
function imageQuality(image: Uint8Array, size: number, config: AugmentConfig, rng: Rng): Uint8Array {
  const kind = rng.next();
  const amount = rng.next();
  const addNoise = rng.next() < 0.5;
  const noiseSd = rng.next() * config.noise * 255;
  let out = image;
  if (kind < 1 / 3 && config.blur > 0) {
    out = blur({ width: size, height: size, data: image }, amount * config.blur * size).data;
  } else if (kind >= 1 / 3 && kind < 2 / 3 && config.sharpen > 0) {
    const soft = blur({ width: size, height: size, data: image }, 0.01 * size).data;
    const k = amount * config.sharpen;
    out = new Uint8Array(image.length);
    for (let i = 0; i < image.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(image[i]! + k * (image[i]! - soft[i]!))));
  }
  if (addNoise && noiseSd > 0) {
    out = out === image ? Uint8Array.from(image) : out;
    for (let p = 0; p < image.length; p += 3) {
      if (image[p] === 0 && image[p + 1] === 0 && image[p + 2] === 0) continue;
      for (let c = 0; c < 3; c++) out[p + c] = Math.max(0, Math.min(255, Math.round(out[p + c]! + rng.normal(0, noiseSd))));
    }
  }
  return out;
}

/**
 * The disc's pixels scaled by `factor`, fading to 1 over a few per cent of the side
 * around its edge (a hard edge would be a cue no camera gives); black stays black.
 */
function scaleDisc(image: Uint8Array, od: Uint8Array, size: number, factor: number): Uint8Array {
  const mask = new Uint8Array(size * size * 3);
  for (let i = 0; i < od.length; i++) if (od[i]) mask.fill(255, i * 3, i * 3 + 3);
  const soft = blur({ width: size, height: size, data: mask }, 0.02 * size).data;
  const out = new Uint8Array(image.length);
  for (let i = 0; i < od.length; i++) {
    const gain = 1 + (factor - 1) * (soft[i * 3]! / 255);
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.min(255, Math.round(image[i * 3 + c]! * gain));
  }
  return out;
}

/** A randomly augmented copy of `example` (labels transformed with the image). */
export function augmentExample(example: TrainingExample, config: AugmentConfig, rng: Rng): TrainingExample {
  const size = example.size;
  const forward = drawAffine(size, config, rng);
  const inverse = invert(forward);
  const identity = forward.a === 1 && forward.b === 0 && forward.c === 0 && forward.d === 1 && forward.tx === 0 && forward.ty === 0;
  let image = identity ? example.image : warp(example.image, size, 3, inverse, false);
  const od = example.od && (identity ? example.od : warp(example.od, size, 1, inverse, true));
  // Drawn only when enabled, so configurations without it keep their random streams.
  if (config.discBrightness) {
    const apply = rng.next() < 0.5;
    const factor = config.discBrightness[0] + (config.discBrightness[1] - config.discBrightness[0]) * rng.next();
    if (apply && od) image = scaleDisc(image, od, size, factor);
  }
  const photometricOn = config.brightness > 0 || config.contrast > 0 || config.gamma > 0 || config.channelGain > 0;
  if (photometricOn) image = photometric(image, config, rng);
  // Drawn only when enabled, so configurations without it keep their random streams.
  if (config.blur > 0 || config.sharpen > 0 || config.noise > 0) image = imageQuality(image, size, config, rng);
  const fovea = example.fovea && (identity ? example.fovea : apply(forward, example.fovea));
  const foveaInside = fovea && fovea.x >= 0 && fovea.y >= 0 && fovea.x <= size - 1 && fovea.y <= size - 1;
  return {
    ...example,
    image,
    od,
    oc: example.oc && (identity ? example.oc : warp(example.oc, size, 1, inverse, true)),
    // Nearest-neighbour, as the masks: the agreement keeps its levels and stays in step with the cup.
    ...(example.ocAgreement ? { ocAgreement: identity ? example.ocAgreement : warp(example.ocAgreement, size, 1, inverse, true) } : {}),
    // A fovea pushed out of the frame is no longer a label we can train on.
    fovea: foveaInside ? fovea : undefined,
  };
}
