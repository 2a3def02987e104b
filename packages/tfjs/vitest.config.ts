import { maxWorkers } from '@apalu/dev/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    maxWorkers,
    // Dawn (WebGPU in Node) loads SwiftShader through LD_LIBRARY_PATH, read when a process
    // starts: globalSetup sets it in the main process and forked workers inherit it.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
