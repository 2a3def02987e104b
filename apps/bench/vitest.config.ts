import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Dawn reads the Vulkan driver location when a process starts: globalSetup sets it in
    // the main process and the forked workers inherit it.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // The smoke run loads every backend (tfjs wasm, ONNX Runtime, Dawn): tens of seconds on 2 cores.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
