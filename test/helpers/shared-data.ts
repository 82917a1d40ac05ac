// Access to the real fundus data in ../shared/data. It is never copied into the
// repo. Locally a missing folder skips the tests that need it; under CI
// (CI=true) it fails them, so a broken checkout cannot pass by skipping.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Root of the shared data; GLAUCOMA_STUDIO_SHARED_DATA overrides ../shared/data. */
export const SHARED_DATA = process.env.GLAUCOMA_STUDIO_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Absolute path of a file or folder under the shared data. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

/**
 * True when the shared data folder (and optional sub-path) is present. Under CI
 * a missing folder throws, so `describe.runIf(hasSharedData(...))` fails instead of skipping.
 */
export function hasSharedData(...parts: string[]): boolean {
  const p = sharedPath(...parts);
  if (fs.existsSync(p)) return true;
  if (isCI) throw new Error(`shared test data missing under CI: ${p}`);
  return false;
}
