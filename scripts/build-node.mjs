#!/usr/bin/env node
// Bundles the Node entry points (CLI, job process, bridge server) into out/node/
// with esbuild. Native and large packages stay external and load from node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = {
  cli: 'src-main/cli/index.ts',
  worker: 'src-main/worker/main.ts',
  serve: 'src-main/app/serve.ts',
};

export async function buildNode({ quiet = false } = {}) {
  const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => fs.existsSync(path.join(root, file))).map(([name, file]) => [name, path.join(root, file)]));
  await build({
    entryPoints,
    outdir: path.join(root, 'out', 'node'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: quiet ? 'warning' : 'info',
    external: ['@tensorflow/*', 'sharp', 'better-sqlite3', 'electron', 'bullmq', 'ioredis'],
    // Bundled CommonJS dependencies may call require(); give ESM output one.
    banner: { js: "import { createRequire as __gsCreateRequire } from 'node:module'; const require = __gsCreateRequire(import.meta.url);" },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildNode().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
