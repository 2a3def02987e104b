import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// The built package: runExhaustive starts worker threads from its own dist folder.
import { runExhaustive } from '@apalu/conformance';

const wrongModule = fileURLToPath(new URL('./fixtures/cancelling-backend.mjs', import.meta.url));

describe('runExhaustive', () => {
  it('passes the reference on a 2^22 sample spread over all float32 bit patterns', async () => {
    let progress = 0;
    const report = await runExhaustive({ module: '@apalu/core', sampleBits: 22, threads: 2, onProgress: (done) => (progress = done) });
    expect(report).toMatchObject({ backend: 'core-reference', accuracy: 'strict', inputs: 2 ** 22, pass: true, complete: true });
    expect(report.forward.maxError).toBe(0);
    expect(progress).toBe(4);
  });

  it('finds the cancellation bug and names an input near 0⁻', async () => {
    const report = await runExhaustive({ module: wrongModule, sampleBits: 21, threads: 1 });
    expect(report.pass).toBe(false);
    expect(report.forward.failures).toBeGreaterThan(1000);
    expect(report.forward.worst!.x).toBeLessThan(0);
    expect(report.forward.worst!.x).toBeGreaterThan(-0.01);
    expect(report.derivative.failures).toBe(0);
  });

  it('rejects a bad sample size with a clear error', async () => {
    await expect(runExhaustive({ module: '@apalu/core', sampleBits: 40 })).rejects.toThrow(/sampleBits = 40/);
  });
});
