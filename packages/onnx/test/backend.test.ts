import { apalu, apaluGrad, backward as coreBackward } from '@apalu/core';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { type InferenceSession, type OrtRuntime, createBackend } from '../src/index.js';

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

/**
 * onnxruntime-web behind a counter: the creations listed in `failing` (1-based) reject, every
 * other one is a real session whose release is recorded.
 */
function flakyRuntime(failing: number[]) {
  const state = { creations: 0, live: new Set<InferenceSession>(), released: 0 };
  const runtime: OrtRuntime = {
    Tensor: ortWeb.Tensor,
    env: ortWeb.env,
    InferenceSession: {
      async create(bytes, options) {
        state.creations++;
        if (failing.includes(state.creations)) throw new Error(`fake runtime: creation #${state.creations} failed`);
        const real = await ortWeb.InferenceSession.create(bytes, options);
        const wrapped = {
          inputNames: real.inputNames,
          outputNames: real.outputNames,
          run: real.run.bind(real),
          async release() {
            state.live.delete(wrapped);
            state.released++;
            await real.release();
          },
        } as unknown as InferenceSession;
        state.live.add(wrapped);
        return wrapped;
      },
    },
  };
  return { runtime, state };
}

describe('createBackend sessions', () => {
  const x = Float32Array.of(-2, -0.5, 0, 0.5, 2, 7);
  const a = Float32Array.of(0.7);
  const b = Float32Array.of(1.3);
  const ref = (v: number) => Math.fround(apalu(v, Math.fround(0.7), Math.fround(1.3)));

  it('a session that failed to create is not cached: the next call creates it again and computes', async () => {
    const { runtime, state } = flakyRuntime([2]);
    const backend = await createBackend({ runtime, executionProviders: ['wasm'] });
    expect([...(await backend.forward(x, a, b))].every((y, i) => composedOk(y, ref(x[i]!)))).toBe(true);
    const dy = new Float32Array(x.length).fill(1);
    await expect(backend.backward(x, dy, a, b)).rejects.toThrow(/creation #2 failed/);
    const g = await backend.backward(x, dy, a, b);
    expect([...g.dx].map((d, i) => composedOk(d, Math.fround(apaluGrad(x[i]!, 0.7, 1.3).dx)))).toEqual([...x].map(() => true));
    expect(state.creations).toBe(3);
    await backend.dispose?.();
    expect(state.live.size).toBe(0);
  });

  it('dispose releases every created session even when another failed to create', async () => {
    const { runtime, state } = flakyRuntime([2]);
    const backend = await createBackend({ runtime, executionProviders: ['wasm'] });
    await backend.forward(x, a, b); // #1: forward, channels-last
    await expect(backend.backward(x, x, a, b)).rejects.toThrow(/creation #2 failed/);
    await backend.forward(x, a, b, { inner: 2 }); // #3: forward, [n, c, s]
    await expect(backend.dispose!()).resolves.toBeUndefined();
    expect({ live: state.live.size, released: state.released }).toEqual({ live: 0, released: 2 });
    // A disposed backend refuses work (it used to build new sessions nobody would release).
    await expect(backend.forward(x, a, b)).rejects.toMatchObject({ code: 'E_DISPOSED' });
    await expect(backend.backward(x, x, a, b)).rejects.toThrow(/was disposed; create a new one/);
    expect(state.live.size).toBe(0);
  });

  it('checks a and b as the float32 values the session reads (1e39 → ∞, 1e-50 → 0 are refused)', async () => {
    const backend = await createBackend();
    const f64 = (v: number) => Float64Array.of(v) as unknown as Float32Array;
    await expect(backend.forward(x, a, f64(1e39))).rejects.toThrow(/b\[0\] = Infinity/);
    await expect(backend.backward(x, x, f64(1e-50), b)).rejects.toThrow(/a\[0\] = 0/);
    await backend.dispose?.();
  });
});

describe('createBackend name says what runs the graph', () => {
  it('onnxruntime-web by default and for the conformance variants; the given runtime otherwise', async () => {
    expect((await createBackend()).name).toBe('onnxruntime-web-wasm');
    expect((await createBackend({ executionProviders: ['webgpu'], formulation: 'quickgelu' })).name).toBe('onnxruntime-web-webgpu-quickgelu');
    for (const variant of conformanceVariants) expect((await createBackend(variant.options)).name).toBe(variant.name);
    expect((await createBackend({ runtime: ortWeb as unknown as OrtRuntime, executionProviders: ['wasm'] })).name).toBe('onnxruntime-web-wasm');
    expect((await createBackend({ runtime: ortWeb as unknown as OrtRuntime })).name).toBe('onnxruntime-web');
    const custom: OrtRuntime = { Tensor: ortWeb.Tensor, env: {}, InferenceSession: ortWeb.InferenceSession };
    expect((await createBackend({ runtime: custom })).name).toBe('onnxruntime-custom');
    expect((await createBackend({ runtime: custom, executionProviders: ['cpu'], formulation: 'relu-min' })).name).toBe('onnxruntime-custom-cpu-relu-min');
  });

  it('onnxruntime-node runs on its CPU provider and is named so', async (ctx) => {
    let ortNode: typeof import('onnxruntime-node');
    try {
      ortNode = await import('onnxruntime-node');
    } catch (error) {
      if (process.env.CI) throw error; // in CI a runtime that does not load is a failure
      console.warn(`skipping onnxruntime-node: it did not load (${String(error)})`);
      ctx.skip();
      return;
    }
    const backend = await createBackend({ runtime: ortNode as unknown as OrtRuntime });
    expect(backend.name).toBe('onnxruntime-node-cpu');
    const x = Float32Array.of(-1, 0.5, 3);
    const y = await backend.forward(x, Float32Array.of(1), Float32Array.of(2));
    expect([...y].every((v, i) => composedOk(v, Math.fround(apalu(x[i]!, 1, 2))))).toBe(true);
    await backend.dispose?.();
    expect((await createBackend({ runtime: ortNode as unknown as OrtRuntime, formulation: 'sigmoid-exp' })).name).toBe('onnxruntime-node-cpu-sigmoid-exp');
  });
});
