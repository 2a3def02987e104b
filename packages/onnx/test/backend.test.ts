import { apaluGrad, backward as coreBackward } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

const composedOk = (got: number, ref: number) =>
  Object.is(got, ref) || (Number.isNaN(ref) ? Number.isNaN(got) : Math.abs(got - ref) <= Math.max(5e-6, 1e-5 * Math.abs(ref)));

describe('createBackend backward (onnxruntime-web wasm)', () => {
  it('dx within the composed tolerance, da/db within relative 1e-4 of core', async () => {
    const backend = await createBackend();
    const special = [0, -0, Infinity, -Infinity, 1e-45, -1e-45, -1e-8, -1e-3, 17, -17, 88.7, -89, 1e4, 3e38, -3e38];
    for (const inner of [1, 7]) {
      const C = 3;
      const len = 3 * 7 * 60;
      const x = new Float32Array(len).map((_, i) => special[i] ?? Math.sin(i * 7.77) * 20);
      const dy = new Float32Array(len).map((_, i) => Math.cos(i * 3.1) * 0.9);
      const a = Float32Array.from([0.25, 1, 1.7]);
      const b = Float32Array.from([0.6, 1.2, 0.01]);
      const got = await backend.backward(x, dy, a, b, { inner });
      const ref = coreBackward(Float64Array.from(x), Float64Array.from(dy), a, b, { inner });
      const bad: string[] = [];
      for (let i = 0; i < len; i++) {
        const c = Math.floor(i / inner) % C;
        const r = Math.fround(dy[i]! * apaluGrad(x[i]!, a[c]!, b[c]!).dx);
        if (!composedOk(got.dx[i]!, r)) bad.push(`dx x=${x[i]} got ${got.dx[i]} ref ${r}`);
      }
      for (let c = 0; c < C; c++) {
        for (const [k, g, r] of [['da', got.da[c]!, ref.da[c]!], ['db', got.db[c]!, ref.db[c]!]] as const) {
          if (!(Object.is(g, Math.fround(r)) || Math.abs(g - r) <= 1e-4 * Math.abs(r))) bad.push(`${k}[${c}] got ${g} ref ${r}`);
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
    }
    const nan = await backend.backward(Float32Array.of(Number.NaN, 1), Float32Array.of(1, 1), Float32Array.of(1), Float32Array.of(1));
    expect([Number.isNaN(nan.dx[0]!), Number.isNaN(nan.da[0]!), Number.isNaN(nan.db[0]!)]).toEqual([true, true, true]);
    await backend.dispose?.();
  });

  it('rejects bad input before running, naming the value', async () => {
    const backend = await createBackend();
    await expect(backend.forward(new Float32Array(5), Float32Array.of(1, 1), Float32Array.of(1, 1))).rejects.toThrow(/x.length = 5/);
    await expect(backend.forward(new Float32Array(2), Float32Array.of(-1), Float32Array.of(1))).rejects.toThrow(/a\[0\] = -1/);
  });
});
