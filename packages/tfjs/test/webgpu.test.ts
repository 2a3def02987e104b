import { apalu as apalu64, splitmix32 } from '@apalu/core';
import { describeConformance } from '@apalu/conformance/vitest';
import { describe, expect, it } from 'vitest';
import { apalu, createBackend } from '../src/index.js';
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
  describeConformance('tfjs webgpu kernel', () => createBackend({ tfBackend: 'webgpu', path: 'kernel' }));
  // tfjs's own webgpu ops on a device that flushes subnormals (SwiftShader, most GPUs): a
  // negative subnormal x compares as 0 and takes the x ≥ 0 branch (f' = 1.5a instead of b), and
  // NaN comes out of tfjs's webgpu sigmoid/expm1/where as ±∞. The kernel path has neither problem.
  const ftz = 'tfjs-webgpu ops flush subnormal x to 0 (x ≥ 0 branch taken for −1e-41)';
  const nan = 'tfjs-webgpu ops turn NaN into ±∞';
  describeConformance('tfjs webgpu composed', () => createBackend({ tfBackend: 'webgpu', path: 'composed' }), {
    exclude: {
      'special-values': nan,
      'random-bits': `${nan}; ${ftz}`,
      magnitudes: ftz,
      'log-uniform': ftz,
      'near-zero-negative': ftz,
      'length-4': ftz,
      'length-5': ftz,
      'length-1023': ftz,
      'length-1M': ftz,
    },
  });
}
