// Validation during training, at network resolution, for the live curves:
// disc and cup Dice after the same threshold and largest-component step as
// inference, fovea distance in network pixels, glaucoma AUC. The official
// metrics at original resolution come from infer/evaluate.ts at the end.
import * as tf from '@tensorflow/tfjs-core';
import { largestComponent, threshold } from '../masks';
import { auc, dice, mean } from '../metrics';
import type { MultiTaskUNet } from '../model/network';
import type { Task } from '../types';
import type { TrainingExample } from './example';
import { foveaFromHeatmap } from '../infer/fovea';
import { foveaSigma } from '../model/tasks';

export interface QuickValidation {
  readonly [metric: string]: number | null;
  readonly odDice: number | null;
  readonly ocDice: number | null;
  readonly foveaErrorPx: number | null;
  readonly auc: number | null;
}

export function quickValidate(net: MultiTaskUNet, examples: readonly TrainingExample[], tasks: readonly Task[], batchSize = 8): QuickValidation {
  const size = net.config.inputSize;
  const n = size * size;
  const od: number[] = [];
  const oc: number[] = [];
  const fovea: number[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = examples.slice(start, start + batchSize);
    const outputs = tf.tidy(() => {
      const pixels = new Float32Array(batch.length * n * 3);
      batch.forEach((e, i) => {
        for (let j = 0; j < n * 3; j++) pixels[i * n * 3 + j] = e.image[j]! / 255;
      });
      const logits = net.forward(tf.tensor4d(pixels, [batch.length, size, size, 3]), { training: false, tasks });
      const out: Partial<Record<Task, Float32Array>> = {};
      for (const task of tasks) out[task] = tf.sigmoid(logits[task]!).dataSync() as Float32Array;
      return out;
    });
    batch.forEach((e, i) => {
      const map = (task: Task) => ({ width: size, height: size, data: outputs[task]!.subarray(i * n, (i + 1) * n) });
      if (outputs.od && e.od) od.push(dice(largestComponent(threshold(map('od'))), { width: size, height: size, data: e.od }, { ifBothEmpty: 1 }));
      if (outputs.oc && e.oc) oc.push(dice(largestComponent(threshold(map('oc'))), { width: size, height: size, data: e.oc }, { ifBothEmpty: 1 }));
      if (outputs.fovea && e.fovea) {
        const p = foveaFromHeatmap(map('fovea'), 'peak-centre-of-mass', foveaSigma(size));
        fovea.push(p ? Math.hypot(p.x - e.fovea.x, p.y - e.fovea.y) : size);
      }
      if (outputs.glaucoma && e.glaucoma !== undefined) {
        scores.push(outputs.glaucoma[i]!);
        labels.push(e.glaucoma);
      }
    });
  }
  const positives = labels.filter((l) => l === 1).length;
  return {
    odDice: od.length ? mean(od) : null,
    ocDice: oc.length ? mean(oc) : null,
    foveaErrorPx: fovea.length ? mean(fovea) : null,
    auc: positives > 0 && positives < labels.length ? auc(scores, labels) : null,
  };
}
