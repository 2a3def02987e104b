/**
 * Accuracy of each formulation where float32 e^x − 1 cancels (x → 0⁻) and across the range,
 * against core's float64 reference: the composed class allows |err| ≤ max(5e-6, 1e-5·|ref|).
 */
import { apalu } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { createBackend, formulations } from '../src/index.js';

function grid(): Float32Array {
  const values: number[] = [];
  for (let e = -45; e <= 1.3; e += 0.01) values.push(-(10 ** e), 10 ** e);
  for (let i = 0; i < 20000; i++) values.push(-20 + (40 * i) / 20000);
  return Float32Array.from(values);
}

describe.each(formulations)('%s near 0⁻ and across [−20, 20]', (formulation) => {
  it('stays inside the composed tolerance with b = 2 (the largest initial b)', async () => {
    const x = grid();
    const a = Float32Array.of(2);
    const b = Float32Array.of(2);
    const backend = await createBackend({ formulation });
    const y = await backend.forward(x, a, b);
    let worst = 0;
    let worstX = 0;
    let worstNegRel = 0;
    for (let i = 0; i < x.length; i++) {
      const ref = Math.fround(apalu(x[i]!, 2, 2));
      const err = Math.abs(y[i]! - ref);
      const ratio = err / Math.max(5e-6, 1e-5 * Math.abs(ref));
      if (ratio > worst) [worst, worstX] = [ratio, x[i]!];
      if (x[i]! < 0 && x[i]! > -1 && ref !== 0) worstNegRel = Math.max(worstNegRel, err / Math.abs(ref));
    }
    console.info(`${formulation}: worst err / composed tolerance = ${worst.toFixed(3)} at x = ${worstX}; worst relative error on (−1, 0): ${worstNegRel.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1);
    await backend.dispose?.();
  });
});
