// The renderer's build, shared by electron-vite (electron.vite.config.ts,
// section `renderer`) and by `npm run build:renderer`, which builds only the
// renderer with plain Vite for the browser mode and the Chromium e2e suite
// (electron-vite always builds main and preload too). Output: out/renderer.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type UserConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export const rendererRoot = here('./src-renderer');
export const rendererOutDir = here('./out/renderer');

export function rendererConfig(): UserConfig {
  return {
    root: rendererRoot,
    // Relative asset URLs: the page is loaded from a file/custom protocol in Electron and from the bridge's root in the browser.
    base: './',
    plugins: [
      svelte({ configFile: false, compilerOptions: { runes: true } }),
      // The built page allows no inline style (index.html's CSP); only the dev server, which injects
      // its CSS as <style> elements for hot reload, gets 'unsafe-inline'.
      { name: 'dev-server-inline-styles', apply: 'serve', transformIndexHtml: (html: string) => html.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';") },
    ],
    build: {
      outDir: rendererOutDir,
      emptyOutDir: true,
      target: 'chrome120',
      sourcemap: true,
      rolldownOptions: { input: here('./src-renderer/index.html') },
    },
  };
}

export default defineConfig(rendererConfig());
