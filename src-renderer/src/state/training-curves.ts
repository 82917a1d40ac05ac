// A fine-tune's epochs as chart series, one set per network (a two-network
// model trains its main network, then the disc-crop network; each keeps its own
// curves after the run), with readable names instead of metric ids.
import type { Job } from '../../../src-main/core/contract/contract';
import { lossLabel, metricLabel } from '../format';

export interface CurveSeries {
  readonly key: string;
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface NetworkCurves {
  /** As the job process names it ("network main"); '' for records without one. */
  readonly network: string;
  readonly title: string;
  readonly losses: CurveSeries[];
  /** Validation Dice on the held-back cases (0..1). */
  readonly dice: CurveSeries[];
  /** Other validation measures with at least one value. */
  readonly other: CurveSeries[];
  /** Losses spread over more than a factor 20: draw them on a log scale. */
  readonly logLoss: boolean;
}

type Epoch = Job['epochs'][number];

/** "network main" -> "main network", "network crop" -> "disc-crop network". */
export function networkTitle(network: string): string {
  const id = network.replace(/^network /, '');
  if (id === '' || id === 'finetune') return 'model';
  if (id === 'main') return 'main network';
  if (id === 'crop' || id === 'disc-crop') return 'disc-crop network';
  // The second crop stage of a crop cascade (train --crop-cascade).
  if (id === 'disc-crop-polar') return 'polar disc-crop network';
  return `${id} network`;
}

function series(epochs: readonly Epoch[], pick: (e: Epoch) => Readonly<Record<string, number | null>> | undefined, label: (key: string) => string): CurveSeries[] {
  const keys = [...new Set(epochs.flatMap((e) => Object.keys(pick(e) ?? {})))];
  return keys.map((key) => ({
    key,
    label: label(key),
    points: epochs.flatMap((e) => {
      const v = pick(e)?.[key];
      return v === null || v === undefined ? [] : [{ x: e.epoch, y: v }];
    }),
  }));
}

export function curvesByNetwork(epochs: readonly Epoch[]): NetworkCurves[] {
  const order = [...new Set(epochs.map((e) => e.network ?? ''))].sort((a, b) => (a === 'network main' ? -1 : b === 'network main' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return order.map((network) => {
    const mine = epochs.filter((e) => (e.network ?? '') === network).toSorted((a, b) => a.epoch - b.epoch);
    const losses = series(mine, (e) => e.losses, lossLabel);
    const validation = series(mine, (e) => e.validation, metricLabel);
    const ys = losses.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
    return {
      network,
      title: networkTitle(network),
      losses,
      dice: validation.filter((s) => /dice/i.test(s.key)),
      other: validation.filter((s) => !/dice/i.test(s.key) && s.points.length > 0),
      logLoss: ys.length > 0 && Math.max(...ys) / Math.min(...ys) > 20,
    };
  });
}
