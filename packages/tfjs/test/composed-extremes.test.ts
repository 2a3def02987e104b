import { apalu as apalu64, apaluGrad } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { apaluComposed } from '../src/node.js';
import { BACKENDS, tf } from './tf.js';
import { webgpuUnavailable } from './webgpu.js';

const gpu = (await webgpuUnavailable()) === null;
/**
 * Not compared on tfjs-webgpu (SwiftShader), limits of tfjs's own webgpu ops the README lists:
 * subnormal x is flushed to 0 (the variant excludes negative ones; a positive one only shows
 * with a near FLT_MAX: f = a·x·(1 + σ) ≈ 4.5 at a = 3e38, x = 1e-38), and its expm1 is exp(x) − 1,
 * which cancels for x just below 0 (b·expm1(−1e-8) = 0 instead of −1e22 at b = 1e30). Subnormal a,
 * b and dy are flushed too (a = 1e-45 at x = +∞ gives 0·∞ = NaN).
 */
const excluded = (backend: string, x: number, ...others: number[]) =>
  backend === 'webgpu' && ((x < 0 && x > -1e-3) || [x, ...others].some((v) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38));

/** The values (webgpu in Node has no synchronous read), then the tensor disposed. */
async function read(t: tf.Tensor): Promise<Float32Array> {
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

async function use(name: string): Promise<void> {
  if (tf.getBackend() !== name) await tf.setBackend(name);
  await tf.ready();
}

const FLT_MAX = 3.4028234663852886e38;
const XS = [
  0, -0, 1e-45, -1e-45, 1e-38, -1e-38, 1e-8, -1e-8, 0.5, -0.5, 3.75, -3.75, 20, -20, 88, -87, -104, -150, -200, -300, 1e4, 1e30, 3e38, FLT_MAX, -FLT_MAX,
  Infinity, -Infinity,
];
const PARAMS = [1e-45, 1e-30, 0.25, 1, 1e30, 3e38, FLT_MAX];
const DYS = [1, -0.0217, 1e-30, 3e38, -FLT_MAX, 1e-45];

/** The composed class of @apalu/core's SPEC.md, with one more rounding allowed (the output is float32). */
function within(got: number, want: number): boolean {
  const ref = Math.fround(want);
  if (!Number.isFinite(ref) || Number.isNaN(ref)) return Object.is(got, ref) || (Number.isNaN(ref) && Number.isNaN(got));
  return Number.isFinite(got) && Math.abs(got - want) <= Math.max(5e-6, 1e-5 * Math.abs(want)) + Math.abs(ref - want);
}

describe.each([...BACKENDS, ...(gpu ? ['webgpu'] : [])])('composed path at valid extremes on %s', (backend) => {
  // Every (x, a, b, dy) of the lists, one element per channel: each da[c], db[c] is one term.
  const x: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const dy: number[] = [];
  for (const xv of XS) for (const av of PARAMS) for (const bv of PARAMS) for (const d of DYS) x.push(xv), a.push(av), b.push(bv), dy.push(d);
  const [x32, a32, b32, dy32] = [x, a, b, dy].map((v) => Float32Array.from(v)) as [Float32Array, Float32Array, Float32Array, Float32Array];

  it('f matches the float64 reference wherever it is finite (no NaN, no spurious ∞)', async () => {
    await use(backend);
    const y = await read(tf.tidy(() => apaluComposed(tf.tensor1d(x32), tf.tensor1d(a32), tf.tensor1d(b32))));
    const bad: string[] = [];
    for (let i = 0; i < x32.length; i++) {
      const want = apalu64(x32[i] as number, a32[i] as number, b32[i] as number);
      if (excluded(backend, x32[i] as number, a32[i] as number, b32[i] as number)) continue;
      if (!within(y[i] as number, want)) bad.push(`x=${x32[i]} a=${a32[i]} b=${b32[i]}: ${y[i]} vs ${want}`);
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('dx, da, db match the float64 reference wherever it is finite', async () => {
    await use(backend);
    const grads = tf.tidy(() => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apaluComposed(p, q, r))([tf.tensor1d(x32), tf.tensor1d(a32), tf.tensor1d(b32)], tf.tensor1d(dy32)));
    const [dx, da, db] = (await Promise.all(grads.map(read))) as [Float32Array, Float32Array, Float32Array];
    const bad: string[] = [];
    for (let i = 0; i < x32.length; i++) {
      const [xv, av, bv, d] = [x32[i], a32[i], b32[i], dy32[i]] as [number, number, number, number];
      if (excluded(backend, xv, av, bv, d)) continue;
      const g = apaluGrad(xv, av, bv);
      // The reference's products in float64, each rounded once to float32 by `within`.
      const want = { dx: d * g.dx, da: g.da === 0 ? 0 : d * g.da, db: g.db === 0 ? 0 : d * g.db };
      for (const [name, got] of [['dx', dx[i]], ['da', da[i]], ['db', db[i]]] as const) {
        if (!within(got as number, want[name])) bad.push(`${name} at x=${xv} a=${av} b=${bv} dy=${d}: ${got} vs ${want[name]}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('the two findings of issue 24', async () => {
    await use(backend);
    expect((await read(tf.tidy(() => apaluComposed(tf.tensor1d([0]), tf.tensor1d([3e38]), tf.tensor1d([1])))))[0]).toBe(0);
    const dx = (await read(tf.tidy(() => tf.grad((t: tf.Tensor) => apaluComposed(t, tf.tensor1d([FLT_MAX]), tf.tensor1d([1])))(tf.tensor1d([3.75]), tf.tensor1d([-0.0217])))))[0];
    const want = -0.0217 * apaluGrad(3.75, Math.fround(FLT_MAX), 1).dx;
    expect(within(dx as number, Math.fround(-0.0217) * apaluGrad(3.75, FLT_MAX, 1).dx)).toBe(true);
    expect(Number.isFinite(want)).toBe(true);
  });

  it.skipIf(backend === 'webgpu')('an infinite dy where e^(x/2) underflows gives ±∞, and x = −∞ keeps ∞·0 = NaN (100,000-case property run, seed 20261207)', async () => {
    await use(backend);
    const xs = [-207.9441680908203, -300, -1e4, -FLT_MAX, -Infinity, -Infinity];
    const dys = [-Infinity, Infinity, -Infinity, Infinity, Infinity, 2];
    const dx = await read(tf.tidy(() => tf.grad((t: tf.Tensor) => apaluComposed(t, tf.tensor1d([1]), tf.tensor1d([1])))(tf.tensor1d(xs), tf.tensor1d(dys))));
    expect(Array.from(dx)).toEqual([-Infinity, Infinity, -Infinity, Infinity, Number.NaN, 0]);
    // Finite dy where the floors apply stays within the class (the reference is 0 to float32).
    const small = await read(tf.tidy(() => tf.grad((t: tf.Tensor) => apaluComposed(t, tf.tensor1d([1]), tf.tensor1d([FLT_MAX])))(tf.tensor1d([-300]), tf.tensor1d([FLT_MAX]))));
    expect(within(small[0]!, FLT_MAX * FLT_MAX * Math.exp(-300))).toBe(true);
  });
});
