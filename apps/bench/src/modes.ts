import type { TimingPlan } from './harness.js';
import type { BenchMode } from './types.js';

const K = 1024;
const M = K * K;

export interface ModePlan extends TimingPlan {
  sizes: number[];
}

/**
 * full: 1K…16M in steps of 4×, 3 interleaved rounds (each at least 150 ms or one call, so a
 * row that takes seconds per call still gets three samples). quick: 1K, 16K, 256K, 2 rounds, the
 * report's main job (< 2 minutes on 2 cores with everything loaded). smoke: two tiny sizes, one short round (CI: it
 * checks that every entry loads, validates and produces numbers, never how fast).
 */
export const MODES: Readonly<Record<BenchMode, ModePlan>> = {
  full: { sizes: [K, 4 * K, 16 * K, 64 * K, 256 * K, M, 4 * M, 16 * M], rounds: 3, timeMs: 150, iterations: 1, warmupMs: 100 },
  quick: { sizes: [K, 16 * K, 256 * K], rounds: 2, timeMs: 40, iterations: 1, warmupMs: 20 },
  smoke: { sizes: [256, 1024], rounds: 1, timeMs: 2, iterations: 1, warmupMs: 0 },
};
