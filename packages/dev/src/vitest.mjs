// Shared vitest settings of the workspace packages: how many test files run at once. Plain
// JavaScript because vitest.config.ts files import it through Node, which loads no TypeScript.
import { availableParallelism } from 'node:os';

/**
 * vitest's default leaves a core for its main process: one worker on a 2-core machine, where the
 * tests mostly wait on their own workers and engines. Two files at a time cut a suite's time by
 * about a third there (measured: @apalu/wasm 110 → 69 s, @apalu/tfjs 89 → 71 s, @apalu/onnx 62 → 46 s).
 */
export const maxWorkers = Math.max(2, availableParallelism() - 1);
