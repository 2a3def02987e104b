import { describe, expect, it } from 'vitest';
import { type BackwardCase, backendMaker, backwardInPlace, checkBackward, variants } from './helpers.js';

// Two counterexamples of the conformance kit's property case (fast-check, seed 242024), and their
// neighbours, against the float64 reference of @apalu/core:
// 1. strict da on a channel whose terms are all tiny: x = 9.8e-45 (subnormal), dy = −100 gave
//    da = −5.605e-42, want −5.885e-42: the SIMD loops formed x·(1 + σ) in float32, a subnormal
//    rounded at 2^−149 absolute, before scaling it by dy. Such blocks are now redone in float64.
// 2. dx at x = −∞ with an infinite dy gave ±∞; the reference is dy·(b·e^−∞) = dy·0 = NaN.
// Sums: strict within 1e-6 of Σ|terms| plus 2^−149 per term (the kit's rule); dx: strict ≤ 2 ULP
// (NaN where the reference is NaN); precision 'fast' within the composed class.

const make = backendMaker();


const SUBNORMALS = [9.8e-45, 1.4e-45, 1e-40, 3e-39, 1.1754942e-38].flatMap((v) => [v, -v]);
// Neighbours in the same vectors: normal tiny, ordinary and zero x.
const NEIGHBOURS = [1e-20, -1e-20, 1.2e-38, 0.5, -0.5, 0];
const DYS = [1, 100, 1e30].flatMap((m) => [m, -m]);

/**
 * One dy for the whole case (a larger dy elsewhere in the channel would hide the tiny terms'
 * error in Σ|terms|); xs: one subnormal x alone, or all of them with neighbours.
 */
function gridCase(C: number, S: number, dyValue: number, xs: readonly number[]): BackwardCase {
  const L = C * S;
  const rows = Math.max(9, Math.ceil((xs.length * 3) / L)) + 1;
  const n = L * rows;
  const x = Float32Array.from({ length: n }, (_, i) => xs[(i + Math.floor(i / 5)) % xs.length] as number);
  const dy = new Float32Array(n).fill(dyValue);
  const a = Float32Array.from({ length: C }, (_, c) => [1, 0.75, 2][c % 3] as number);
  const b = Float32Array.from({ length: C }, (_, c) => [1, 1.5, 0.25][c % 3] as number);
  return { x, dy, a, b, S };
}

describe('property-case findings', () => {
  it.each(variants)('$name: x = 9.8e-45 ×4, dy = −100 ×4 (C = 1, S = 4, a = b = 1)', async ({ name, options }) => {
    const backend = await make(options);
    const c: BackwardCase = { x: new Float32Array(4).fill(9.8e-45), dy: new Float32Array(4).fill(-100), a: Float32Array.of(1), b: Float32Array.of(1), S: 4 };
    const got = await backend.backward(c.x, c.dy, c.a, c.b, { inner: 4 });
    checkBackward(got, c, backend.accuracy === 'strict', name);
  });

  it.each(variants)('$name: x = dy = 1e-20 (every product subnormal)', async ({ name, options }) => {
    const backend = await make(options);
    for (const n of [4, 37, 256]) {
      const c: BackwardCase = { x: new Float32Array(n).fill(1e-20), dy: new Float32Array(n).fill(1e-20), a: Float32Array.of(1), b: Float32Array.of(1), S: 1 };
      const got = await backend.backward(c.x, c.dy, c.a, c.b);
      checkBackward(got, c, backend.accuracy === 'strict', `${name}, n = ${n}`);
    }
  });

  it.each(variants)('$name: subnormal x of both signs, dy in ±{1, 100, 1e30}, C 1/3, S 1/4/7', async ({ name, options }) => {
    const backend = await make(options);
    for (const C of [1, 3]) {
      for (const S of [1, 4, 7]) {
        for (const [dyValue, xs] of DYS.flatMap((d) => [...SUBNORMALS.map((v) => [v]), [...SUBNORMALS, ...NEIGHBOURS]].map((xs) => [d, xs] as const))) {
          const pure = xs.length === 1;
          const c = gridCase(C, S, dyValue, xs);
          const got = await backend.backward(c.x, c.dy, c.a, c.b, { inner: S });
          checkBackward(got, c, backend.accuracy === 'strict', `${name}, C = ${C}, S = ${S}, dy = ${dyValue}${pure ? `, x = ${xs[0]}` : ', mixed with neighbours'}`);
          // In place (dx written over dy): the checked loops.
          checkBackward(await backwardInPlace(backend, c), c, backend.accuracy === 'strict', `${name}, C = ${C}, S = ${S}, dy = ${dyValue}${pure ? `, x = ${xs[0]}` : ', mixed with neighbours'}, in place`);
        }
      }
    }
  });

  it.each(variants)('$name: x = −∞: dx = dy·0 (NaN for an infinite dy, ±0 otherwise)', async ({ name, options }) => {
    const backend = await make(options);
    const XS = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0.5, Number.NEGATIVE_INFINITY, -3];
    const DY = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -5, Number.NEGATIVE_INFINITY, 2, -1e30, 1];
    for (const C of [1, 3]) {
      for (const S of [1, 4, 7]) {
        for (const n of [4, 7 * C * S, 64 * C * S]) {
          const len = Math.ceil(n / (C * S)) * C * S;
          const x = Float32Array.from({ length: len }, (_, i) => XS[i % XS.length] as number);
          const dy = Float32Array.from({ length: len }, (_, i) => DY[(i + Math.floor(i / 7)) % DY.length] as number);
          const c: BackwardCase = { x, dy, a: new Float32Array(C).fill(1), b: Float32Array.from({ length: C }, (_, k) => [1, 2, 0.5][k % 3] as number), S };
          const got = await backend.backward(c.x, c.dy, c.a, c.b, { inner: S });
          checkBackward(got, c, backend.accuracy === 'strict', `${name}, C = ${C}, S = ${S}, ${len} elements`);
          checkBackward(await backwardInPlace(backend, c), c, backend.accuracy === 'strict', `${name}, C = ${C}, S = ${S}, ${len} elements, in place`);
        }
      }
    }
  });
  // 100,000-case fuzz (seed 20261207): 'fast' formed dy·(b·e^x) with b·e^x underflowed to 0 → ∞·0 = NaN.
  it.each(variants)('$name: b = 2^−149, x = −0.693, dy = −∞: dx = −∞ (b·e^x > 0), not NaN', async ({ name, options }) => {
    const backend = await make(options);
    for (const n of [1, 4, 37]) {
      const c: BackwardCase = {
        x: new Float32Array(n).fill(-0.6931471228599548),
        dy: Float32Array.from({ length: n }, (_, i) => [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -3, 1e30][i % 4] as number),
        a: Float32Array.of(1),
        b: Float32Array.of(2 ** -149),
        S: 1,
      };
      checkBackward(await backend.backward(c.x, c.dy, c.a, c.b), c, backend.accuracy === 'strict', `${name}, n = ${n}`);
    }
  });
});
