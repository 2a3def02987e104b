import { FLOAT32_MAX, composedRatio, ulpDistance } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';
import { type BackwardCase, backendMaker, backwardInPlace, checkBackward, variants } from './helpers.js';

// dx = dy·b·e^x for x < 0. dy·b reaches FLT_MAX² ≈ 1.16e77, so e^x decides float32 results down
// to x ≈ −281 (below, the exact result rounds to ±0). The kernels once clamped the exponent at
// −150 (e^x taken as e^−150 below it): x = −200, dy = b = 3.4e38 gave dx = 8.3e11, not 1.6e−10.
// Judged against the float64 reference of @apalu/core rounded to float32: strict ≤ 2 ULP (float32
// subnormals and ±0 included), precision 'fast' within the composed class.

const make = backendMaker();

const DEEP = [-150.5, -160, -200, -250, -280, -281, -300, -1e4, -FLOAT32_MAX, Number.NEGATIVE_INFINITY];
// Neighbours in the same vectors: x ≥ 0 lanes, x near 0, and the band where float32 e^x is subnormal.
const OTHERS = [-1, -87.5, -100, -120, 0.5];
const XS = [...DEEP, ...OTHERS];
const MAGNITUDES = [1, 1e19, 3.4e38, FLOAT32_MAX];
const DYS = MAGNITUDES.flatMap((m) => [m, -m]);


// C = 1: one run; S = 1: channels-last rows; S = 16: blocks; C = 64, S = 7: gathered lanes
// (C·S a multiple of 4); C = 3, S = 7: runs. A row count that leaves vector and row tails.
const layouts = [1, 3, 64].flatMap((C) => [1, 7, 16].map((S) => ({ C, S, rows: Math.max(5, Math.ceil(1000 / (C * S))) + 1 })));

/** Every (x, dy) pair in many positions (lanes, tails), channel c with b = MAGNITUDES[(c + shift) mod 4]. */
function makeCase(C: number, S: number, rows: number, shift: number): BackwardCase {
  const n = C * S * rows;
  const x = new Float32Array(n);
  const dy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = XS[i % XS.length] as number;
    dy[i] = DYS[Math.floor(i / XS.length + i / 3) % DYS.length] as number;
  }
  const a = new Float32Array(C).fill(1);
  const b = Float32Array.from({ length: C }, (_, c) => MAGNITUDES[(c + shift) % MAGNITUDES.length] as number);
  return { x, dy, a, b, S };
}

describe('backward for x far below 0 under a huge dy·b', () => {
  it('x = −200, dy = b = 3.4e38: dx = dy·b·e^−200 ≈ 1.6e−10 in every variant', async () => {
    for (const { name, options } of variants) {
      const backend = await make(options);
      const x = new Float32Array(64).fill(-200);
      const dy = new Float32Array(64).fill(3.4e38);
      const { dx } = await backend.backward(x, dy, Float32Array.of(1), Float32Array.of(3.4e38));
      const want = Math.fround(Math.fround(3.4e38) * Math.fround(3.4e38) * Math.exp(-200));
      expect(want).toBeCloseTo(1.6e-10, 11);
      for (let i = 0; i < dx.length; i++) {
        const got = dx[i] as number;
        if ('precision' in options && options.precision === 'fast') expect(composedRatio(got, want), `${name}, element ${i}: ${got}`).toBeLessThanOrEqual(1);
        else expect(ulpDistance(got, want), `${name}, element ${i}: ${got}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it.each(variants)('$name: strict ≤ 2 ULP (fast: the composed class) for every layout, sums as the reference', async ({ options }) => {
    const backend = await make(options);
    const strict = backend.accuracy === 'strict';
    for (const { C, S, rows } of layouts) {
      for (let shift = 0; shift < MAGNITUDES.length; shift++) {
        const c = makeCase(C, S, rows, shift);
        checkBackward(await backend.backward(c.x, c.dy, c.a, c.b, { inner: S }), c, strict, `C = ${C}, S = ${S}, b shift ${shift}`);
      }
    }
  });

  // dx written over dy (the pointer API): the loops that check each vector before its store.
  it.each(variants.filter((v) => v.options.simd))('$name, dx over dy (backwardAt): the same bounds', async ({ options }) => {
    const backend = await make(options);
    const strict = backend.accuracy === 'strict';
    for (const { C, S, rows } of layouts) {
      const c = makeCase(C, S, rows, 1);
      checkBackward(await backwardInPlace(backend, c), c, strict, `in place, C = ${C}, S = ${S}`);
    }
  });
});
