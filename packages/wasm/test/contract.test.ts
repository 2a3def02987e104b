// The call contract (issue 24; the SPEC.md shipped in @apalu/core): the pointer API's argument
// checks (overlaps, ranges, alignment), contract points 1 and 2 (types, detached and
// out-of-bounds arrays), 3 (inputs read when the call is made), 5 (size limits) and 6 (dispose).
import { ApaluInputError, apalu, apaluGrad } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';
import { type SizeLimit, checkSize, largestLength } from '../src/backend.js';
import { type ApaluKernels, type WasmBackend, createBackend, instantiateKernels } from '../src/index.js';
import { backendMaker, uniform } from './helpers.js';

const make = backendMaker();


/** A resizable ArrayBuffer (ES2024; the package's types stop at ES2022). */
function resizable(bytes: number, maxByteLength: number): ArrayBuffer & { resize(bytes: number): void } {
  const Resizable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(bytes: number): void };
  return new Resizable(bytes, { maxByteLength });
}

/** The error a call threw (sync) or rejected with (async). */
async function failure(call: () => unknown): Promise<ApaluInputError> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(ApaluInputError);
    return error as ApaluInputError;
  }
  throw new Error('the call was accepted');
}

/** The first byte that differs (-1: none); a deep toEqual on a whole memory is slow. */
function firstChange(bytes: Uint8Array, before: Uint8Array): number {
  if (bytes.length !== before.length) return Math.min(bytes.length, before.length);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== before[i]) return i;
  return -1;
}

/** f in float64, rounded to float32 (a, b already float32). */
const ref = (x: number, a: number, b: number) => Math.fround(apalu(x, a, b));

describe('pointer API: arguments that would corrupt inputs are refused before anything is written', () => {
  // One memory, a = [0.5, 0.75] at 0, b = [1.25, 1.5] at 16, x at 1024, dy at 2048 (n = 64, C = 2).
  const n = 64;
  const C = 2;
  const A = 0;
  const B = 16;
  const X = 1024;
  const DY = 2048;
  const DX = 4096;
  const DA = 8192;
  const DB = 8208;
  const SCRATCH = 8448;
  const x = uniform(n, 1, 20);
  const dy = uniform(n, 2, 4);

  async function setup(kind: 'simd' | 'scalar'): Promise<{ k: ApaluKernels; bytes: Uint8Array; heap: Float32Array }> {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const k = await instantiateKernels(memory, { simd: kind === 'simd' });
    const heap = new Float32Array(memory.buffer);
    heap.set([0.5, 0.75], A / 4);
    heap.set([1.25, 1.5], B / 4);
    heap.set(x, X / 4);
    heap.set(dy, DY / 4);
    return { k, bytes: new Uint8Array(memory.buffer), heap };
  }

  // The finding: scratch over a was accepted and the float64 sums were written over a.
  it.each(['simd', 'scalar'] as const)('%s: scratch overlapping a (the finding) is E_POINTER naming both, a intact', async (kind) => {
    const { k, bytes, heap } = await setup(kind);
    const before = bytes.slice();
    const error = await failure(() => k.backward(X, DY, DX, DA, DB, n, A, B, C, 1, A));
    expect(error.code).toBe('E_POINTER');
    expect(error.message).toMatch(/scratchPtr = 0 \(32 bytes, to 32\) overlaps aPtr = 0 \(8 bytes, to 8\)/);
    expect(error.message).toMatch(/give scratchPtr a region of its own .*from byte \d+/);
    expect(firstChange(bytes, before)).toBe(-1);
    expect(Array.from(heap.subarray(0, 2))).toEqual([0.5, 0.75]);
  });

  const S = 1;
  const backwardCases: Array<[string, Parameters<ApaluKernels['backward']>, RegExp]> = [
    ['scratch over b', [X, DY, DX, DA, DB, n, A, B, C, S, B - 8], /scratchPtr = 8 .*overlaps aPtr|scratchPtr = 8 .*overlaps bPtr/],
    ['scratch over x', [X, DY, DX, DA, DB, n, A, B, C, S, X + 8], /scratchPtr = 1032 .*overlaps xPtr = 1024/],
    ['scratch over dy', [X, DY, DX, DA, DB, n, A, B, C, S, DY + 248], /scratchPtr = 2296 .*overlaps dyPtr = 2048/],
    ['scratch over dx', [X, DY, DX, DA, DB, n, A, B, C, S, DX], /dxPtr = 4096 .*overlaps scratchPtr = 4096/],
    ['scratch over da', [X, DY, DX, DA, DB, n, A, B, C, S, DA], /daPtr = 8192 .*overlaps scratchPtr = 8192/],
    ['da over x', [X, DY, DX, X + 4, DB, n, A, B, C, S, SCRATCH], /daPtr = 1028 .*overlaps xPtr = 1024/],
    ['db over da', [X, DY, DX, DA, DA + 4, n, A, B, C, S, SCRATCH], /daPtr = 8192 .*overlaps dbPtr = 8196/],
    ['db over b', [X, DY, DX, DA, B, n, A, B, C, S, SCRATCH], /dbPtr = 16 .*overlaps bPtr = 16/],
    ['dx over a', [X, DY, A, DA, DB, n, A, B, C, S, SCRATCH], /dxPtr = 0 .*overlaps aPtr = 0/],
    ['dx half over dy', [X, DY, DY + 4, DA, DB, n, A, B, C, S, SCRATCH], /dxPtr = 2052 .*overlaps dyPtr = 2048.*pass dxPtr = dyPtr exactly/],
    ['dx half over x', [X, DY, X - 4, DA, DB, n, A, B, C, S, SCRATCH], /dxPtr = 1020 .*overlaps xPtr = 1024.*pass dxPtr = xPtr exactly/],
    ['dx over da', [X, DY, DA - 8, DA, DB, n, A, B, C, S, SCRATCH], /dxPtr = 8184 .*overlaps daPtr = 8192/],
  ];
  it.each(backwardCases)('backward, %s: E_POINTER naming the pointers, memory untouched', async (_, args, message) => {
    for (const kind of ['simd', 'scalar'] as const) {
      const { k, bytes } = await setup(kind);
      const before = bytes.slice();
      const error = await failure(() => k.backward(...args));
      expect(error.code).toBe('E_POINTER');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/Allowed overlaps: out = x \(forward\), dx = dy or dx = x \(backward\)/);
      expect(firstChange(bytes, before)).toBe(-1);
    }
  });

  const forwardCases: Array<[string, Parameters<ApaluKernels['forward']>, RegExp]> = [
    ['out over a', [X, A, n, A, B, C, S], /outPtr = 0 .*overlaps aPtr = 0/],
    ['out over b', [X, B - 4, n, A, B, C, S], /outPtr = 12 .*overlaps aPtr = 0|outPtr = 12 .*overlaps bPtr = 16/],
    ['out one element past x', [X, X + 4, n, A, B, C, S], /outPtr = 1028 .*overlaps xPtr = 1024.*pass outPtr = xPtr exactly/],
    ['out one element before x', [X, X - 4, n, A, B, C, S], /outPtr = 1020 .*overlaps xPtr = 1024/],
  ];
  it.each(forwardCases)('forward, %s: E_POINTER naming the pointers, memory untouched', async (_, args, message) => {
    const { k, bytes } = await setup('simd');
    const before = bytes.slice();
    const error = await failure(() => k.forward(...args));
    expect(error.code).toBe('E_POINTER');
    expect(error.message).toMatch(message);
    expect(firstChange(bytes, before)).toBe(-1);
  });

  it('ranges and alignment of every pointer are checked too (da, db, scratch, dy)', async () => {
    const { k, bytes } = await setup('simd');
    const before = bytes.slice();
    const end = bytes.length;
    for (const [args, message] of [
      [[X, DY, DX, DA + 2, DB, n, A, B, C, S, SCRATCH], /daPtr = 8194: .*multiple of 4/],
      [[X, DY, DX, DA, end - 4, n, A, B, C, S, SCRATCH], /dbPtr = 65532 with 8 bytes .*past the end/],
      [[X, DY, DX, DA, DB, n, A, B, C, S, SCRATCH + 4], /scratchPtr = 8452: .*multiple of 8/],
      [[X, DY, DX, DA, DB, n, A, B, C, S, end - 16], /scratchPtr = 65520 with 32 bytes .*past the end/],
      [[X, end - 128, DX, DA, DB, n, A, B, C, S, SCRATCH], /dyPtr = 65408 with 256 bytes .*past the end/],
      [[X, DY, DX, DA, DB, n, A, -8, C, S, SCRATCH], /bPtr = -8: must be a non-negative/],
    ] as Array<[Parameters<ApaluKernels['backward']>, RegExp]>) {
      const error = await failure(() => k.backward(...args));
      expect([error.code, error.message]).toEqual(['E_POINTER', expect.stringMatching(message)]);
    }
    expect(firstChange(bytes, before)).toBe(-1);
  });

  it.each(['simd', 'scalar'] as const)('%s: the in-place modes (out = x; dx = dy; dx = x) and read-only overlaps give the values of separate regions', async (kind) => {
    const { k, heap } = await setup(kind);
    const a = [0.5, 0.75];
    const b = [1.25, 1.5];
    // Separate regions first.
    k.forward(X, DX, n, A, B, C, S);
    const f = heap.slice(DX / 4, DX / 4 + n);
    for (let i = 0; i < n; i++) expect(ulpDistance(f[i] as number, ref(x[i] as number, a[i % 2] as number, b[i % 2] as number))).toBeLessThanOrEqual(2);
    k.backward(X, DY, DX, DA, DB, n, A, B, C, S, SCRATCH);
    const g = { dx: heap.slice(DX / 4, DX / 4 + n), da: heap.slice(DA / 4, DA / 4 + C), db: heap.slice(DB / 4, DB / 4 + C) };
    for (let i = 0; i < n; i++) {
      const want = Math.fround((dy[i] as number) * apaluGrad(x[i] as number, a[i % 2] as number, b[i % 2] as number).dx);
      expect(ulpDistance(g.dx[i] as number, want)).toBeLessThanOrEqual(3);
    }
    const reset = () => {
      heap.set(x, X / 4);
      heap.set(dy, DY / 4);
    };
    // out = x.
    k.forward(X, X, n, A, B, C, S);
    expect(heap.slice(X / 4, X / 4 + n)).toEqual(f);
    // dx = dy and dx = x: the same dx bits; the sums within 1e-6 of Σ|terms| (in place they are added in another order).
    for (const dx of [DY, X]) {
      reset();
      heap.fill(0, DA / 4, DB / 4 + C);
      k.backward(X, DY, dx, DA, DB, n, A, B, C, S, SCRATCH);
      expect(heap.slice(dx / 4, dx / 4 + n)).toEqual(g.dx);
      for (let c = 0; c < C; c++) {
        expect(heap[DA / 4 + c]).toBeCloseTo(g.da[c] as number, 4);
        expect(heap[DB / 4 + c]).toBeCloseTo(g.db[c] as number, 4);
      }
    }
    // Regions the kernel only reads may overlap: x = dy, and b read from inside x's bytes.
    reset();
    heap[X / 4] = 1.25;
    heap[X / 4 + 1] = 1.5;
    k.backward(X, X, DX, DA, DB, n, A, X, C, S, SCRATCH);
    const xs = heap.slice(X / 4, X / 4 + n);
    for (let i = 0; i < n; i++) {
      const want = Math.fround((xs[i] as number) * apaluGrad(xs[i] as number, a[i % 2] as number, b[i % 2] as number).dx);
      expect(ulpDistance(heap[DX / 4 + i] as number, want)).toBeLessThanOrEqual(3);
    }
  });

  it('backend.forwardAt / backwardAt: the same checks, with the threaded scratch (scratchBytes) counted', async () => {
    const two = await make({ threads: 2, parallelThreshold: 0 });
    two.reserve(1 << 16);
    const heap = new Float32Array(two.memory.buffer);
    heap.set([0.5, 0.75], A / 4);
    heap.set([1.25, 1.5], B / 4);
    heap.set(x, X / 4);
    heap.set(dy, DY / 4);
    const bytes = new Uint8Array(two.memory.buffer, 0, 1 << 16);
    const before = bytes.slice();
    // With workers the scratch is 16·C·8·threads = 512 bytes (not 16·C = 32): from 8192 − 256
    // it runs over da at 8192, which the one-thread size would not reach.
    expect(two.scratchBytes(C)).toBe(512);
    let error = await failure(() => two.backwardAt(X, DY, DX, DA, DB, n, A, B, C, S, DA - 256));
    expect([error.code, error.message]).toEqual(['E_POINTER', expect.stringMatching(/daPtr = 8192 .*overlaps scratchPtr = 7936 \(512 bytes/)]);
    error = await failure(() => two.forwardAt(X, B, n, A, B, C, S));
    expect([error.code, error.message]).toEqual(['E_POINTER', expect.stringMatching(/outPtr = 16 .*overlaps bPtr = 16/)]);
    expect(firstChange(bytes, before)).toBe(-1);
    // Accepted: dx = x, split across both threads.
    await two.backwardAt(X, DY, X, DA, DB, n, A, B, C, S, SCRATCH);
    for (let i = 0; i < n; i++) {
      const want = Math.fround((dy[i] as number) * apaluGrad(x[i] as number, i % 2 ? 0.75 : 0.5, i % 2 ? 1.5 : 1.25).dx);
      expect(ulpDistance(heap[X / 4 + i] as number, want)).toBeLessThanOrEqual(3);
    }
  });
});

describe('contract 1, 2: types, detached and out-of-bounds arrays (E_TYPE, E_DETACHED) before anything', () => {
  const a = Float32Array.of(0.7);
  const b = Float32Array.of(1.3);
  const good = () => Float32Array.of(-1, 0.5, 2, -3);

  function detached(): Float32Array {
    const v = Float32Array.of(1, 2, 3, 4);
    structuredClone(v.buffer, { transfer: [v.buffer] });
    return v;
  }
  /** A Float32Array of 4 over a resizable buffer shrunk below its end (length reads 0). */
  function outOfBounds(): Float32Array {
    const buffer = resizable(16, 64);
    const v = new Float32Array(buffer, 0, 4);
    v.set([1, 2, 3, 4]);
    buffer.resize(8);
    expect(v.length).toBe(0);
    return v;
  }

  type Case = [string, (backend: WasmBackend) => Promise<unknown>, string, RegExp];
  // The messages name the value first and say the fix; the wording is @apalu/core's once its
  // validateForwardCall/validateBackwardCall carry these checks, so only that much is pinned here.
  const cases: Case[] = [
    ['detached x (forward)', (k) => k.forward(detached(), a, b), 'E_DETACHED', /^x's buffer is detached.*transferred.*pass a live/],
    ['detached x (backward)', (k) => k.backward(detached(), good(), a, b), 'E_DETACHED', /^x's buffer is detached.*pass a live/],
    ['detached dy', (k) => k.backward(good(), detached(), a, b), 'E_DETACHED', /^dy's buffer is detached.*pass a live/],
    ['detached a', (k) => k.forward(good(), detached(), b), 'E_DETACHED', /^a's buffer is detached.*pass a live/],
    ['detached b', (k) => k.backward(good(), good(), a, detached()), 'E_DETACHED', /^b's buffer is detached.*pass a live/],
    ['out-of-bounds x', (k) => k.forward(outOfBounds(), a, b), 'E_DETACHED', /^x is out of bounds.*resizable ArrayBuffer .*shrunk.*(grow the buffer back|pass a live)/],
    ['out-of-bounds x (backward)', (k) => k.backward(outOfBounds(), good(), a, b), 'E_DETACHED', /^x is out of bounds/],
    ['out-of-bounds dy', (k) => k.backward(good(), outOfBounds(), a, b), 'E_DETACHED', /^dy is out of bounds/],
    ['out-of-bounds a', (k) => k.forward(good(), outOfBounds(), b), 'E_DETACHED', /^a is out of bounds/],
    ['out-of-bounds b', (k) => k.backward(good(), good(), a, outOfBounds()), 'E_DETACHED', /^b is out of bounds/],
    ['Float64Array x', (k) => k.forward(Float64Array.of(1, 2) as unknown as Float32Array, a, b), 'E_TYPE', /^x .*Float64Array.*Float32Array\.from\(x\)/],
    ['Float64Array dy', (k) => k.backward(good(), new Float64Array(4) as unknown as Float32Array, a, b), 'E_TYPE', /^dy .*Float64Array.*Float32Array\.from\(dy\)/],
    ['number[] x', (k) => k.forward([1, 2] as unknown as Float32Array, a, b), 'E_TYPE', /^x .*Array\(2\).*Float32Array\.from\(x\)/],
    ['null x', (k) => k.forward(null as unknown as Float32Array, a, b), 'E_TYPE', /^x .*null.*Float32Array|^x .*Float32Array.*null/],
    ['missing dy', (k) => (k.backward as (...args: unknown[]) => Promise<unknown>)(good()), 'E_TYPE', /^dy is (missing|undefined).*Float32Array/],
    ['undefined dy', (k) => k.backward(good(), undefined as unknown as Float32Array, a, b), 'E_TYPE', /^dy is (missing|undefined).*Float32Array/],
    ['Int32Array dy', (k) => k.backward(good(), new Int32Array(4) as unknown as Float32Array, a, b), 'E_TYPE', /^dy .*Int32Array.*Float32Array\.from\(dy\)/],
  ];

  it.each(cases)('%s: a rejected promise (ApaluInputError), memory not grown', async (_, call, code, message) => {
    for (const backend of [await make({}), await make({ threads: 2, parallelThreshold: 0 })]) {
      const size = backend.memory.buffer.byteLength;
      const result = call(backend);
      expect(result).toBeInstanceOf(Promise);
      const error = await failure(() => result);
      expect([error.code, error.message]).toEqual([code, expect.stringMatching(message)]);
      expect(backend.memory.buffer.byteLength).toBe(size);
    }
  });

  it('accepts every live Float32Array: subarray views, SharedArrayBuffer- and resizable-buffer-backed (in bounds)', async () => {
    const backend = await make({});
    const values = uniform(64, 3, 20);
    const shared = new Float32Array(new SharedArrayBuffer(4 * 64));
    shared.set(values);
    const fixed = new Float32Array(resizable(4 * 64, 4 * 128), 0, 64);
    fixed.set(values);
    const tracking = new Float32Array(resizable(4 * 64, 4 * 128)); // length-tracking
    tracking.set(values);
    const view = new Float32Array(72);
    view.set(values, 5);
    const empty = new Float32Array(resizable(0, 16));
    const dy = uniform(64, 4, 2);
    for (const x of [shared, fixed, tracking, view.subarray(5, 69)]) {
      const y = await backend.forward(x, Float32Array.of(0.7), Float32Array.of(1.3));
      expect(y).toBeInstanceOf(Float32Array);
      for (let i = 0; i < 64; i++) expect(ulpDistance(y[i] as number, ref(values[i] as number, Math.fround(0.7), Math.fround(1.3)))).toBeLessThanOrEqual(2);
      const g = await backend.backward(x, x === shared ? shared : dy, Float32Array.of(0.7), Float32Array.of(1.3));
      expect([g.dx.length, g.da.length, g.db.length]).toEqual([64, 1, 1]);
    }
    expect((await backend.forward(empty, Float32Array.of(1), Float32Array.of(1))).length).toBe(0);
  });
});

describe('contract 5: calls past the memory limit are refused (E_TOO_LARGE) before the memory grows', () => {
  const GiB4 = 2 ** 32;

  it('the limit function at 4 GiB: the largest x.length for forward and backward, one thread and threads, with reserve()', () => {
    // One channel, one thread: a, b, da, db (16 bytes each) and 16 bytes of scratch, x from byte 128.
    const one: SizeLimit = { limitBytes: GiB4, claimed: 0, slices: 1 };
    expect(largestLength(false, 1, one)).toBe((GiB4 - 128) / 4); // 1,073,741,792
    // Backward: x, dy, dx, each 64-byte aligned: 12 bytes per element.
    expect(largestLength(true, 1, one)).toBe(357_913_920);
    // Two threads: 16 scratch slices of 16 bytes, x from byte 320.
    expect(largestLength(true, 1, { ...one, slices: 16 })).toBe(357_913_904);
    // 1 GiB claimed with reserve(): everything moves up by it.
    expect(largestLength(false, 1, { ...one, claimed: 2 ** 30 })).toBe((GiB4 - 2 ** 30 - 128) / 4);
    expect(largestLength(true, 1, { ...one, claimed: 2 ** 30 })).toBe(268_435_440);
    // 64 channels: a, b, da, db 256 bytes each, scratch 1024: x from 2048.
    expect(largestLength(false, 64, one)).toBe((GiB4 - 2048) / 4);
    // Nothing fits: 0.
    expect(largestLength(true, 1, { limitBytes: 65536, claimed: 65536, slices: 1 })).toBe(0);
    for (const [backward, limit] of [
      [false, one],
      [true, one],
      [true, { ...one, slices: 128, claimed: 12345 * 64 }],
    ] as const) {
      const max = largestLength(backward, 3, limit);
      expect(() => checkSize(max, 3, backward, limit)).not.toThrow();
      expect(() => checkSize(max + 1, 3, backward, limit)).toThrow(ApaluInputError);
    }
  });

  it('the refusal names x.length, the limit and the largest lengths for forward and backward', () => {
    const limit: SizeLimit = { limitBytes: GiB4, claimed: 0, slices: 1 };
    let caught: unknown;
    try {
      checkSize(2 ** 30, 1, false, limit);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApaluInputError);
    expect((caught as ApaluInputError).code).toBe('E_TOO_LARGE');
    expect((caught as ApaluInputError).message).toMatch(
      /^x.length = 1073741824 is too large for this backend: forward needs 4 bytes per element .*limit is 4294967296 bytes .*at most 4 GiB\)\. With 1 channel it takes x.length up to 1073741792 for forward and 357913920 for backward; split the call/,
    );
    expect(() => checkSize(357_913_921, 1, true, { ...limit, claimed: 64, slices: 16 })).toThrow(
      /backward needs 12 bytes per element .*above the 64 bytes claimed with reserve\(\) \(backward: with 16 float64 scratch slices for its threads\)\. With 1 channel it takes x.length up to 1073741776 for forward and 357913904 for backward/,
    );
  });

  it.each([1, 2])('threads %i: a real call at a small limit (maximumMemoryBytes 1 MiB): streamed in blocks past the old limit; refused when reserve() leaves no room', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0, maximumMemoryBytes: 1 << 20 });
    backend.reserve(4096);
    // The array calls stream x (and dy) through the memory in blocks: their length is bounded
    // by the kernels' int32 indices only (before: 261,088 forward, 87,024 backward here).
    expect(backend.maxLengths()).toEqual({ forward: 2 ** 31 - 1, backward: 2 ** 31 - 1 });
    const a = Float32Array.of(0.7);
    const b = Float32Array.of(1.3);
    const x = uniform(1 << 20, 5, 20);
    const y = await backend.forward(x, a, b);
    for (let i = 0; i < x.length; i += 1013) expect(ulpDistance(y[i] as number, ref(x[i] as number, Math.fround(0.7), Math.fround(1.3)))).toBeLessThanOrEqual(2);
    const g = await backend.backward(x, x, a, b);
    expect(g.dx.length).toBe(1 << 20);
    expect(backend.memory.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
    // Everything claimed with reserve(): no room for a block. Refused when made, also behind a
    // call in flight (before the queue), before the memory grows.
    const full = await make({ threads, parallelThreshold: 0, maximumMemoryBytes: 1 << 20 });
    full.reserve(1 << 20);
    expect(full.maxLengths()).toEqual({ forward: 0, backward: 0 });
    const first = backend.forward(new Float32Array(1000), a, b);
    let error = await failure(() => full.forward(new Float32Array(1000), a, b));
    expect([error.code, error.message]).toEqual([
      'E_TOO_LARGE',
      expect.stringMatching(/^x.length = 1000: the memory limit of 1048576 bytes \(maximumMemoryBytes\), above the 1048576 bytes claimed with reserve\(\), leaves no room .*larger maximumMemoryBytes or reserve less/),
    ]);
    error = await failure(() => full.backward(new Float32Array(1000), new Float32Array(1000), a, b));
    expect(error.code).toBe('E_TOO_LARGE');
    await first;
  });

  it('arrays above 2 GiB of memory (reserve() claimed past 2^31): addresses past int32 are written where they belong', async () => {
    // Only touched pages take real memory: the 2 GiB claimed stay untouched.
    const backend = await make({});
    const claim = 2 ** 31 + 65536;
    try {
      backend.reserve(claim);
    } catch (error) {
      // An engine that cannot give a 2 GiB memory here: locally a skip that says why, in CI a failure.
      expect(error).toMatchObject({ code: 'E_MEMORY', kind: 'environment', name: 'ApaluEnvironmentError' });
      if (process.env.CI) throw error;
      console.warn(`skipped: ${(error as Error).message}`);
      return;
    }
    const x = uniform(4096, 7, 20);
    const y = await backend.forward(x, Float32Array.of(0.7), Float32Array.of(1.3));
    for (let i = 0; i < x.length; i++) expect(ulpDistance(y[i] as number, ref(x[i] as number, Math.fround(0.7), Math.fround(1.3)))).toBeLessThanOrEqual(2);
    const g = await backend.backward(x, x, Float32Array.of(0.7), Float32Array.of(1.3));
    expect(g.dx.length).toBe(4096);
    // Streamed in blocks above the claimed 2 GiB: bounded by the int32 indices, not the memory left.
    expect(backend.maxLengths().forward).toBe(2 ** 31 - 1);
    await backend.dispose();
  });
});

describe('contract 3, 6: inputs read at call time; dispose lets accepted calls finish', () => {
  const a = Float32Array.of(0.7);
  const b = Float32Array.of(1.3);
  const fa = Math.fround(0.7);
  const fb = Math.fround(1.3);

  it.each([1, 2])('threads %i: transferring x and dy right after the call (started at once, or waiting) does not change the result', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0 });
    const values = uniform(1 << 16, 21, 20);
    const grads = uniform(1 << 16, 22, 2);
    const check = (y: Float32Array) => {
      expect(y.length).toBe(values.length);
      for (let i = 0; i < values.length; i += 37) expect(ulpDistance(y[i] as number, ref(values[i] as number, fa, fb))).toBeLessThanOrEqual(2);
    };
    const checkGrad = (dx: Float32Array) => {
      expect(dx.length).toBe(values.length);
      for (let i = 0; i < values.length; i += 37) {
        const want = Math.fround((grads[i] as number) * apaluGrad(values[i] as number, fa, fb).dx);
        expect(ulpDistance(dx[i] as number, want)).toBeLessThanOrEqual(3);
      }
    };
    // Starts at once.
    let x = values.slice();
    const now = backend.forward(x, a, b);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    check(await now);
    // Waits behind another call (its inputs are copied at the call).
    const earlier = backend.forward(uniform(1 << 16, 23, 20), a, b);
    x = values.slice();
    let dy = grads.slice();
    const waiting = backend.backward(x, dy, a, b);
    const forwardWaiting = backend.forward(values.slice(), a, b);
    structuredClone([x.buffer, dy.buffer], { transfer: [x.buffer, dy.buffer] });
    await earlier;
    checkGrad((await waiting).dx);
    check(await forwardWaiting);
    // backward started at once, dy transferred and a changed after.
    x = values.slice();
    dy = grads.slice();
    const aa = Float32Array.of(0.7);
    const started = backend.backward(x, dy, aa, b);
    structuredClone(dy.buffer, { transfer: [dy.buffer] });
    aa[0] = 100;
    checkGrad((await started).dx);
  });

  it('dispose(): forward, backward, forwardAt and backwardAt made before it settle with right values; later calls E_DISPOSED; twice is harmless', async () => {
    const backend = await createBackend({ threads: 2, parallelThreshold: 0 });
    const x = uniform(1 << 17, 31, 20);
    const dy = uniform(1 << 17, 32, 2);
    backend.reserve(4096 + 8 * 1024);
    const heap = new Float32Array(backend.memory.buffer);
    heap.set([0.7, 1.3], 0);
    heap.set(x.subarray(0, 1024), 1024);
    heap.set(dy.subarray(0, 1024), 2048);
    const calls = [
      backend.forward(x, a, b),
      backend.backward(x, dy, a, b),
      backend.forwardAt(4096, 8192, 1024, 0, 4, 1),
      backend.backwardAt(4096, 8192, 8192, 64, 68, 1024, 0, 4, 1, 1, 128),
    ] as const;
    const disposed = backend.dispose();
    const again = backend.dispose();
    for (const late of [
      () => backend.forward(x, a, b),
      () => backend.backward(x, dy, a, b),
      () => backend.forwardAt(4096, 8192, 1024, 0, 4, 1),
      () => backend.backwardAt(4096, 8192, 8192, 64, 68, 1024, 0, 4, 1, 1, 128),
    ]) {
      const error = await failure(late);
      expect([error.code, error.message]).toEqual(['E_DISPOSED', expect.stringMatching(/disposed; create a new one/)]);
    }
    const [y, g] = await Promise.all([calls[0], calls[1], calls[2], calls[3]]);
    for (let i = 0; i < x.length; i += 101) {
      expect(ulpDistance(y[i] as number, ref(x[i] as number, fa, fb))).toBeLessThanOrEqual(2);
      expect(ulpDistance(g.dx[i] as number, Math.fround((dy[i] as number) * apaluGrad(x[i] as number, fa, fb).dx))).toBeLessThanOrEqual(3);
    }
    // forwardAt wrote f(x) at 8192, then backwardAt (queued after it) read that as dy and wrote dx over it.
    for (let i = 0; i < 1024; i += 17) {
      const xi = x[i] as number;
      const fi = ref(xi, fa, fb);
      expect(ulpDistance(heap[2048 + i] as number, Math.fround(fi * apaluGrad(xi, fa, fb).dx))).toBeLessThanOrEqual(3);
    }
    await Promise.all([disposed, again, backend.dispose()]);
  });
});
