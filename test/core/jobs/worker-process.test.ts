// The real job process, forked as the CLI and the bridge server fork it,
// driven through the typed protocol.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromJob, JobSpec } from '../../../src-main/core/jobs/protocol';
import { writeSyntheticRefuge } from '../../../src-main/core/data/synth';
import { resolveArchConfig } from '../../../src-main/core/model/config';
import { DEFAULT_TRAINING } from '../../../src-main/core/train/run-training';
import { forkLauncher } from '../../../src-main/platform/fork-launcher';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-worker-'));
beforeAll(async () => {
  await writeSyntheticRefuge(path.join(tmp, 'data'), { count: 4, seed: 2, width: 96, height: 92 }, createSharpCodec());
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs one job; `onMessage` may answer (e.g. cancel). Resolves with every message received. */
function runInWorker(spec: JobSpec, onMessage?: (m: FromJob, send: (m: import('../../../src-main/core/jobs/protocol').ToJob) => void) => void): Promise<FromJob[]> {
  const channel = forkLauncher().launch();
  const messages: FromJob[] = [];
  return new Promise((resolve, reject) => {
    channel.onExit((code) => (code === 0 ? resolve(messages) : reject(new Error(`job process exited with ${code}`))));
    channel.onMessage((m) => {
      messages.push(m);
      if (m.type === 'ready') channel.send({ type: 'start', jobId: 'j1', spec });
      if (m.type === 'done' || m.type === 'failed' || m.type === 'cancelled') channel.send({ type: 'shutdown' });
      onMessage?.(m, (x) => channel.send(x));
    });
  });
}

describe('job process', () => {
  it('says which backend it loaded, reports progress and returns the result', async () => {
    const messages = await runInWorker({
      kind: 'bench',
      config: { variant: 'vgg16', width: 0.0625, size: 32, batch: 2, inferBatches: [1, 2], repeats: 1, screeningFolder: null, screeningModelDir: null, skipTraining: false },
    });
    const ready = messages.find((m) => m.type === 'ready');
    expect(ready && ready.type === 'ready' && ready.backend.name).toBe('tensorflow');
    expect(messages.some((m) => m.type === 'progress')).toBe(true);
    const done = messages.at(-1)!;
    expect(done.type).toBe('done');
    if (done.type !== 'done' || done.result.kind !== 'bench') throw new Error('expected a bench result');
    expect(done.result.result.params).toBeGreaterThan(1000);
    expect(done.result.result.inferMsPerImage['1']).toBeGreaterThan(0);
    expect(done.result.result.mtlioStepMsPerImage).toBeGreaterThan(0);
  });

  it('stops a training job on cancel and says so', async () => {
    const spec: JobSpec = {
      kind: 'train',
      config: { ...DEFAULT_TRAINING, data: path.join(tmp, 'data'), arch: resolveArchConfig({ width: 0.0625, inputSize: 32 }), epochs: 50, batchSize: 2 },
      outDir: path.join(tmp, 'run'),
      resume: false,
    };
    let sent = false;
    const messages = await runInWorker(spec, (m, send) => {
      if (m.type === 'epoch' && !sent) {
        sent = true;
        send({ type: 'cancel', jobId: 'j1' });
      }
    });
    expect(messages.at(-1)!.type).toBe('cancelled');
    // The epochs finished before the cancel are checkpointed.
    expect(fs.existsSync(path.join(tmp, 'run', 'final', 'runs', 'main', 'checkpoint', 'state.json'))).toBe(true);
  });

  it('reports a failure with the file at fault', async () => {
    const messages = await runInWorker({ kind: 'screen-folder', folder: path.join(tmp, 'data'), modelDir: path.join(tmp, 'no-such-model'), outDir: path.join(tmp, 'out'), tta: false, overlays: false });
    const failed = messages.at(-1)!;
    expect(failed.type).toBe('failed');
    if (failed.type === 'failed') {
      expect(failed.file).toBe(path.join(tmp, 'no-such-model'));
      expect(failed.message).toMatch(/model package folder not found/);
    }
  });
});
