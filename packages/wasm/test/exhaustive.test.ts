import { runExhaustive } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';

// f and ∂f/∂x on 2^26 float32 inputs spread over every bit pattern (the full 2^32 run is
// `pnpm --filter @apalu/wasm exhaustive`, its output is in the README). Workers import the
// built package, so this runs after `build`.
const module = new URL('../dist/index.js', import.meta.url).href;

describe('exhaustive (sampled 2^26)', () => {
  it.each([
    { name: 'wasm-simd', options: { simd: true }, accuracy: 'strict', limit: 2 },
    { name: 'wasm-simd-fast', options: { simd: true, precision: 'fast' }, accuracy: 'composed', limit: 1 },
  ])('$name: f and ∂f/∂x within the $accuracy class (≤ $limit) on 2^26 inputs', async ({ name, options, accuracy, limit }) => {
    const report = await runExhaustive({ module, options, sampleBits: 26, threads: 2 });
    expect([report.backend, report.accuracy, report.complete]).toEqual([name, accuracy, true]);
    expect(report.forward.maxError).toBeLessThanOrEqual(limit);
    expect(report.derivative.maxError).toBeLessThanOrEqual(limit);
    expect(report.pass).toBe(true);
  }, 600_000);
});
