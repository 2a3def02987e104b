/**
 * Valid inputs at the edges (issue 24): x just below 0 with b up to FLT_MAX, a near FLT_MAX, and
 * huge dy·b where e^x is subnormal. Every formulation keeps the composed class against the
 * float64 reference: |err| ≤ max(5e-6, 1e-5·|ref|), and never NaN where the reference is not.
 */
import { apalu, apaluGrad } from '@apalu/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Formulation, createBackend, formulations } from '../src/index.js';

const FLT_MAX = 3.4028234663852886e38;
const tolerance = (ref: number) => Math.max(5e-6, 1e-5 * Math.abs(ref));
const ok = (got: number, ref: number) => Object.is(got, ref) || (Number.isNaN(ref) ? Number.isNaN(got) : Math.abs(got - ref) <= tolerance(ref));

/** x in −[1e-45 … 1e-3], 60 values per decade, log-spaced (float32, so the smallest are subnormal). */
function nearZeroNegative(): Float32Array {
  const values: number[] = [];
  for (let e = -45; e <= -3; e += 1 / 60) values.push(-(10 ** e));
  return Float32Array.from(values);
}

/** The rest of x < 0: −[1e-3 … 1e3] log-spaced, −1/8 on both sides (elu-quickgelu's switch), −∞. */
function restNegative(): Float32Array {
  // −17.75…: onnxruntime-web's Tanh gives a value below −1 there (b = FLT_MAX made f = −∞; 100,000-case property run, seed 20261207).
  const values: number[] = [-0.125, Math.fround(-0.125) * (1 + 2 ** -23), Math.fround(-0.125) * (1 - 2 ** -24), -17.75186538696289, -Infinity];
  for (let e = -3; e <= 3; e += 1 / 200) values.push(-(10 ** e));
  return Float32Array.from(values);
}

const backends = new Map<Formulation, Awaited<ReturnType<typeof createBackend>>>();
const backendFor = async (formulation: Formulation) => {
  let backend = backends.get(formulation);
  if (backend === undefined) backends.set(formulation, (backend = await createBackend({ formulation })));
  return backend;
};
afterAll(async () => {
  for (const backend of backends.values()) await backend.dispose?.();
});

/** f(x) with a = 1 and each b against the float64 reference, within the composed class. */
async function expectForwardComposed(backend: Awaited<ReturnType<typeof backendFor>>, x: Float32Array, bValues: number[]): Promise<void> {
  const bad: string[] = [];
  for (const bValue of bValues) {
    const b = Float32Array.of(bValue);
    const y = await backend.forward(x, Float32Array.of(1), b);
    for (let i = 0; i < x.length; i++) {
      const ref = apalu(x[i]!, 1, b[0]!);
      if (!ok(y[i]!, ref)) bad.push(`b = ${bValue}, x = ${x[i]}: got ${y[i]}, want ${ref}`);
    }
  }
  expect(bad.slice(0, 5), `${bad.length} values outside the composed class`).toEqual([]);
}

describe.each(formulations)('%s', (formulation) => {
  it('f(x) near 0⁻ for b = 1, 1000, 1e30, 3.4e38 (b = 1000, x = −2e-8 gave 0, not −2e-5)', async () => {
    const backend = await backendFor(formulation);
    const x = nearZeroNegative();
    await expectForwardComposed(backend, x, [1, 1000, 1e30, 3.4e38]);
  });

  it('f(x) over the rest of x < 0 for b = 1, 3.4e38, FLT_MAX', async () => {
    const backend = await backendFor(formulation);
    const x = restNegative();
    await expectForwardComposed(backend, x, [1, 3.4e38, FLT_MAX]);
  });

  it('forward and backward at a, b near FLT_MAX and huge dy·b (no ∞ or NaN the reference does not have)', async () => {
    const backend = await backendFor(formulation);
    const cases: [x: number, a: number, b: number, dy: number][] = [
      [3.75, FLT_MAX, 1, -0.0217], // dx was −∞ in tfjs composed
      [0, 3e38, 1, 1], // f was NaN in tfjs composed (a·(1 + σ) overflowed, then 0·∞)
      [0, FLT_MAX, 1, 0],
      [1e-45, FLT_MAX, 1, 1],
      [0.5, FLT_MAX, 1, 1e-30],
      [3e38, 0.25, 1, 1],
      [-100, 1, 3e38, 3e38], // e^x subnormal in float32, dx = 4.2e33
      [-2e-8, 1, 1000, 1],
      [-1e-45, 1, FLT_MAX, FLT_MAX],
      [-Infinity, 1, FLT_MAX, 1],
    ];
    const bad: string[] = [];
    for (const [xv, av, bv, dyv] of cases) {
      const [x, a, b, dy] = [Float32Array.of(xv), Float32Array.of(av), Float32Array.of(bv), Float32Array.of(dyv)];
      const y = await backend.forward(x, a, b);
      const g = await backend.backward(x, dy, a, b);
      const refY = Math.fround(apalu(x[0]!, a[0]!, b[0]!));
      const refDx = Math.fround(dy[0]! * apaluGrad(x[0]!, a[0]!, b[0]!).dx);
      if (!ok(y[0]!, refY)) bad.push(`f(${xv}; a = ${av}, b = ${bv}) = ${y[0]}, want ${refY}`);
      if (!ok(g.dx[0]!, refDx)) bad.push(`dx(${xv}; a = ${av}, b = ${bv}, dy = ${dyv}) = ${g.dx[0]}, want ${refDx}`);
    }
    expect(bad).toEqual([]);
  });
});
