import { apalu } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { apaluModel, createBackend, createSession, formulations } from '../src/index.js';

const composedOk = (got: number, ref: number) =>
  Object.is(got, ref) || (Number.isNaN(ref) ? Number.isNaN(got) : Math.abs(got - ref) <= Math.max(5e-6, 1e-5 * Math.abs(ref)));

function inputs(): Float32Array {
  const special = [0, -0, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-8, -1e-8, -1e-7, -1e-3, 0.5, -0.5, 17, -17, 88.7, -88.7, 89, -89, 1e4, -1e4, 3e38, -3e38, 3.4e38];
  const rnd = Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 20);
  return Float32Array.from([...special, ...rnd]);
}

describe.each(formulations)('APALU function, formulation %s', (formulation) => {
  it('matches the float64 reference within the composed tolerance, channels-last and channels-first', async () => {
    const x = inputs();
    const a = [0.25, 1, 1.9];
    const b = [0.3, 1.2, 1.999];
    const backend = await createBackend({ formulation });
    for (const inner of [1, 7]) {
      const len = Math.floor(x.length / (3 * inner)) * 3 * inner;
      const xs = x.subarray(0, len);
      const y = await backend.forward(xs, Float32Array.from(a), Float32Array.from(b), { inner });
      const bad: string[] = [];
      for (let i = 0; i < len; i++) {
        const c = Math.floor(i / inner) % 3;
        const ref = Math.fround(apalu(xs[i]!, Math.fround(a[c]!), Math.fround(b[c]!)));
        if (!composedOk(y[i]!, ref)) bad.push(`x=${xs[i]} c=${c} got ${y[i]} ref ${ref}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
    }
    await backend.dispose?.();
  });
});

describe('apaluModel', () => {
  it('runs a baked NCHW model with per-channel a, b', async () => {
    const a = [0.5, 1.5];
    const b = [1, 0.1];
    const session = await createSession(apaluModel({ a, b, layout: 'channels-first', shape: ['batch', 2, 2, 2] }));
    const x = Float32Array.from([-1, 0, 1, 2, -2, -0.5, 0.5, 3]);
    const { Tensor } = await import('onnxruntime-web');
    const out = await session.run({ x: new Tensor('float32', x, [1, 2, 2, 2]) });
    const y = out.y!.data as Float32Array;
    for (let i = 0; i < 8; i++) {
      const c = Math.floor(i / 4);
      expect(composedOk(y[i]!, apalu(x[i]!, a[c]!, b[c]!))).toBe(true);
    }
  });
});
