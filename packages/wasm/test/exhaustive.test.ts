import { runExhaustive } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';

// f and ∂f/∂x on 2^26 float32 inputs spread over every bit pattern (the full 2^32 run is
// `pnpm --filter @apalu/wasm exhaustive`, its output is in the README). Workers import the
// built package, so this runs after `build`.
const module = new URL('../dist/index.js', import.meta.url).href;

describe('exhaustive (sampled 2^26)', () => {
  it('wasm-simd: f and ∂f/∂x within 2 ULP on 2^26 inputs', async () => {
    const report = await runExhaustive({ module, options: { simd: true }, sampleBits: 26, threads: 2 });
    expect(report.backend).toBe('wasm-simd');
    expect(report.complete).toBe(true);
    expect(report.forward.maxError).toBeLessThanOrEqual(2);
    expect(report.derivative.maxError).toBeLessThanOrEqual(2);
    expect(report.pass).toBe(true);
  }, 600_000);

  it("wasm-simd-fast: f and ∂f/∂x within the composed class on 2^26 inputs", async () => {
    const report = await runExhaustive({ module, options: { simd: true, precision: 'fast' }, sampleBits: 26, threads: 2 });
    expect(report.backend).toBe('wasm-simd-fast');
    expect(report.accuracy).toBe('composed');
    expect(report.complete).toBe(true);
    expect(report.forward.maxError).toBeLessThanOrEqual(1);
    expect(report.derivative.maxError).toBeLessThanOrEqual(1);
    expect(report.pass).toBe(true);
  }, 600_000);
});
