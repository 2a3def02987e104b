// Shared by the wasm test files: backends disposed after the file, seeded inputs, every
// conformance variant, and the float64-reference check of one backward call.
import { apaluDerivative, apaluGrad } from '@apalu/core';
import { composedRatio, ulpDistance } from '@apalu/conformance';
import { afterAll, expect } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { type WasmBackend, createBackend } from '../src/index.js';

/** `make(options)` creates a backend that is disposed when the calling test file ends. */
export function backendMaker(): (options?: Parameters<typeof createBackend>[0]) => Promise<WasmBackend> {
  const backends: WasmBackend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.dispose();
  });
  return async (options = {}) => {
    const backend = await createBackend(options);
    backends.push(backend);
    return backend;
  };
}

/** n values uniform in (−scale/2, scale/2) from a fixed linear congruential sequence. */
export function uniform(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * scale;
  });
}

/** Every configuration the package declares (simd/scalar, threads, 'fast'), as `{ name, options }`. */
export const variants = conformanceVariants.map(({ name, options }) => ({ name, options }));

export interface BackwardCase {
  x: Float32Array;
  dy: Float32Array;
  a: Float32Array;
  b: Float32Array;
  S: number;
}

const SUBNORMAL_SPACING = 2 ** -149;

/**
 * One backward result against @apalu/core's float64 reference: dx ≤ 2 ULP (strict) or within the
 * composed class, the same NaN/±∞ where the reference is not finite; da, db within 1e-6 (1e-4)
 * of Σ|terms| plus 2^−149 per term (the kit's rule), the same ±∞ where the sum passes FLT_MAX.
 */
export function checkBackward(got: { dx: Float32Array; da: Float32Array; db: Float32Array }, { x, dy, a, b, S }: BackwardCase, strict: boolean, label: string): void {
  const C = a.length;
  const want = [new Float64Array(C), new Float64Array(C)];
  const scale = [new Float64Array(C), new Float64Array(C)];
  const count = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / S) % C;
    const xi = x[i] as number;
    const dyi = dy[i] as number;
    const wantDx = Math.fround(dyi * apaluDerivative(xi, a[c] as number, b[c] as number));
    const g = got.dx[i] as number;
    const what = `${label}: dx at x = ${xi}, dy = ${dyi}, b = ${b[c]} (element ${i}): ${g}, want ${wantDx}`;
    if (!Number.isFinite(wantDx)) expect(g, what).toBe(wantDx);
    else expect(strict ? ulpDistance(g, wantDx) : composedRatio(g, wantDx), what).toBeLessThanOrEqual(strict ? 2 : 1);
    const gr = apaluGrad(xi, a[c] as number, b[c] as number);
    // x ≥ 0 adds only the ∂a term, x < 0 only the ∂b one (no ∞·0 from the other), as the kit does.
    const terms = xi >= 0 ? [dyi * gr.da, 0] : [0, dyi * gr.db];
    for (const k of [0, 1] as const) {
      (want[k] as Float64Array)[c] = ((want[k] as Float64Array)[c] as number) + (terms[k] as number);
      (scale[k] as Float64Array)[c] = ((scale[k] as Float64Array)[c] as number) + Math.abs(terms[k] as number);
    }
    count[c] = (count[c] as number) + 1;
  }
  const sums = [got.da, got.db];
  for (let c = 0; c < C; c++) {
    for (const k of [0, 1] as const) {
      const g = (sums[k] as Float32Array)[c] as number;
      const w = Math.fround((want[k] as Float64Array)[c] as number);
      const what = `${label}, channel ${c}, ${k === 0 ? 'da' : 'db'}: ${g}, want ${w}`;
      if (!Number.isFinite(w)) {
        expect(g, what).toBe(w);
        continue;
      }
      const s = (scale[k] as Float64Array)[c] as number;
      const err = Math.max(0, Math.abs(g - w) - (count[c] as number) * SUBNORMAL_SPACING);
      expect(s === 0 ? err : err / s, what).toBeLessThanOrEqual(strict ? 1e-6 : 1e-4);
    }
  }
}

/** backward with dx written over dy through the pointer API (backwardAt: the loops that check each vector). */
export async function backwardInPlace(backend: WasmBackend, { x, dy, a, b, S }: BackwardCase): Promise<{ dx: Float32Array; da: Float32Array; db: Float32Array }> {
  const n = x.length;
  const C = a.length;
  const aPtr = 0;
  const bPtr = 64 * 4;
  const daPtr = 2 * 64 * 4;
  const dbPtr = 3 * 64 * 4;
  const scratchPtr = 4 * 64 * 4;
  const xPtr = scratchPtr + backend.scratchBytes(C);
  const dyPtr = xPtr + 4 * n;
  backend.reserve(dyPtr + 4 * n);
  const heap = new Float32Array(backend.memory.buffer);
  heap.set(a, aPtr >> 2);
  heap.set(b, bPtr >> 2);
  heap.set(x, xPtr >> 2);
  heap.set(dy, dyPtr >> 2);
  await backend.backwardAt(xPtr, dyPtr, dyPtr, daPtr, dbPtr, n, aPtr, bPtr, C, S, scratchPtr);
  const view = new Float32Array(backend.memory.buffer);
  return { dx: view.slice(dyPtr >> 2, (dyPtr >> 2) + n), da: view.slice(daPtr >> 2, (daPtr >> 2) + C), db: view.slice(dbPtr >> 2, (dbPtr >> 2) + C) };
}
