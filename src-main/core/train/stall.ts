// A stalled start: now and then a fresh initialisation leaves a small network
// unable to learn its masks at all (seen on Drishti-GS1 at width 0.25: one seed
// in five kept every pixel background for 40 epochs, on its own training images
// too, whatever the learning rate, augmentation or task set; the next seed
// trained normally). Such a run is recognised early from the network's Dice on
// its *training* images — no held-out data is looked at — and restarted from a
// new initialisation. A run that learns anything keeps going untouched, so
// enabling the check changes no healthy run.
import type { Task } from '../types';

export interface StallPolicy {
  /** The check runs after this fraction of the epochs ... */
  readonly atFraction: number;
  /** ... but not before this many epochs (early epochs of a healthy run can still be all background). */
  readonly minEpochs: number;
  /** A start has stalled when the training Dice of every mask task is below this. */
  readonly diceBelow: number;
  /** Initialisations tried in all; the last one trains to the end whatever it does. */
  readonly attempts: number;
}

export const DEFAULT_STALL_POLICY: StallPolicy = { atFraction: 0.25, minEpochs: 5, diceBelow: 0.25, attempts: 3 };

/** The epoch count after which to check a run of `epochs` epochs, or null when the run is too short to tell. */
export function stallCheckEpoch(epochs: number, policy: StallPolicy): number | null {
  const at = Math.max(policy.minEpochs, Math.round(epochs * policy.atFraction));
  return at < epochs ? at : null;
}

/** Why the start has stalled, or null when it has not (or the network has no mask task to judge by). */
export function stalledReason(trainingDice: Partial<Record<Task, number | null>>, tasks: readonly Task[], policy: StallPolicy): string | null {
  const scored = tasks.filter((t) => (t === 'od' || t === 'oc') && typeof trainingDice[t] === 'number');
  if (scored.length === 0) return null;
  if (!scored.every((t) => trainingDice[t]! < policy.diceBelow)) return null;
  return `training-image Dice ${scored.map((t) => `${t.toUpperCase()} ${trainingDice[t]!.toFixed(3)}`).join(', ')} (all below ${policy.diceBelow})`;
}

/** Seed of initialisation `attempt` (0-based); attempt 0 keeps the run's own seed. */
export function restartSeed(seed: number, attempt: number): number {
  return attempt === 0 ? seed : seed + attempt * 1_000_003;
}
