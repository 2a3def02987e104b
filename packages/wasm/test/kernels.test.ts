import { ApaluInputError, apalu, apaluDerivative, apaluGrad, backward as coreBackward } from '@apalu/core';
import { composedRatio, ulpDistance } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';
import { SCRATCH_BYTES_PER_CHANNEL, instantiateKernels, kernelBytes, simdSupported } from '../src/index.js';

function randomBits(n: number, seed: number): Float32Array {
  const bits = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    bits[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return new Float32Array(bits.buffer);
}

describe('the kernel modules', () => {
  it.each(['simd', 'scalar'] as const)('%s: imports only env.memory, owns no memory, data, table or start', (kind) => {
    for (const shared of [false, true]) {
      const module = new WebAssembly.Module(kernelBytes(kind, { shared }) as BufferSource);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      const exports = WebAssembly.Module.exports(module).map((e) => e.name);
      expect(exports).toEqual(expect.arrayContaining(['forward', 'forwardRange', 'backward', 'backwardRange', 'finishSums']));
      // Section ids 4 table, 5 memory, 8 start, 11 data, 12 data count must be absent.
      const bytes = kernelBytes(kind, { shared });
      const ids: number[] = [];
      for (let at = 8; at < bytes.length; ) {
        ids.push(bytes[at++] as number);
        let size = 0;
        for (let shift = 0; ; shift += 7) {
          const byte = bytes[at++] as number;
          size |= (byte & 0x7f) << shift;
          if ((byte & 0x80) === 0) break;
        }
        at += size;
      }
      expect(ids.filter((id) => [4, 5, 8, 11, 12].includes(id))).toEqual([]);
    }
  });

  it('Node runs the SIMD build', () => {
    expect(simdSupported()).toBe(true);
  });
});

describe('SIMD and scalar builds agree bit for bit', () => {
  const layouts = [
    { C: 1, S: 1 },
    { C: 3, S: 1 },
    { C: 5, S: 1 },
    { C: 64, S: 1 },
    // two columns per step, then one, then a scalar channel (rows loops)
    { C: 13, S: 1 },
    { C: 3, S: 7 },
    // small inner sizes that are multiples of 4: whole rows of C·S as vector columns (blocks loops)
    { C: 2, S: 16 },
    { C: 64, S: 4 },
    { C: 5, S: 12 },
    { C: 3, S: 60 },
    // other small S with C·S a multiple of 4: gathered a, b lanes (backward only below 32)
    { C: 4, S: 5 },
    { C: 64, S: 9 },
    { C: 12, S: 7 },
    { C: 8, S: 49 },
  ];
  it.each(layouts)('C = $C, S = $S, on random bit patterns and uniform values', async ({ C, S }) => {
    const n = C * S * 37;
    const memory = new WebAssembly.Memory({ initial: 64 });
    const simd = await instantiateKernels(memory, { simd: true });
    const scalar = await instantiateKernels(memory, { simd: false });
    const heap = new Float32Array(memory.buffer);
    const x = randomBits(n, C * 100 + S);
    for (let i = 0; i < n; i += 2) x[i] = ((x[i + 1] as number) % 40) || 0.5;
    const aPtr = 0;
    const bPtr = 1024;
    for (let c = 0; c < C; c++) {
      heap[c] = 0.1 + c * 0.37;
      heap[256 + c] = 1.9 - c * 0.021;
    }
    const xPtr = 4096;
    const outA = xPtr + 4 * n;
    const outB = outA + 4 * n;
    const dyPtr = outB + 4 * n;
    const dxA = dyPtr + 4 * n;
    const dxB = dxA + 4 * n;
    const sums = dxB + 4 * n;
    const scratch = sums + 64 * 16;
    heap.set(x, xPtr >> 2);
    heap.set(randomBits(n, 7).map((v) => (Number.isFinite(v) ? Math.fround(v / 2 ** 100) % 2 : 1)), dyPtr >> 2);
    simd.forward(xPtr, outA, n, aPtr, bPtr, C, S);
    scalar.forward(xPtr, outB, n, aPtr, bPtr, C, S);
    const u32 = new Uint32Array(memory.buffer);
    expect(u32.subarray(outA >> 2, (outA >> 2) + n)).toEqual(u32.subarray(outB >> 2, (outB >> 2) + n));
    simd.backward(xPtr, dyPtr, dxA, sums, sums + 256, n, aPtr, bPtr, C, S, scratch);
    scalar.backward(xPtr, dyPtr, dxB, sums + 512, sums + 768, n, aPtr, bPtr, C, S, scratch);
    expect(u32.subarray(dxA >> 2, (dxA >> 2) + n)).toEqual(u32.subarray(dxB >> 2, (dxB >> 2) + n));
    // The sums add the same terms in a different order: equal to within float64 rounding.
    const da = new Float32Array(memory.buffer, sums, C);
    const daScalar = new Float32Array(memory.buffer, sums + 512, C);
    for (let c = 0; c < C; c++) {
      const [u, v] = [da[c] as number, daScalar[c] as number];
      if (Number.isNaN(u) || !Number.isFinite(u)) expect(v).toBe(u);
      else expect(Math.abs(u - v)).toBeLessThanOrEqual(1e-6 * Math.abs(u) + 1e-30);
    }
  });
});

describe('special values (SPEC.md of @apalu/core, section 3)', () => {
  it.each(['simd', 'scalar'] as const)('%s', async (kind) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernels(memory, { simd: kind === 'simd' });
    const heap = new Float32Array(memory.buffer);
    const xs = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 3e38, 3.4028234663852886e38, -3.4e38];
    const n = xs.length;
    heap[0] = 0.25;
    heap[1] = 1.3;
    heap.set(xs, 16);
    k.forward(64, 256, n, 0, 4, 1, 1);
    const y = heap.subarray(64, 64 + n);
    expect(y[0]).toBeNaN();
    expect(y[1]).toBe(Infinity);
    expect(y[2]).toBe(Math.fround(-1.3));
    expect(y[3]).toBe(0);
    expect(Math.abs(y[4] as number)).toBe(0);
    // Subnormals are computed, not flushed: within 2 ULP (subnormal steps), with the sign of the reference.
    for (let i = 5; i < 9; i++) {
      const want = Math.fround(apalu(xs[i] as number, 0.25, Math.fround(1.3)));
      expect(ulpDistance(y[i] as number, want)).toBeLessThanOrEqual(2);
      expect(Math.sign(y[i] as number)).toBe(Math.sign(want));
    }
    expect(y[9]).toBe(Math.fround(1.5e38));
    expect(y[10]).toBe(Math.fround(apalu(3.4028234663852886e38, 0.25, Math.fround(1.3))));
    expect(y[11]).toBe(Math.fround(-1.3));
    // ∂f/∂x at exactly 0 uses the x ≥ 0 branch: 1.5·a.
    heap.fill(1, 128, 128 + n);
    k.backward(64, 512, 768, 1024, 1028, n, 0, 4, 1, 1, 1040);
    const dx = heap.subarray(192, 192 + n);
    expect(dx[3]).toBe(Math.fround(1.5 * 0.25));
    expect(dx[4]).toBe(Math.fround(1.5 * 0.25));
    for (let i = 5; i < n; i++) expect(dx[i]).toBe(Math.fround(apaluDerivative(xs[i] as number, 0.25, Math.fround(1.3))));
  });

  it.each(['simd', 'scalar'] as const)('%s: a NaN input shows up in its channel sum, others stay finite', async (kind) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernels(memory, { simd: kind === 'simd' });
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 1, 1], 0);
    heap.set([1, 1, 1], 4);
    const x = Float32Array.from({ length: 30 }, (_, i) => (i - 15) / 4);
    x[7] = Number.NaN; // channel 7 mod 3 = 1
    heap.set(x, 64);
    heap.fill(1, 128, 158);
    k.backward(256, 512, 1024, 2048, 2064, 30, 0, 16, 3, 1, 2560);
    const da = heap.subarray(512, 515);
    const db = heap.subarray(516, 519);
    expect(Number.isNaN(da[1]) || Number.isNaN(db[1])).toBe(true);
    for (const c of [0, 2]) {
      const ref = coreBackward(x, new Float32Array(30).fill(1), [1, 1, 1], [1, 1, 1], {});
      expect(da[c]).toBe(ref.da[c]);
      expect(db[c]).toBe(ref.db[c]);
    }
  });
});

describe('sums with huge terms, dx written over dy or apart', () => {
  const cases = (['simd', 'scalar'] as const).flatMap((kind) =>
    [true, false].flatMap((inPlace) => (kind === 'simd' ? (['strict', 'fast'] as const) : (['strict'] as const)).map((precision) => [kind, inPlace, precision] as const)),
  );
  // In place, each vector is checked before its store; apart, a float32 block that overflowed
  // (four vectors in lockstep, two such quads per step with one channel) is redone from x, dy.
  it.each(cases)('%s, dx over dy %s, %s: terms near FLT_MAX fall back to float64', async (kind, inPlace, precision) => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const k = await instantiateKernels(memory, { simd: kind === 'simd' });
    const heap = new Float32Array(memory.buffer);
    for (const [C, S] of [
      [1, 1],
      [3, 1],
      [10, 1],
      [2, 9],
      [2, 8],
      [3, 4],
      [4, 5],
      [4, 9],
    ] as const) {
      const n = C * S * 40;
      const x = Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 3e38 * (i % 2 ? 1 : 0.5) : i % 11 === 5 ? -3e38 : Math.sin(i) * 9));
      const dy = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 1.7) * 0.9);
      const a = Float32Array.from({ length: C }, (_, c) => 0.25 + c / 10);
      const b = Float32Array.from({ length: C }, (_, c) => 1.3 - c / 10);
      heap.set(a, 0);
      heap.set(b, 16);
      heap.set(x, 256);
      heap.set(dy, 256 + n);
      const dyPtr = 1024 + 4 * n;
      const dxPtr = inPlace ? dyPtr : dyPtr + 4 * n;
      k.backward(1024, dyPtr, dxPtr, 128, 192, n, 0, 64, C, S, 512, precision);
      const ref = coreBackward(x, dy, a, b, { inner: S });
      // Errors are measured against Σ|terms| (dy of both signs cancels; conformance README).
      const absA = new Float64Array(C);
      const absB = new Float64Array(C);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(i / S) % C;
        const g = apaluGrad(x[i] as number, a[c] as number, b[c] as number);
        absA[c] = (absA[c] as number) + Math.abs((dy[i] as number) * g.da);
        absB[c] = (absB[c] as number) + Math.abs((dy[i] as number) * g.db);
      }
      for (let c = 0; c < C; c++) {
        const checks: Array<[number, number, number]> = [
          [heap[32 + c] as number, ref.da[c] as number, absA[c] as number],
          [heap[48 + c] as number, ref.db[c] as number, absB[c] as number],
        ];
        for (const [got, want, abs] of checks) {
          if (!Number.isFinite(want)) expect(got).toBe(want);
          else expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * abs);
        }
      }
      // dx: strict ≤ 3 ULP (general dy); 'fast' within the composed class (ratio ≤ 1).
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const got = heap[(dxPtr >> 2) + i] as number;
        const want = ref.dx[i] as number;
        worst = Math.max(worst, precision === 'strict' ? ulpDistance(got, want) : composedRatio(got, want));
      }
      expect(worst).toBeLessThanOrEqual(precision === 'strict' ? 3 : 1);
    }
  });
});

describe('the pointer API checks before it writes', () => {
  it('names the bad argument and leaves memory untouched', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernels(memory);
    const heap = new Float32Array(memory.buffer);
    heap.fill(1, 0, 4); // a = [1, 1] at byte 0, b = [1, 1] at byte 8
    heap.fill(7, 16, 16 + 64);
    const before = heap.slice();
    const cases: Array<[() => void, RegExp]> = [
      [() => k.forward(64, 1024, 16, 0, 8, 1, 1), /^$/],
      [() => k.forward(66, 1024, 16, 0, 8, 1, 1), /xPtr = 66.*multiple of 4/],
      [() => k.forward(64, 65536 - 32, 16, 0, 8, 1, 1), /outPtr = 65504 .*past the end/],
      [() => k.forward(64, 1024, 15, 0, 8, 2, 1), /x.length = 15 is not a multiple of C·S/],
      [() => k.forward(64, 1024, 16, 0, 8, 0, 1), /channels = 0/],
      [() => k.forward(64, 1024, 16, 0, 64, 1, 1), /b\[0\] = 7|b\[0\]/],
      [() => k.forward(64, 1024, 16, 0, 8, 1, 0), /inner = 0/],
      [() => k.forward(64, 1024, -1, 0, 8, 1, 1), /n = -1/],
      [() => k.backward(64, 64, 1024, 2048, 2052, 16, 0, 8, 1, 1, 2060), /scratchPtr = 2060.*multiple of 8/],
      [() => k.forward(64, 1024, 16, 0, 8, 1, 1, 'quick' as 'fast'), /precision = "quick": use 'strict'.*or 'fast'/],
      [() => k.backward(64, 64, 1024, 2048, 2052, 16, 0, 8, 1, 1, 2056, 1 as unknown as 'fast'), /precision = 1/],
    ];
    heap[16] = -2; // the b the b-check case points at
    for (const [call, message] of cases.slice(1)) {
      expect(call).toThrow(ApaluInputError);
      expect(call).toThrow(message);
    }
    heap[16] = 7;
    expect(heap).toEqual(before);
  });

  it('runs zero-copy inside a host memory, writing only the output regions', async () => {
    // A host memory already holding other data, as tfjs-backend-wasm's heap does.
    const memory = new WebAssembly.Memory({ initial: 4 });
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    const k = await instantiateKernels(memory);
    const heap = new Float32Array(memory.buffer);
    const n = 1000;
    heap.set([0.5, 1.5], 10);
    heap.set([1.25, 0.75], 20);
    const x = Float32Array.from({ length: n }, (_, i) => (i - 500) / 50);
    heap.set(x, 1000);
    const snapshot = bytes.slice();
    k.forward(4000, 16000, n, 40, 80, 2, 10);
    let changedOutside = 0;
    for (let i = 0; i < bytes.length; i++) if ((i < 16000 || i >= 20000) && bytes[i] !== snapshot[i]) changedOutside++;
    expect(changedOutside).toBe(0);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / 10) % 2;
      const want = Math.fround(apalu(x[i] as number, c === 0 ? 0.5 : 1.5, c === 0 ? 1.25 : 0.75));
      worst = Math.max(worst, ulpDistance(heap[4000 + i] as number, want));
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(SCRATCH_BYTES_PER_CHANNEL).toBe(16);
  });
});

describe("precision 'fast'", () => {
  // Channels-first runs, channels-last rows (with column and row tails) and one channel, with
  // lengths that leave vector tails: every loop the fast build has.
  const layouts = [
    { C: 1, S: 1, rows: 1003 },
    { C: 64, S: 1, rows: 37 },
    { C: 7, S: 1, rows: 41 },
    { C: 13, S: 1, rows: 23 },
    { C: 3, S: 333, rows: 2 },
    { C: 5, S: 16, rows: 41 },
    { C: 64, S: 4, rows: 9 },
    { C: 4, S: 9, rows: 41 },
  ];
  it.each(layouts)('C = $C, S = $S: within the composed class, not the strict code, omitted = strict', async ({ C, S, rows }) => {
    const n = C * S * rows;
    const memory = new WebAssembly.Memory({ initial: 64 });
    const k = await instantiateKernels(memory, { simd: true });
    const heap = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    const aPtr = 0;
    const bPtr = 1024;
    for (let c = 0; c < C; c++) {
      heap[c] = 0.1 + ((c * 0.37) % 1.9);
      heap[256 + c] = 1.9 - ((c * 0.21) % 1.8);
    }
    const xPtr = 4096;
    const region = (i: number) => xPtr + i * 4 * n;
    const [fastOut, strictOut, plainOut, dyPtr, fastDx, strictDx] = [region(1), region(2), region(3), region(4), region(5), region(6)];
    const sums = xPtr + 7 * 4 * n;
    const scratch = (sums + 4096 + 7) & ~7;
    // Mostly |x| < 40 (where the polynomial matters), some bit patterns (specials, huge, tiny).
    const x = randomBits(n, C + S);
    for (let i = 0; i < n; i++) if (i % 5 !== 0) x[i] = (((x[i] as number) % 40) || 0.25) * (i % 2 === 0 ? 1 : -1);
    heap.set(x, xPtr >> 2);
    const dy = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    heap.set(dy, dyPtr >> 2);
    k.forward(xPtr, fastOut, n, aPtr, bPtr, C, S, 'fast');
    k.forward(xPtr, strictOut, n, aPtr, bPtr, C, S, 'strict');
    k.raw.forward(xPtr, plainOut, n, aPtr, bPtr, C, S);
    k.backward(xPtr, dyPtr, fastDx, sums, sums + 512, n, aPtr, bPtr, C, S, scratch, 'fast');
    k.backward(xPtr, dyPtr, strictDx, sums + 1024, sums + 1536, n, aPtr, bPtr, C, S, scratch);
    expect(u32.subarray(plainOut >> 2, (plainOut >> 2) + n)).toEqual(u32.subarray(strictOut >> 2, (strictOut >> 2) + n));
    let worstY = 0;
    let worstDx = 0;
    let differs = 0;
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / S) % C;
      const [xi, a, b] = [x[i] as number, heap[c] as number, heap[256 + c] as number];
      const y = heap[(fastOut >> 2) + i] as number;
      worstY = Math.max(worstY, composedRatio(y, Math.fround(apalu(xi, a, b))));
      worstDx = Math.max(worstDx, composedRatio(heap[(fastDx >> 2) + i] as number, Math.fround((dy[i] as number) * apaluDerivative(xi, a, b))));
      if (y !== heap[(strictOut >> 2) + i] || heap[(fastDx >> 2) + i] !== heap[(strictDx >> 2) + i]) differs++;
    }
    expect(worstY).toBeLessThanOrEqual(1);
    expect(worstDx).toBeLessThanOrEqual(1);
    // The fast loops really ran (a fallback to the strict code would pass the bound above).
    expect(differs).toBeGreaterThan(n / 20);
    // da, db: relative to Σ|terms| of the float64 reference (channels with a non-finite term: equal).
    const fastSums = [new Float32Array(memory.buffer, sums, C), new Float32Array(memory.buffer, sums + 512, C)] as const;
    for (let c = 0; c < C; c++) {
      const want = [0, 0];
      const scale = [0, 0];
      for (let i = 0; i < n; i++) {
        if (Math.floor(i / S) % C !== c) continue;
        const g = apaluGrad(x[i] as number, heap[c] as number, heap[256 + c] as number);
        const terms = [(dy[i] as number) * g.da, (dy[i] as number) * g.db];
        for (const k of [0, 1]) {
          want[k] = (want[k] as number) + (terms[k] as number);
          scale[k] = (scale[k] as number) + Math.abs(terms[k] as number);
        }
      }
      // A channel with a NaN, ∞ or huge term must show it in da or db (SPEC.md of @apalu/core, section 3).
      if (!scale.every((v) => Number.isFinite(Math.fround(v)))) {
        expect(Number.isFinite(fastSums[0][c] as number) && Number.isFinite(fastSums[1][c] as number)).toBe(false);
        continue;
      }
      for (const k of [0, 1] as const) {
        const got = fastSums[k][c] as number;
        expect(Math.abs(got - (want[k] as number)) / Math.max(scale[k] as number, 1e-30)).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('dx stays in class at the extremes: a near FLT_MAX, and x < −87 under a huge dy·b', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernels(memory, { simd: true });
    const heap = new Float32Array(memory.buffer);
    // 64 elements (two 32-element blocks: the vector loops), one channel each call.
    const run = (x: number, dy: number, a: number, b: number) => {
      heap.fill(x, 64, 128);
      heap.fill(dy, 128, 192);
      heap[0] = a;
      heap[1] = b;
      k.backward(256, 512, 1024, 8, 12, 64, 0, 4, 1, 1, 16 * 4, 'fast');
      return heap[256] as number;
    };
    for (const [x, dy, a, b] of [
      [0, 0.1, 3e38, 1], // a·(1 + σ·w) alone overflowed: dx = +∞ instead of 4.5e37
      [0.5, -0.2, 2.5e38, 1],
      [-100, 1e33, 1, 1], // e^x taken as e^−87 below −87: dx 1.6e-5 instead of 3.7e-11
      [-90, 1e36, 1, 1],
      [-88, 3e38, 1, 1],
      [-200, 3e38, 1, 1],
    ] as const) {
      const want = Math.fround(dy * apaluDerivative(Math.fround(x), Math.fround(a), Math.fround(b)));
      expect(composedRatio(run(x, dy, a, b), want), `x = ${x}, dy = ${dy}, a = ${a}, b = ${b}`).toBeLessThanOrEqual(1);
    }
  });
});
