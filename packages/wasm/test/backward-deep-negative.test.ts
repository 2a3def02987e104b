import { apaluDerivative, apaluGrad } from '@apalu/core';
import { FLOAT32_MAX, composedRatio, ulpDistance } from '@apalu/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { type WasmBackend, createBackend } from '../src/index.js';

// dx = dy·b·e^x for x < 0. dy·b reaches FLT_MAX² ≈ 1.16e77, so e^x decides float32 results down
// to x ≈ −281 (below, the exact result rounds to ±0). The kernels once clamped the exponent at
// −150 (e^x taken as e^−150 below it): x = −200, dy = b = 3.4e38 gave dx = 8.3e11, not 1.6e−10.
// Judged against the float64 reference of @apalu/core rounded to float32: strict ≤ 2 ULP (float32
// subnormals and ±0 included), precision 'fast' within the composed class.

const backends: WasmBackend[] = [];
async function make(options: Parameters<typeof createBackend>[0]): Promise<WasmBackend> {
  const backend = await createBackend(options);
  backends.push(backend);
  return backend;
}
afterAll(async () => {
  for (const b of backends) await b.dispose();
});

const DEEP = [-150.5, -160, -200, -250, -280, -281, -300, -1e4, -FLOAT32_MAX, Number.NEGATIVE_INFINITY];
// Neighbours in the same vectors: x ≥ 0 lanes, x near 0, and the band where float32 e^x is subnormal.
const OTHERS = [-1, -87.5, -100, -120, 0.5];
const XS = [...DEEP, ...OTHERS];
const MAGNITUDES = [1, 1e19, 3.4e38, FLOAT32_MAX];
const DYS = MAGNITUDES.flatMap((m) => [m, -m]);

const variants = [
  { name: 'simd', options: { simd: true } },
  { name: 'scalar', options: { simd: false } },
  { name: 'simd, 2 threads', options: { simd: true, threads: 2, parallelThreshold: 0 } },
  { name: 'scalar, 2 threads', options: { simd: false, threads: 2, parallelThreshold: 0 } },
  { name: "simd, 'fast'", options: { simd: true, precision: 'fast' } },
  { name: "simd, 2 threads, 'fast'", options: { simd: true, threads: 2, parallelThreshold: 0, precision: 'fast' } },
] as const;

// C = 1: one run; S = 1: channels-last rows; S = 16: blocks; C = 64, S = 7: gathered lanes
// (C·S a multiple of 4); C = 3, S = 7: runs. A row count that leaves vector and row tails.
const layouts = [1, 3, 64].flatMap((C) => [1, 7, 16].map((S) => ({ C, S, rows: Math.max(5, Math.ceil(1000 / (C * S))) + 1 })));

interface Case {
  x: Float32Array;
  dy: Float32Array;
  a: Float32Array;
  b: Float32Array;
  S: number;
}

/** Every (x, dy) pair in many positions (lanes, tails), channel c with b = MAGNITUDES[(c + shift) mod 4]. */
function makeCase(C: number, S: number, rows: number, shift: number): Case {
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

/** The worst dx error (ULP, or composed ratio) and where it is. */
function worstDx(got: Float32Array, { x, dy, a, b, S }: Case, strict: boolean): { worst: number; where: string } {
  let worst = 0;
  let where = '';
  const C = a.length;
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / S) % C;
    const want = Math.fround((dy[i] as number) * apaluDerivative(x[i] as number, a[c] as number, b[c] as number));
    const g = got[i] as number;
    const err = strict ? ulpDistance(g, want) : composedRatio(g, want);
    if (err > worst) {
      worst = err;
      where = `x = ${x[i]}, dy = ${dy[i]}, b = ${b[c]} (element ${i}): dx = ${g}, want ${want}`;
    }
  }
  return { worst, where };
}

/** da, db against the float64 reference: relative to Σ|terms|, or the same ±∞ where the sum passes FLT_MAX. */
function checkSums(da: Float32Array, db: Float32Array, { x, dy, a, b, S }: Case, limit: number, label: string): void {
  const C = a.length;
  const want = [new Float64Array(C), new Float64Array(C)];
  const scale = [new Float64Array(C), new Float64Array(C)];
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / S) % C;
    const g = apaluGrad(x[i] as number, a[c] as number, b[c] as number);
    const terms = [(dy[i] as number) * g.da, (dy[i] as number) * g.db];
    for (const k of [0, 1] as const) {
      (want[k] as Float64Array)[c] = ((want[k] as Float64Array)[c] as number) + (terms[k] as number);
      (scale[k] as Float64Array)[c] = ((scale[k] as Float64Array)[c] as number) + Math.abs(terms[k] as number);
    }
  }
  const got = [da, db];
  for (let c = 0; c < C; c++) {
    for (const k of [0, 1] as const) {
      const g = (got[k] as Float32Array)[c] as number;
      const w = (want[k] as Float64Array)[c] as number;
      const what = `${label}, channel ${c}, ${k === 0 ? 'da' : 'db'}: ${g}, want ${w}`;
      // A sum beyond FLT_MAX is ±∞ in float32; otherwise relative to Σ|terms| (float64: it may pass FLT_MAX).
      if (!Number.isFinite(Math.fround(w))) expect(g, what).toBe(Math.fround(w));
      else expect(Math.abs(g - w) / Math.max((scale[k] as Float64Array)[c] as number, 1e-30), what).toBeLessThanOrEqual(limit);
    }
  }
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
        const { dx, da, db } = await backend.backward(c.x, c.dy, c.a, c.b, { inner: S });
        const label = `C = ${C}, S = ${S}, b shift ${shift}`;
        const { worst, where } = worstDx(dx, c, strict);
        expect(worst, `${label}: ${where}`).toBeLessThanOrEqual(strict ? 2 : 1);
        checkSums(da, db, c, strict ? 1e-6 : 1e-4, label);
      }
    }
  });

  // dx written over dy (the pointer API): the loops that check each vector before its store.
  it.each(variants.filter((v) => v.options.simd))('$name, dx over dy (backwardAt): the same bounds', async ({ options }) => {
    const backend = await make(options);
    const strict = backend.accuracy === 'strict';
    for (const { C, S, rows } of layouts) {
      const c = makeCase(C, S, rows, 1);
      const n = c.x.length;
      const aPtr = 0;
      const bPtr = 64 * 4;
      const daPtr = 2 * 64 * 4;
      const dbPtr = 3 * 64 * 4;
      const scratchPtr = 4 * 64 * 4;
      const xPtr = scratchPtr + backend.scratchBytes(C);
      const dyPtr = xPtr + 4 * n;
      backend.reserve(dyPtr + 4 * n);
      const heap = new Float32Array(backend.memory.buffer);
      heap.set(c.a, aPtr >> 2);
      heap.set(c.b, bPtr >> 2);
      heap.set(c.x, xPtr >> 2);
      heap.set(c.dy, dyPtr >> 2);
      await backend.backwardAt(xPtr, dyPtr, dyPtr, daPtr, dbPtr, n, aPtr, bPtr, C, S, scratchPtr);
      const view = new Float32Array(backend.memory.buffer);
      const label = `in place, C = ${C}, S = ${S}`;
      const { worst, where } = worstDx(view.slice(dyPtr >> 2, (dyPtr >> 2) + n), c, strict);
      expect(worst, `${label}: ${where}`).toBeLessThanOrEqual(strict ? 2 : 1);
      checkSums(view.slice(daPtr >> 2, (daPtr >> 2) + C), view.slice(dbPtr >> 2, (dbPtr >> 2) + C), c, strict ? 1e-6 : 1e-4, label);
    }
  });
});
