import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs chromium when missing, builds the site and serves it on 127.0.0.1 (preview).
    globalSetup: ['test/global-setup.ts'],
    // One browser at a time: the matrix alone keeps both cores busy for a while.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
