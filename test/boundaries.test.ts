// The module boundaries, checked here so they cannot drift the way they did in
// projects we learn from: the core imports neither electron nor a native
// module; the core's folders import only downwards in one written layer order;
// the core never reaches the platform adapters or the app; the app never
// reaches the renderer; the renderer reaches main only through the contract
// (and the pure mask geometry it shares); and no module imports itself back.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const FORBIDDEN_IN_CORE = ['electron', 'sharp', 'better-sqlite3', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'];

/**
 * The core's layers, lowest first. A module may import its own folder and any
 * folder of a lower layer, never one of its own layer's other folders or a
 * higher one. Top-level files (`types.ts`, `errors.ts`...) are named by their
 * stem. A new folder goes in here, at the place its imports allow.
 */
export const CORE_LAYERS: readonly (readonly string[])[] = [
  // Errors name a file and say what is wrong with it: the file readers (fs) build on them.
  ['types', 'log', 'random', 'errors'],
  ['fs', 'backend'],
  ['masks'],
  ['geometry', 'metrics', 'render', 'data'],
  // The glaucoma decision model: pure measurements and statistics that the model
  // package stores and the predictor applies.
  ['decision'],
  ['model'],
  ['contract'],
  // The image-quality gate: its reasons are the contract's vocabulary.
  ['quality'],
  ['infer'],
  ['train'],
  ['bench'],
  ['store'],
  ['registry'],
  ['report'],
  ['jobs'],
  ['api'],
];

/**
 * src-main's folders, lowest first, in the same sense: the core is plain logic;
 * the platform adapters (native modules, forked job processes) and the job
 * queue (BullMQ on Redis, a queue worker running local job processes) build
 * on the core alone; the entries (the job process, the Electron app, the CLI)
 * wire them together. A new folder of src-main goes in here.
 */
export const MAIN_LAYERS: readonly (readonly string[])[] = [['core'], ['platform', 'queue'], ['worker', 'app', 'cli']];

/** Core modules the renderer may load at run time: the contract, the label-map codec, pure mask geometry and the small pure modules they need (no Node). */
export const RENDERER_SHARED_CORE: readonly string[] = ['src-main/core/contract/contract', 'src-main/core/contract/label-map', 'src-main/core/masks/measure', 'src-main/core/masks/mask', 'src-main/core/backend', 'src-main/core/types'];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs|svelte)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
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

/** Every module specifier a file names, type-only ones included (a type is a dependency too). */
export function allImports(source: string): string[] {
  const specs: string[] = [];
  const patterns = [/^\s*import\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm, /^\s*export\s+(?:type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) specs.push(m[1]!);
  return specs;
}

const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');

/** The repository-relative module a relative specifier names (no extension), or null for a package. */
function resolveSpec(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [target, `${target}.ts`, `${target}.svelte.ts`, path.join(target, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return rel(candidate).replace(/\.ts$/, '');
  }
  return rel(target).replace(/\.(ts|js)$/, '');
}

/** Module -> the modules it imports (relative imports only), over src-main and src-renderer. */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of [...sourceFiles(path.join(root, 'src-main')), ...sourceFiles(path.join(root, 'src-renderer'))]) {
    const from = rel(file).replace(/\.ts$/, '');
    const targets = new Set<string>();
    for (const spec of allImports(fs.readFileSync(file, 'utf8'))) {
      const to = resolveSpec(file, spec);
      if (to !== null && to !== from) targets.add(to);
    }
    graph.set(from, targets);
  }
  return graph;
}

/** The core folder (or top-level file stem) a module belongs to, or null outside the core. */
export function coreUnit(module: string): string | null {
  const m = /^src-main\/core\/([^/]+)/.exec(module);
  return m ? m[1]!.replace(/\.ts$/, '') : null;
}

export function layerOf(unit: string): number {
  return CORE_LAYERS.findIndex((layer) => layer.includes(unit));
}

/** Every import cycle, each as the list of modules around it (Tarjan's strongly connected components). */
export function importCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('module boundaries', () => {
  const graph = importGraph();

  it('finds run-time imports and ignores type-only ones', () => {
    const src = `import type { A } from 'electron';\nimport x from 'sharp';\nexport { y } from './y';\nconst z = await import('better-sqlite3');`;
    expect(runtimeImports(src)).toEqual(['sharp', './y', 'better-sqlite3']);
    expect(allImports(src)).toEqual(['electron', 'sharp', './y', 'better-sqlite3']);
  });

  it('finds a cycle and only real ones', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(importCycles(g)).toEqual([['a', 'b', 'c']]);
    expect(importCycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
  });

  it('src-main/core imports no electron and no native module', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src-main', 'core'))) {
      for (const spec of runtimeImports(fs.readFileSync(file, 'utf8'))) {
        if (FORBIDDEN_IN_CORE.some((f) => spec === f || spec.startsWith(`${f}/`))) {
          offenders.push(`${rel(file)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every core folder has a place in the layer order', () => {
    const units = new Set([...graph.keys()].map(coreUnit).filter((u): u is string => u !== null));
    expect([...units].filter((u) => layerOf(u) < 0)).toEqual([]);
  });

  it('the core imports only downwards in the layer order', () => {
    const offenders: string[] = [];
    for (const [from, targets] of graph) {
      const a = coreUnit(from);
      if (a === null) continue;
      for (const to of targets) {
        const b = coreUnit(to);
        if (b === null) {
          offenders.push(`${from} imports ${to} (outside the core)`);
          continue;
        }
        if (a !== b && layerOf(b) >= layerOf(a)) offenders.push(`${from} (${a}, layer ${layerOf(a)}) imports ${to} (${b}, layer ${layerOf(b)})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("src-main's folders import only downwards (the queue and the platform adapters only the core)", () => {
    const unitOf = (module: string): string | null => /^src-main\/([^/.]+)\//.exec(module)?.[1] ?? null;
    const layer = (unit: string): number => MAIN_LAYERS.findIndex((l) => l.includes(unit));
    const units = new Set([...graph.keys()].map(unitOf).filter((u): u is string => u !== null));
    expect([...units].filter((u) => layer(u) < 0)).toEqual([]);
    const offenders: string[] = [];
    for (const [from, targets] of graph) {
      const a = unitOf(from);
      if (a === null) continue;
      for (const to of targets) {
        const b = unitOf(to);
        if (b !== null && a !== b && layer(b) >= layer(a)) offenders.push(`${from} (${a}) imports ${to} (${b})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the app never imports the renderer', () => {
    const offenders = [...graph].flatMap(([from, targets]) => (from.startsWith('src-main/') ? [...targets].filter((t) => t.startsWith('src-renderer/')).map((t) => `${from} imports ${t}`) : []));
    expect(offenders).toEqual([]);
  });

  it('no module imports itself back (no import cycles)', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('the renderer reaches the main process only through the contract and the allowed mask geometry', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src-renderer'))) {
      for (const spec of runtimeImports(fs.readFileSync(file, 'utf8'))) {
        if (spec === 'electron' || spec.startsWith('node:')) offenders.push(`${rel(file)} imports ${spec}`);
        const to = resolveSpec(file, spec);
        if (to !== null && to.startsWith('src-main/') && !RENDERER_SHARED_CORE.includes(to)) offenders.push(`${rel(file)} imports ${to}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the modules the renderer shares import nothing but other shared modules', () => {
    const offenders = RENDERER_SHARED_CORE.flatMap((module) => {
      const file = path.join(root, `${module}.ts`);
      return runtimeImports(fs.readFileSync(file, 'utf8'))
        .filter((spec) => spec !== 'zod')
        .map((spec) => resolveSpec(file, spec) ?? spec)
        .filter((to) => !RENDERER_SHARED_CORE.includes(to))
        .map((to) => `${module} imports ${to}`);
    });
    expect(offenders).toEqual([]);
  });
});
