import { maxWorkers } from '@apalu/dev/vitest';
import { defineConfig } from 'vitest/config';

// The machine running CI is small and shared: generous timeouts, no timing assertions.
export default defineConfig({
  test: {
    maxWorkers,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
