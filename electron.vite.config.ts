// electron-vite: main process (app entry + the job process's entry), the
// preload (CommonJS: sandboxed preloads cannot be ES modules) and the Svelte
// renderer (shared with the renderer-only build in vite.renderer.config.ts).
// Output: out/main/index.js (package.json "main"), out/main/worker.js,
// out/preload/index.cjs, out/renderer/index.html.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      rolldownOptions: {
        input: {
          index: here('./src-main/app/main.ts'),
          worker: here('./src-main/worker/main.ts'),
        },
        // Native modules are loaded from node_modules (unpacked from asar), never bundled.
        external: ['better-sqlite3', 'sharp', /^@tensorflow\//],
      },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      rolldownOptions: {
        input: { index: here('./src-main/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig(),
});
