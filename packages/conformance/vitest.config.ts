import { maxWorkers } from '@apalu/dev/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // CI machines have 2 cores; exact-arithmetic and exhaustive-sample tests need headroom.
  test: {
    maxWorkers,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
