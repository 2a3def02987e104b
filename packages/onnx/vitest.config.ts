import { maxWorkers } from '@apalu/dev/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // onnxruntime-web compiles its wasm and each session on first use; on a 2-core CI machine that
  // alone can pass vitest's 5 s default (the Sequential CNN export test timed out there).
  test: {
    maxWorkers,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
