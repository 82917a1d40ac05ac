import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Unit and integration tests of the core, the CLI and the store. They run on
// tiny models and small images; the e2e suite has its own config.
export default defineConfig({
  // Compiles the renderer's `.svelte.ts` state classes (runes) for their unit tests in test/renderer/state.
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // TensorFlow's native kernels already use both cores; parallel files would only thrash.
    fileParallelism: false,
    // A hang guard only (speed is measured by the benchmarks): CI machines train the tiny models at very different speeds.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
