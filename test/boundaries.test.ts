// The rule "the core imports neither electron nor a native module" is checked
// here, so it cannot drift the way it did in projects we learn from.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const FORBIDDEN_IN_CORE = ['electron', 'sharp', 'better-sqlite3', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs|svelte)$/.test(entry.name) ? [full] : [];
  });
}

/** Module specifiers a file loads at run time (type-only imports are erased and allowed). */
export function runtimeImports(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire(?:FromHere)?\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) specs.push(m[1]!);
  return specs;
}

describe('module boundaries', () => {
  it('finds run-time imports and ignores type-only ones', () => {
    const src = `import type { A } from 'electron';\nimport x from 'sharp';\nexport { y } from './y';\nconst z = await import('better-sqlite3');`;
    expect(runtimeImports(src)).toEqual(['sharp', './y', 'better-sqlite3']);
  });

  it('src-main/core imports no electron and no native module', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src-main', 'core'))) {
      for (const spec of runtimeImports(fs.readFileSync(file, 'utf8'))) {
        if (FORBIDDEN_IN_CORE.some((f) => spec === f || spec.startsWith(`${f}/`))) {
          offenders.push(`${path.relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the renderer reaches the main process only through the API contract (and its pure label-map codec)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src-renderer'))) {
      for (const spec of runtimeImports(fs.readFileSync(file, 'utf8'))) {
        if (spec === 'electron' || spec.startsWith('node:') || /src-main\/(?!core\/api\/(contract|label-map)$)/.test(spec)) {
          offenders.push(`${path.relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
