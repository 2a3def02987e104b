import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The checks pack every published package (npm pack --dry-run) and read whole trees: seconds
    // on 2 shared cores. The relaunch tests start child processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
