#!/usr/bin/env node
// The glaucoma-studio command. Runs the bundled CLI in out/node/; in a source
// checkout it (re)builds the bundle first when it is missing or older than the sources.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'out', 'node', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const sources = path.join(root, 'src-main');
const stale = !fs.existsSync(bundle) || (fs.existsSync(sources) && newestSource(sources) > fs.statSync(bundle).mtimeMs);
if (stale) {
  let buildNode;
  try {
    ({ buildNode } = await import(pathToFileURL(path.join(root, 'scripts', 'build-node.mjs')).href));
  } catch {
    console.error(`glaucoma-studio: ${bundle} is missing and cannot be built here (run npm run setup)`);
    process.exit(1);
  }
  await buildNode({ quiet: true });
}
await import(pathToFileURL(bundle).href);
