#!/usr/bin/env node
// One-step install for a fresh checkout: dependencies, native modules, the
// native TensorFlow backend and the Node bundles. Idempotent: each step is
// skipped when its result is already in place.
//
//   npm run setup              # everything
//   npm run setup -- --no-tf   # skip the native TensorFlow build (wasm/cpu fallbacks only)
//
// Why the dependencies install with scripts off: tfjs-node's install script
// downloads libtensorflow and a prebuilt binding from Google's storage; where
// that is blocked (hospitals, CI) npm would drop the optional package entirely.
// With scripts off the package stays, and scripts/native-tf.mjs builds its
// binding against a TensorFlow wheel instead. Electron's binary download is
// skipped here too (ELECTRON_SKIP_BINARY_DOWNLOAD); the app's tests run the real
// UI in Chromium, and packaging (npm run dist) fetches Electron when it can.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };

function step(title) {
  process.stderr.write(`\n[setup] ${title}\n`);
}

function run(command, argv, options = {}) {
  const r = spawnSync(command, argv, { cwd: root, stdio: 'inherit', env, ...options });
  return r.status === 0;
}

function must(ok, message) {
  if (!ok) {
    process.stderr.write(`[setup] failed: ${message}\n`);
    process.exit(1);
  }
}

const [major, minor] = process.versions.node.split('.').map(Number);
must(major > 20 || (major === 20 && minor >= 19), `Node.js 20.19 or newer is needed (this is ${process.versions.node})`);

// 1. Dependencies, exactly as locked.
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.glaucoma-studio-install');
const lockHash = crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lockHash) {
  step('dependencies: up to date');
} else {
  step('dependencies: npm ci (install scripts off; native modules are built next)');
  must(run(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund']), 'npm ci');
  fs.writeFileSync(stamp, lockHash);
}

// 2. better-sqlite3: a prebuilt binary when one can be downloaded, else compiled from source.
const sqliteBinding = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const sqliteLoads = () => spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root }).status === 0;
if (fs.existsSync(sqliteBinding) && sqliteLoads()) {
  step('better-sqlite3: built');
} else {
  step('better-sqlite3: building (prebuilt download, else from source; about a minute)');
  must(run(npm, ['rebuild', 'better-sqlite3']) && sqliteLoads(), 'building better-sqlite3 (needs python3, make and a C++ compiler)');
}

// 3. Native TensorFlow (optional: without it the app runs on the wasm/cpu backends, much slower).
if (args.has('--no-tf')) {
  step('native TensorFlow: skipped (--no-tf)');
} else if (process.platform !== 'linux') {
  step('native TensorFlow: running tfjs-node\'s own install (downloads libtensorflow)');
  const withBin = { ...env, PATH: [path.join(root, 'node_modules', '.bin'), env.PATH].join(path.delimiter) };
  if (!run(process.execPath, ['scripts/install.js'], { cwd: path.join(root, 'node_modules', '@tensorflow', 'tfjs-node'), env: withBin })) {
    process.stderr.write('[setup] warning: tfjs-node could not be installed; the wasm and cpu backends will be used (slow)\n');
  }
} else {
  step('native TensorFlow: building tfjs-node against a TensorFlow wheel (scripts/native-tf.mjs)');
  if (!run(process.execPath, ['scripts/native-tf.mjs'])) {
    process.stderr.write('[setup] warning: the native TensorFlow backend could not be built; the wasm and cpu backends will be used (slow). See README "Native TensorFlow".\n');
  }
}

// 4. The Node bundles behind the glaucoma-studio command.
step('bundling the CLI, job process and bridge server (out/node)');
must(run(process.execPath, ['scripts/build-node.mjs']), 'esbuild bundle');

step('done. Try: npx glaucoma-studio info');
