// The per-pixel tasks share the decoder; the glaucoma task reads the encoder only.

export const DENSE_TASKS = ['od', 'oc', 'fovea'] as const;
export type DenseTask = (typeof DENSE_TASKS)[number];

/**
 * Sigma of the fovea's Gaussian target in network pixels: the paper's
 * covariance of 50 px^2 at 256 px, scaled with the input size.
 */
export function foveaSigma(inputSize: number): number {
  return Math.sqrt(50) * (inputSize / 256);
}
