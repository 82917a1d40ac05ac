// Training checkpoints: the weights, every optimiser's moments and the loop's
// position, written as one folder atomically, so a run killed at any moment
// resumes from the last complete epoch and never from a half-written one.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { InputError } from '../errors';
import { readJsonFile } from '../fs/json-file';
import { writeDirAtomic, writeJsonAtomic } from '../fs/atomic';
import type { MultiTaskUNet } from '../model/network';
import { decodeTensors, encodeTensors, type WeightEntry } from '../model/weights-io';
import type { TrainStrategy } from './strategies';

export const CHECKPOINT_DIR = 'checkpoint';

const EntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  dtype: z.enum(['float32', 'float16']),
  offset: z.number().int(),
  byteLength: z.number().int(),
});

const CheckpointStateSchema = z.object({
  /** Identifies the run: a checkpoint of another configuration is never resumed. */
  fingerprint: z.string(),
  /** Epochs completed (the next epoch to run is this number). */
  epochsDone: z.number().int().nonnegative(),
  history: z.array(z.record(z.string(), z.unknown())),
  weights: z.array(EntrySchema),
  optimizer: z.array(EntrySchema),
  optimizerSteps: z.record(z.string(), z.record(z.string(), z.number())),
  savedAt: z.string(),
});
export type CheckpointState = z.infer<typeof CheckpointStateSchema>;

export async function saveCheckpoint(
  runDir: string,
  model: MultiTaskUNet,
  strategy: TrainStrategy,
  state: { fingerprint: string; epochsDone: number; history: readonly Record<string, unknown>[] },
): Promise<void> {
  const weights = model.params.snapshot();
  const opt = strategy.exportState();
  try {
    const w = encodeTensors(weights, 'float32');
    const o = encodeTensors(opt.tensors, 'float32');
    await writeDirAtomic(path.join(runDir, CHECKPOINT_DIR), (dir) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), w.data);
      fs.writeFileSync(path.join(dir, 'optimizer.bin'), o.data);
      const full: CheckpointState = {
        fingerprint: state.fingerprint,
        epochsDone: state.epochsDone,
        history: [...state.history],
        weights: w.entries.map(mutable),
        optimizer: o.entries.map(mutable),
        optimizerSteps: opt.steps,
        savedAt: new Date().toISOString(),
      };
      writeJsonAtomic(path.join(dir, 'state.json'), full);
    });
  } finally {
    for (const t of [...weights.values(), ...opt.tensors.values()]) t.dispose();
  }
}

function mutable(e: WeightEntry) {
  return { ...e, shape: [...e.shape] };
}

/** Reads a run's checkpoint state, or undefined if the run has none. */
export function readCheckpointState(runDir: string): CheckpointState | undefined {
  const file = path.join(runDir, CHECKPOINT_DIR, 'state.json');
  if (!fs.existsSync(file)) return undefined;
  const parsed = CheckpointStateSchema.safeParse(readJsonFile(file));
  if (!parsed.success) throw new InputError(file, `damaged checkpoint: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Restores weights and optimiser state into `model` and `strategy`; returns the state. */
export function restoreCheckpoint(runDir: string, model: MultiTaskUNet, strategy: TrainStrategy, fingerprint: string): CheckpointState {
  const state = readCheckpointState(runDir);
  const dir = path.join(runDir, CHECKPOINT_DIR);
  if (!state) throw new InputError(runDir, 'no checkpoint to resume from');
  if (state.fingerprint !== fingerprint) {
    throw new InputError(dir, 'the checkpoint belongs to a run with another configuration or data; start a new run (without --resume) or use the original settings');
  }
  const load = (file: string, entries: WeightEntry[]): Map<string, tf.Tensor> => decodeTensors(new Uint8Array(fs.readFileSync(path.join(dir, file))), entries, path.join(dir, file));
  const weights = load('weights.bin', state.weights);
  const opt = load('optimizer.bin', state.optimizer);
  try {
    model.params.assign(weights);
    model.weightsChanged();
    strategy.importState(opt, state.optimizerSteps);
  } finally {
    for (const t of [...weights.values(), ...opt.values()]) t.dispose();
  }
  return state;
}
