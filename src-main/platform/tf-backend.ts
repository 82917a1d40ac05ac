// Picks the TensorFlow.js backend, in the one process that owns TensorFlow.
// Order: native TensorFlow with a CUDA device (tfjs-node-gpu), native TensorFlow
// on the CPU (tfjs-node), WebAssembly, plain JavaScript. Native is the product;
// the others are fallbacks 5-100x slower, so the choice is always reported.
//
// This is the only module that loads the native TensorFlow packages; the core
// sees only @tensorflow/tfjs-core.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

import { BACKEND_ENV, BACKEND_NAMES, parseBackendChoice, type BackendChoice, type BackendInfo, type BackendName } from '../core/backend';

export { BACKEND_ENV, BACKEND_NAMES, describeBackend, parseBackendChoice } from '../core/backend';
export type { BackendChoice, BackendInfo, BackendName } from '../core/backend';

const requireFromHere = createRequire(import.meta.url);

interface NativeBinding {
  isUsingGpuDevice?: () => boolean;
  TF_Version?: string;
}

interface NativePackage {
  version: { 'tfjs-node'?: string; tfjs?: string };
}

function cpuDescription(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || os.arch();
  return `${model} x${cpus.length}`;
}

function nativeBinding(): NativeBinding | undefined {
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: NativeBinding } | null;
  return backend?.binding;
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string | undefined> {
  // TensorFlow's C++ logging is noise for our users; errors still surface as exceptions.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // Requiring a package whose binding is missing still registers its kernels,
  // and the next package would then re-register them all; look first.
  const missing = missingBinding(pkg);
  if (missing) return missing;
  try {
    requireFromHere(pkg) as NativePackage;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `${pkg} did not load (${message})`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend did not initialise`;
  return undefined;
}

/**
 * Kernel gradients are registered by the @tensorflow/tfjs union package, which
 * tfjs-node loads itself; the wasm and cpu fallbacks load it here, or training
 * fails on them with "gradient function not found". (tfjs-core's own
 * register_all_gradients is ESM with directory imports, which Node refuses.)
 */
function registerGradients(): void {
  requireFromHere('@tensorflow/tfjs');
}

async function tryWasm(): Promise<string | undefined> {
  try {
    registerGradients();
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
    return undefined;
  } catch (error) {
    return `wasm backend did not load (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function useCpu(): Promise<void> {
  registerGradients();
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
}

/** Why a native package cannot load, without loading it; undefined if its binding is there. */
function missingBinding(pkg: string): string | undefined {
  let pkgJson: string;
  try {
    pkgJson = requireFromHere.resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} is not installed`;
  }
  const libDir = path.join(path.dirname(pkgJson), 'lib');
  const built = fs.existsSync(libDir) && fs.readdirSync(libDir).some((d) => fs.existsSync(path.join(libDir, d, 'tfjs_binding.node')));
  return built ? undefined : `${pkg} has no native binding (build it offline with: npm run native-tf${pkg.endsWith('-gpu') ? ' -- --gpu' : ''})`;
}

let selected: BackendInfo | undefined;

/**
 * Selects and initialises the backend. `choice` (or GLAUCOMA_STUDIO_BACKEND)
 * forces one; a forced backend that does not load is an error, not a silent
 * fallback, so benchmarks never measure the wrong thing.
 */
export async function selectBackend(choice: BackendChoice = parseBackendChoice(process.env[BACKEND_ENV], BACKEND_ENV)): Promise<BackendInfo> {
  if (selected) {
    if (choice !== 'auto' && choice !== selected.name) {
      throw new Error(`backend ${selected.name} is already running in this process; cannot switch to ${choice}`);
    }
    return selected;
  }
  const skipped: string[] = [];
  const tfjsVersion = tf.version_core;
  const order: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice];
  for (const name of order) {
    if (name === 'tensorflow-gpu') {
      const why = await tryNative('@tensorflow/tfjs-node-gpu');
      if (why) {
        skipped.push(why);
        continue;
      }
      const binding = nativeBinding();
      const onGpu = binding?.isUsingGpuDevice?.() ?? false;
      if (!onGpu) {
        // The GPU package runs TensorFlow on the CPU when it sees no CUDA device; still native.
        selected = { name: 'tensorflow', device: `${cpuDescription()} (no CUDA device seen)`, tfjsVersion, nativeVersion: binding?.TF_Version, skipped };
        if (choice === 'tensorflow-gpu') throw new Error('tfjs-node-gpu loaded but sees no CUDA device');
        return selected;
      }
      selected = { name, device: 'CUDA GPU', tfjsVersion, nativeVersion: binding?.TF_Version, skipped };
      return selected;
    }
    if (name === 'tensorflow') {
      const why = await tryNative('@tensorflow/tfjs-node');
      if (why) {
        skipped.push(why);
        continue;
      }
      selected = { name, device: cpuDescription(), tfjsVersion, nativeVersion: nativeBinding()?.TF_Version, skipped };
      return selected;
    }
    if (name === 'wasm') {
      const why = await tryWasm();
      if (why) {
        skipped.push(why);
        continue;
      }
      selected = { name, device: `${cpuDescription()} (WebAssembly, one thread)`, tfjsVersion, skipped };
      return selected;
    }
    await useCpu();
    selected = { name: 'cpu', device: `${cpuDescription()} (JavaScript)`, tfjsVersion, skipped };
    return selected;
  }
  throw new Error(`backend ${choice} is not available: ${skipped.join('; ')}`);
}
