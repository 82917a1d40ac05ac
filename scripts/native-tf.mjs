#!/usr/bin/env node
// Builds the native TensorFlow binding of @tensorflow/tfjs-node (or -gpu) offline,
// against the TensorFlow C library inside a TensorFlow Python wheel.
//
// Why: tfjs-node's own install downloads libtensorflow 2.9.1 and a prebuilt
// binding from storage.googleapis.com. Air-gapped hospitals (and our CI) cannot
// reach it, and its GPU build wants CUDA 11.2, which current drivers no longer
// pair with. A TensorFlow wheel carries the same C API in libtensorflow_cc.so.2;
// laid out as tfjs-node's deps/ it builds and runs the binding.
//
// Usage:
//   node scripts/native-tf.mjs                 # CPU: pip download --no-deps tensorflow-cpu
//   node scripts/native-tf.mjs --wheel FILE    # any TensorFlow wheel already on disk
//   node scripts/native-tf.mjs --gpu [--wheel tensorflow-2.x-...whl]   # tfjs-node-gpu
//   node scripts/native-tf.mjs --check         # only report whether the binding loads
//   node scripts/native-tf.mjs --force         # rebuild even if a working binding exists
//
// Idempotent: a stamp in deps/ records the wheel; a binding that loads is left alone.
// Linux only (the wheel's .so layout); macOS/Windows users get tfjs-node's own
// download, which works wherever the internet does.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const gpu = flag('--gpu');
const pkgName = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
const pkgDir = path.join(root, 'node_modules', pkgName);
const depsDir = path.join(pkgDir, 'deps');
const stampFile = path.join(depsDir, 'glaucoma-studio-native.json');
// tfjs-node 4.x looks for these names (deps-constants.js: LIBTENSORFLOW_VERSION 2.9.1).
const TFJS_LIB_VERSION = '2.9.1';

function log(msg) {
  process.stderr.write(`[native-tf] ${msg}\n`);
}

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

/** Loads the package in a fresh process: a crash there must not take us down. */
function bindingLoads() {
  const probe = `const tf=require(${JSON.stringify(pkgName)});` +
    `const a=tf.tensor2d([[1,2],[3,4]]);` +
    `const s=tf.matMul(a,a).dataSync();` +
    `if(tf.getBackend()!=='tensorflow'||s[0]!==7)process.exit(3);` +
    `console.log(JSON.stringify({backend:tf.getBackend(),tf:tf.version.tfjs}))`;
  const r = spawnSync(process.execPath, ['-e', probe], {
    cwd: root, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  return r.status === 0;
}

function nodeHeadersDir() {
  // npm's own `nodedir` setting, then the headers installed beside this node binary.
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(path.dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return undefined;
}

function cacheDir() {
  const base = process.env.GLAUCOMA_STUDIO_CACHE ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'glaucoma-studio');
  const dir = path.join(base, 'wheels');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function findWheel() {
  const given = option('--wheel') || process.env.GLAUCOMA_STUDIO_TF_WHEEL;
  if (given) {
    if (!fs.existsSync(given)) fail(`wheel not found: ${given}`);
    return path.resolve(given);
  }
  const dist = gpu ? 'tensorflow' : 'tensorflow-cpu';
  const prefix = gpu ? 'tensorflow-' : 'tensorflow_cpu-';
  const dir = cacheDir();
  const cached = () => fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.whl')).sort();
  if (cached().length === 0) {
    log(`downloading the ${dist} wheel with pip (the configured index or mirror) into ${dir}`);
    const py = findPython();
    const r = spawnSync(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', dist, '-d', dir], { stdio: 'inherit' });
    if (r.status !== 0) fail(`pip download ${dist} failed; pass --wheel FILE with a TensorFlow wheel for this platform`);
  }
  const found = cached();
  if (found.length === 0) fail(`pip reported success but no ${prefix}*.whl is in ${dir}`);
  return path.join(dir, found[found.length - 1]);
}

function findPython() {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  fail('python3 is needed to download and unpack the TensorFlow wheel');
  return '';
}

// Streams only what the binding needs out of the wheel (the .so files are ~850 MB,
// the headers a few MB); Python's zipfile streams, so memory stays flat.
const EXTRACT_PY = `
import sys, zipfile, os, shutil
wheel, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(wheel)
libs = {'tensorflow/libtensorflow_cc.so.2': 'lib/libtensorflow_cc.so.2',
        'tensorflow/libtensorflow_framework.so.2': 'lib/libtensorflow_framework.so.2'}
inc = 'tensorflow/include/'
wanted = ('tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'xla/tsl/')
n = 0
for info in z.infolist():
    name = info.filename
    dest = libs.get(name)
    if dest is None and name.startswith(inc) and name[len(inc):].startswith(wanted) and not name.endswith('/'):
        dest = 'include/' + name[len(inc):]
    if dest is None:
        continue
    target = os.path.join(out, dest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(info) as src, open(target, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    n += 1
missing = [d for d in libs.values() if not os.path.exists(os.path.join(out, d))]
if missing:
    sys.exit('the wheel has no ' + ', '.join(missing) + ' (is it a TensorFlow wheel for Linux?)')
print(n)
`;

function layOutDeps(wheel) {
  const staging = `${depsDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  log(`unpacking libtensorflow and headers from ${path.basename(wheel)}`);
  try {
    execFileSync(findPython(), ['-c', EXTRACT_PY, wheel, staging], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    fail(`could not unpack ${wheel}`);
  }
  const lib = path.join(staging, 'lib');
  // The binding links -ltensorflow -ltensorflow_framework; at run time the loader
  // follows the SONAMEs (libtensorflow_cc.so.2, libtensorflow_framework.so.2)
  // through the binding's rpath $ORIGIN/../../deps/lib.
  const links = {
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    [`libtensorflow.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    [`libtensorflow_framework.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_framework.so.2',
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(lib, name));
  fs.rmSync(depsDir, { recursive: true, force: true });
  fs.renameSync(staging, depsDir);
}

function buildBinding() {
  const nodedir = nodeHeadersDir();
  if (!nodedir) fail('Node.js headers (include/node/node_api.h) not found; install them or set npm_config_nodedir');
  // No addon download: with a custom tf-lib and no custom addon, install.js builds from source.
  fs.writeFileSync(path.join(pkgDir, 'scripts', 'custom-binary.json'), JSON.stringify({ 'tf-lib': 'local-wheel' }));
  const env = {
    ...process.env,
    npm_config_nodedir: nodedir,
    PATH: [path.join(root, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter),
  };
  log(`building the binding (node headers: ${nodedir})`);
  // install.js only builds when deps/lib/libtensorflow.so.2.9.1 exists; "download" is never passed.
  const r = spawnSync(process.execPath, ['scripts/install.js', gpu ? 'gpu' : 'cpu'], { cwd: pkgDir, env, stdio: 'inherit' });
  if (r.status !== 0) fail(`building ${pkgName}'s binding failed (exit ${r.status})`);
}

function main() {
  if (!fs.existsSync(path.join(pkgDir, 'package.json'))) {
    fail(`${pkgName} is not installed; run npm install first (it is an optional dependency)`);
  }
  if (flag('--check')) {
    const ok = bindingLoads();
    log(`${pkgName}: ${ok ? 'native binding loads' : 'no working native binding'}`);
    process.exit(ok ? 0 : 1);
  }
  if (process.platform !== 'linux') {
    fail('the offline build from a wheel is for Linux; elsewhere tfjs-node downloads its own library');
  }
  if (!flag('--force') && fs.existsSync(stampFile) && bindingLoads()) {
    log(`${pkgName}: native binding already built (${JSON.parse(fs.readFileSync(stampFile, 'utf8')).wheel})`);
    return;
  }
  const wheel = findWheel();
  layOutDeps(wheel);
  buildBinding();
  if (!bindingLoads()) fail(`${pkgName} built but does not load; see the output above`);
  fs.writeFileSync(stampFile, JSON.stringify({ wheel: path.basename(wheel), builtAt: new Date().toISOString() }, null, 2));
  log(`${pkgName}: native binding built and verified`);
}

main();
