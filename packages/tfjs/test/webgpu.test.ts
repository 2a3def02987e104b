import { apalu as apalu64, splitmix32 } from '@apalu/core';
import { describeConformance } from '@apalu/conformance/vitest';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { apalu, createBackend } from '../src/node.js';
import { tf } from './tf.js';
import { webgpuUnavailable } from './webgpu.js';

const skip = await webgpuUnavailable();

describe.skipIf(skip !== null)('apalu on tfjs webgpu', () => {
  it('runs the registered kernel and matches the float64 reference', async () => {
    await tf.setBackend('webgpu');
    const next = splitmix32(5);
    const xv = Float32Array.from({ length: 3000 }, () => ((next() / 2 ** 32) * 2 - 1) * 10);
    const y = await apalu(tf.tensor(xv, [1000, 3]), [0.5, 1, 1.5], [2, 1, 0.25], 'kernel').data();
    for (let i = 0; i < xv.length; i++) {
      const want = apalu64(xv[i] as number, [0.5, 1, 1.5][i % 3] as number, [2, 1, 0.25][i % 3] as number);
      expect(Math.abs((y[i] as number) - want)).toBeLessThanOrEqual(2.4e-7 * Math.abs(want) + 1e-45);
    }
  });
});

if (skip === null) {
  // The composed variant's input exclusions (subnormal flushing, NaN → ±∞ in tfjs's own webgpu ops) live with the variants.
  const kernel = conformanceVariants.find((v) => v.name === 'tfjs-webgpu-kernel')!;
  describeConformance('tfjs webgpu kernel', () => createBackend(kernel.options));
  const composed = conformanceVariants.find((v) => v.name === 'tfjs-webgpu-composed')!;
  describeConformance('tfjs webgpu composed', () => createBackend(composed.options), { excludeInputs: composed.excludeInputs });
}
