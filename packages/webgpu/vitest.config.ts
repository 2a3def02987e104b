import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Dawn reads LD_LIBRARY_PATH when the process starts: globalSetup sets it here, in the
    // main process, and the forked test workers inherit it.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One GPU (or one SwiftShader on 2 cores): run files one after another.
    fileParallelism: false,
  },
});
