// Runs in Chromium (bundled by test/browser.test.ts): the loader's feature detection, the
// SIMD and scalar builds, and Web Worker threads on shared memory, checked against core.
import { backward as coreBackward, forward as coreForward } from '@apalu/core';
import { createBackend, sharedMemorySupported, simdSupported } from '../../src/index.browser.js';

const bits = new Int32Array(1);
const float = new Float32Array(bits.buffer);
/** Float32 ULP distance (ordinal of the bit patterns), NaN only matches NaN. */
function ulpDistance(got: number, want: number): number {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want) ? 0 : Infinity;
  const ordinal = (v: number) => {
    float[0] = v;
    const b = bits[0] as number;
    return b < 0 ? -(b & 0x7fffffff) : b;
  };
  return Math.abs(ordinal(got) - ordinal(want));
}

/** The composed-class error as a fraction of its allowance max(5e-6, 1e-5·|want|). */
function composedRatio(got: number, want: number): number {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want) ? 0 : Infinity;
  return Math.abs(got - want) / Math.max(5e-6, 1e-5 * Math.abs(want));
}

async function run() {
  const n = 3 * 7 * 5000;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 12);
  const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11));
  const a = Float32Array.of(0.7, 1.2, 0.25);
  const b = Float32Array.of(1.3, 0.4, 1.9);
  const f = coreForward(x, a, b, { inner: 7 });
  const g = coreBackward(x, dy, a, b, { inner: 7 });
  const variants = [];
  const configs = [
    { simd: true },
    { simd: false },
    { simd: true, threads: 2, parallelThreshold: 0 },
    { simd: true, threads: 2, parallelThreshold: 0, precision: 'fast' as const },
  ];
  for (const options of configs) {
    const backend = await createBackend(options);
    const y = await backend.forward(x, a, b, { inner: 7 });
    const grads = await backend.backward(x, dy, a, b, { inner: 7 });
    // Caller-given outputs, in place (out = x, dx = dy): the same bits as the new arrays.
    const yIn = x.slice();
    const dyIn = dy.slice();
    const da = new Float32Array(3);
    const same = (p: Float32Array, q: Float32Array) => p.every((v, i) => Object.is(v, q[i]));
    const yOut = await backend.forward(yIn, a, b, { inner: 7, out: yIn });
    const gOut = await backend.backward(x, dyIn, a, b, { inner: 7, out: { dx: dyIn, da } });
    const outSame = yOut === yIn && gOut.dx === dyIn && gOut.da === da && same(yIn, y) && same(dyIn, grads.dx) && same(da, grads.da) && same(gOut.db, grads.db);
    let forwardUlp = 0;
    let dxUlp = 0;
    let forwardComposed = 0;
    let dxComposed = 0;
    for (let i = 0; i < n; i++) {
      forwardUlp = Math.max(forwardUlp, ulpDistance(y[i] as number, f[i] as number));
      dxUlp = Math.max(dxUlp, ulpDistance(grads.dx[i] as number, g.dx[i] as number));
      forwardComposed = Math.max(forwardComposed, composedRatio(y[i] as number, f[i] as number));
      dxComposed = Math.max(dxComposed, composedRatio(grads.dx[i] as number, g.dx[i] as number));
    }
    let sumRel = 0;
    for (let c = 0; c < 3; c++) {
      sumRel = Math.max(sumRel, Math.abs((grads.da[c] as number) - (g.da[c] as number)) / Math.abs(g.da[c] as number));
      sumRel = Math.max(sumRel, Math.abs((grads.db[c] as number) - (g.db[c] as number)) / Math.abs(g.db[c] as number));
    }
    variants.push({
      name: backend.name,
      kind: backend.kind,
      threads: backend.threads,
      note: backend.threadsNote,
      parallelCalls: backend.parallelCalls,
      forwardUlp,
      dxUlp,
      forwardComposed,
      dxComposed,
      sumRel,
      outSame,
    });
    await backend.dispose();
  }
  return { crossOriginIsolated: globalThis.crossOriginIsolated, simd: simdSupported(), shared: sharedMemorySupported(), variants };
}

run().then(
  (result) => Object.assign(globalThis, { __apaluResult: result }),
  (error: unknown) => Object.assign(globalThis, { __apaluResult: { error: String((error as Error)?.stack ?? error) } }),
);
