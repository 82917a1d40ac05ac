import { defineConfig } from 'vitest/config';

// The end-to-end suite: the real renderer (built once by the global setup) in
// Debian's Chromium against the local bridge, each test with its own temporary
// user-data folder. Screenshots go to test-output/e2e/.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
