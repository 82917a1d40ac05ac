// Shared value types of the core. Images and masks are plain typed arrays in
// row-major order, so the pure functions (masks, metrics, geometry) never need
// TensorFlow and can be tested with arrays written by hand.

/** 8-bit RGB, interleaved (r, g, b per pixel), row-major. data.length = width * height * 3. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** 8-bit single channel, row-major. data.length = width * height. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Binary mask: 1 inside, 0 outside. Same layout as GreyImage. */
export type BinaryMask = GreyImage;

/** Float map (probabilities, heat maps), row-major. data.length = width * height. */
export interface FloatMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** A point in pixel coordinates of some image: x to the right, y down; pixel centres at integers. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * How an operating point's threshold is set for a target specificity (core/decision/operating-point.ts): the lowest
 * that reaches it on the cross-validated cases, or the Harrell-Davis estimate of the normal eyes' quantile. Here, not
 * in the decision layer, because the contract the renderer shares names it too.
 */
export const THRESHOLD_RULES = ['lowest-passing', 'harrell-davis'] as const;
export type ThresholdRule = (typeof THRESHOLD_RULES)[number];

/** The four tasks of the network, in MTL-IO's stepping order. */
export const TASKS = ['glaucoma', 'od', 'oc', 'fovea'] as const;
export type Task = (typeof TASKS)[number];

export function isTask(value: string): value is Task {
  return (TASKS as readonly string[]).includes(value);
}

/** A type with every property and array read-only, all the way down (for types derived from zod schemas). */
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
