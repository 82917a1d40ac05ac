// Model packages by content: the queue names a package by the SHA-256 of its
// model.json (which lists every weight file's SHA-256, so it pins the whole
// package), and a worker runs only that content. A worker with a cache folder
// copies each package there once (<cache>/<hash>/) and loads it from there, so
// a package changed or removed on shared storage mid-run cannot mix models.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors';
import { MANIFEST_FILE } from '../core/model/package';

export function modelContentHash(modelDir: string): string {
  let manifest: Buffer;
  try {
    manifest = fs.readFileSync(path.join(modelDir, MANIFEST_FILE));
  } catch {
    throw new InputError(modelDir, `not a model package (no ${MANIFEST_FILE})`);
  }
  return crypto.createHash('sha256').update(manifest).digest('hex');
}

/**
 * The folder to load the package with content `sha256` from: the cached copy
 * (made now if missing), or without a cache the shared folder itself once its
 * content is checked. Throws when the content differs.
 */
export function resolveModel(modelDir: string, sha256: string, cacheDir: string | null): string {
  if (cacheDir) {
    const cached = path.join(cacheDir, sha256);
    if (fs.existsSync(path.join(cached, MANIFEST_FILE)) && modelContentHash(cached) === sha256) return cached;
    const found = modelContentHash(modelDir);
    if (found !== sha256) throw new InputError(modelDir, `the model package changed: its content hash is ${found.slice(0, 12)}, the job asks for ${sha256.slice(0, 12)}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const staging = path.join(cacheDir, `.${sha256}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    fs.cpSync(modelDir, staging, { recursive: true });
    if (modelContentHash(staging) !== sha256) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new InputError(modelDir, 'the model package changed while it was being copied');
    }
    try {
      fs.renameSync(staging, cached);
    } catch {
      // Another worker on this machine cached it first.
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return cached;
  }
  const found = modelContentHash(modelDir);
  if (found !== sha256) throw new InputError(modelDir, `the model package changed: its content hash is ${found.slice(0, 12)}, the job asks for ${sha256.slice(0, 12)}`);
  return modelDir;
}
