// The utilityProcess launcher against a fake process: the worker entry and
// options it is started with, messages both ways, one exit report (also to a
// late listener), nothing sent after exit, kill, and the process's output in
// the log without TensorFlow's start-up noise.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FromJob } from '../../src-main/core/jobs/protocol';
import { utilityLauncher, type UtilityForkOptions, type UtilityProcessLike } from '../../src-main/app/utility-launcher';

class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  readonly posted: unknown[] = [];
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  kills = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
}

function setup() {
  const forks: Array<{ modulePath: string; args: string[]; options: UtilityForkOptions }> = [];
  const child = new FakeUtilityProcess();
  const logged: string[] = [];
  const launcher = utilityLauncher({
    fork: (modulePath, args, options) => {
      forks.push({ modulePath, args, options });
      return child;
    },
    workerPath: '/app/out/main/worker.js',
    serviceName: 'Glaucoma Studio jobs',
    env: { GLAUCOMA_STUDIO_BACKEND: 'cpu' },
    log: (level, message) => logged.push(`${level} ${message}`),
  });
  return { launcher, forks, child, logged };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('utilityLauncher', () => {
  it('starts the worker entry as a named utility process with piped output', () => {
    const { launcher, forks } = setup();
    launcher.launch();
    expect(forks).toHaveLength(1);
    expect(forks[0]!.modulePath).toBe('/app/out/main/worker.js');
    expect(forks[0]!.options.serviceName).toBe('Glaucoma Studio jobs');
    expect(forks[0]!.options.stdio).toBe('pipe');
    expect(forks[0]!.options.env.GLAUCOMA_STUDIO_BACKEND).toBe('cpu');
    expect(forks[0]!.options.env.TF_CPP_MIN_LOG_LEVEL).toBeDefined();
  });

  it('carries messages both ways', () => {
    const { launcher, child } = setup();
    const channel = launcher.launch();
    const got: FromJob[] = [];
    channel.onMessage((m) => got.push(m));
    const ready = { type: 'ready', backend: { name: 'cpu', device: 'test', tfjsVersion: '4.22.0', skipped: [] } };
    child.emit('message', ready);
    channel.send({ type: 'shutdown' });
    expect(got).toEqual([ready]);
    expect(child.posted).toEqual([{ type: 'shutdown' }]);
  });

  it('reports the exit once, also to a listener added afterwards, and sends nothing after it', () => {
    const { launcher, child } = setup();
    const channel = launcher.launch();
    const codes: Array<number | null> = [];
    channel.onExit((c) => codes.push(c));
    child.emit('exit', 3);
    child.emit('exit', 0);
    channel.onExit((c) => codes.push(c));
    channel.send({ type: 'shutdown' });
    channel.kill();
    expect(codes).toEqual([3, 3]);
    expect(child.posted).toEqual([]);
    expect(child.kills).toBe(0);
  });

  it('kills a running process', () => {
    const { launcher, child } = setup();
    launcher.launch().kill();
    expect(child.kills).toBe(1);
  });

  it('puts stdout and stderr lines in the log, without TensorFlow noise, the last partial line at the end', async () => {
    const { launcher, child, logged } = setup();
    launcher.launch();
    child.stderr.write('I0000 00:00:1700000000.1 cpu_feature_guard.cc:210] This TensorFlow binary is optimized\nloading the model');
    child.stdout.write('screened 3 images\n');
    child.stderr.end(' from /models/m1\n');
    child.stdout.end();
    await tick();
    expect(logged).toEqual(['info [jobs] screened 3 images', 'warn [jobs] loading the model from /models/m1']);
  });

  it('logs a fatal error of the process', () => {
    const { launcher, child, logged } = setup();
    launcher.launch();
    child.emit('error', 'FatalError', 'v8::Isolate::Allocate');
    expect(logged).toEqual(['error job process FatalError at v8::Isolate::Allocate']);
  });
});
