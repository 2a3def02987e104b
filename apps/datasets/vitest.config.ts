import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // tfjs's wasm backend is one module per process: run files one after another.
    fileParallelism: false,
  },
});
