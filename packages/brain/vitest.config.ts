import { maxWorkers } from '@apalu/dev/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    maxWorkers,
    testTimeout: 60_000,
  },
});
