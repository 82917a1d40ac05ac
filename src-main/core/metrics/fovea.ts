// Fovea localisation error as the official REFUGE evaluation computes it
// (ignaciorlando/refuge-evaluation, evaluation_metrics/evaluation_metrics_for_fovea_location.py,
// euclidean_distance and its mean), in original image pixels.
import type { Point } from '../types';
import { assertPaired } from './validate';

/** sqrt(dx^2 + dy^2), the official formula (not Math.hypot, which may differ in the last bit). */
export function euclideanDistance(a: Point, b: Point): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Distance per image between predicted and reference fovea positions (same order). */
export function foveaDistances(predicted: readonly Point[], reference: readonly Point[]): number[] {
  assertPaired(predicted, reference, 'foveaDistances', ['predicted', 'reference']);
  return predicted.map((p, i) => {
    const d = euclideanDistance(p, reference[i]!);
    if (!Number.isFinite(d)) throw new RangeError(`foveaDistances: image ${i} has a non-finite coordinate`);
    return d;
  });
}

/** Mean Euclidean distance in pixels (the REFUGE fovea score, lower is better). */
export function meanFoveaDistance(predicted: readonly Point[], reference: readonly Point[]): number {
  const d = foveaDistances(predicted, reference);
  let sum = 0;
  for (const v of d) sum += v;
  return sum / d.length;
}
