import { ApaluInputError, apalu, apaluGrad, backward as coreBackward } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { describe, expect, it, vi } from 'vitest';
import { chunksPerThread } from '../src/backend.js';
import { type RawKernels, createBackend } from '../src/index.js';
import { backendMaker, uniform } from './helpers.js';

const make = backendMaker();


describe('createBackend', () => {
  it('picks SIMD in Node and names itself', async () => {
    const simd = await make({});
    expect([simd.name, simd.kind, simd.threads, simd.accuracy]).toEqual(['wasm-simd', 'simd', 1, 'strict']);
    const scalar = await make({ simd: false });
    expect(scalar.name).toBe('wasm-scalar');
    const threaded = await make({ threads: 2 });
    expect([threaded.name, threaded.threads]).toEqual(['wasm-simd-threads', 2]);
  });

  it('rejects bad options with the fix in the message', async () => {
    await expect(createBackend({ threads: 0 })).rejects.toThrow(/threads = 0: use a positive integer/);
    await expect(createBackend({ parallelThreshold: -1 })).rejects.toThrow(/parallelThreshold = -1/);
    await expect(createBackend({ maximumMemoryBytes: 2 ** 33 })).rejects.toThrow(/maximumMemoryBytes/);
    await expect(createBackend({ simd: 'no' as unknown as boolean })).rejects.toThrow(/simd = "no": use true .*false .*'auto'/);
  });
});

describe('threads', () => {
  it('split large calls across threads with the same results as one thread', async () => {
    const one = await make({ threads: 1 });
    const two = await make({ threads: 2 });
    const n = 3 * 7 * 20000;
    const x = uniform(n, 1, 30);
    const dy = uniform(n, 2, 2);
    const a = Float32Array.of(0.5, 1, 1.5);
    const b = Float32Array.of(1.2, 0.2, 0.9);
    const before = two.parallelCalls;
    const [f1, f2] = await Promise.all([one.forward(x, a, b, { inner: 7 }), two.forward(x, a, b, { inner: 7 })]);
    expect(f2).toEqual(f1);
    const [g1, g2] = await Promise.all([one.backward(x, dy, a, b, { inner: 7 }), two.backward(x, dy, a, b, { inner: 7 })]);
    expect(g2.dx).toEqual(g1.dx);
    for (let c = 0; c < 3; c++) {
      expect(g2.da[c]).toBeCloseTo(g1.da[c] as number, 2);
      expect(g2.db[c]).toBeCloseTo(g1.db[c] as number, 2);
    }
    expect(two.parallelCalls - before).toBe(2);
  });

  it('shares a forward out in chunks (cut inside rows) with the same bits as one thread', async () => {
    const one = await make({ threads: 1 });
    const three = await make({ threads: 3 });
    // 64 channels, channels-last: 3 threads × 8 chunks of 5472 elements = 85.5 rows each, so
    // most chunks start and end inside a row; the last chunk is shorter.
    const n = 64 * 2049;
    const x = uniform(n, 7, 30);
    const a = Float32Array.from({ length: 64 }, (_, c) => 0.1 + c / 40);
    const b = Float32Array.from({ length: 64 }, (_, c) => 1.9 - c / 40);
    const before = three.parallelCalls;
    const [f1, f3] = await Promise.all([one.forward(x, a, b), three.forward(x, a, b)]);
    expect(three.parallelCalls - before).toBe(1);
    expect(new Uint32Array(f3.buffer)).toEqual(new Uint32Array(f1.buffer));
    // In place (out = x) through the pointer API: each element is read and written by one thread.
    three.reserve(1024 + 4 * n);
    const heap = new Float32Array(three.memory.buffer);
    heap.set(a, 0);
    heap.set(b, 64);
    heap.set(x, 256);
    await three.forwardAt(1024, 1024, n, 0, 256, 64);
    expect(new Uint32Array(three.memory.buffer, 1024, n)).toEqual(new Uint32Array(f1.buffer));
  });

  // Channels-last rows (C = 64, S = 1), channels-first blocks (C = 8, S = 16: rows of 128
  // elements walked as vector columns) and gathered lanes (C = 4, S = 9); chunks start and end
  // inside rows.
  it.each([
    { C: 64, S: 1, rows: 2049 },
    { C: 8, S: 16, rows: 1025 },
    { C: 4, S: 9, rows: 3700 },
  ])('shares a backward out in chunks (C = $C, S = $S): dx as one thread, da and db the same bits on every call', async ({ C, S, rows }) => {
    const one = await make({ threads: 1 });
    const two = await make({ threads: 2 });
    const n = C * S * rows;
    const x = uniform(n, 11, 30);
    const dy = uniform(n, 12, 2);
    const a = Float32Array.from({ length: C }, (_, c) => 0.1 + c / 40);
    const b = Float32Array.from({ length: C }, (_, c) => 1.9 - c / 40);
    const layout = { inner: S };
    const g1 = await one.backward(x, dy, a, b, layout);
    const runs = [];
    for (let r = 0; r < 4; r++) runs.push(await two.backward(x, dy, a, b, layout));
    for (const g of runs) {
      expect(new Uint32Array(g.dx.buffer)).toEqual(new Uint32Array(g1.dx.buffer));
      // Chunk sums are added in chunk order, whichever thread took a chunk.
      expect(new Uint32Array(g.da.buffer)).toEqual(new Uint32Array((runs[0] as typeof g).da.buffer));
      expect(new Uint32Array(g.db.buffer)).toEqual(new Uint32Array((runs[0] as typeof g).db.buffer));
    }
    // Against float64 sums, within 1e-6 of Σ|terms| (SPEC's strict class for da, db), one thread and two.
    const want = { da: new Float64Array(C), db: new Float64Array(C), absA: new Float64Array(C), absB: new Float64Array(C) };
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / S) % C;
      const g = apaluGrad(x[i] as number, a[c] as number, b[c] as number);
      const d = dy[i] as number;
      want.da[c] = (want.da[c] as number) + d * g.da;
      want.db[c] = (want.db[c] as number) + d * g.db;
      want.absA[c] = (want.absA[c] as number) + Math.abs(d * g.da);
      want.absB[c] = (want.absB[c] as number) + Math.abs(d * g.db);
    }
    for (const g of [runs[0] as (typeof runs)[number], g1]) {
      for (let c = 0; c < C; c++) {
        expect(Math.abs((g.da[c] as number) - (want.da[c] as number))).toBeLessThanOrEqual(1e-6 * (want.absA[c] as number));
        expect(Math.abs((g.db[c] as number) - (want.db[c] as number))).toBeLessThanOrEqual(1e-6 * (want.absB[c] as number));
      }
    }
  });

  it('backwardAt asks for one float64 slice per chunk of a threaded call (scratchBytes)', async () => {
    const one = await make({ threads: 1 });
    const two = await make({ threads: 2 });
    expect(one.scratchBytes(64)).toBe(16 * 64);
    expect(two.scratchBytes(64)).toBe(16 * 64 * 2 * 8);
    expect(() => two.scratchBytes(0)).toThrow(/channels = 0: must be a positive integer/);
    // Many threads: fewer chunks each, at most 128 slices in all.
    expect([1, 2, 16, 17, 32, 64, 200].map(chunksPerThread)).toEqual([8, 8, 8, 7, 4, 2, 1]);
    const n = 1 << 17;
    two.reserve(1 << 21);
    // One slice per thread (the old contract) is too small now: a clear error, nothing written.
    const heap = new Float32Array(two.memory.buffer);
    heap.fill(7, 0, 64);
    const scratchPtr = (1 << 21) - 16 * 2;
    await expect(two.backwardAt(4096, 4096 + 4 * n, 4096 + 8 * n, 0, 4, n, 8, 12, 1, 1, scratchPtr)).rejects.toThrow(/scratchPtr/);
    expect(heap.subarray(0, 2)).toEqual(Float32Array.of(7, 7));
  });

  it('keeps small calls on the calling thread', async () => {
    const two = await make({ threads: 2 });
    const before = two.parallelCalls;
    const x = uniform(1000, 3, 10);
    const y = await two.forward(x, Float32Array.of(1), Float32Array.of(1));
    expect(two.parallelCalls).toBe(before);
    expect(ulpDistance(y[10] as number, Math.fround(apalu(x[10] as number, 1, 1)))).toBeLessThanOrEqual(2);
  });

  it('serialises overlapping calls on one threaded backend', async () => {
    const two = await make({ threads: 2, parallelThreshold: 0 });
    const xs = [1, 2, 3, 4].map((seed) => uniform(4096 + seed, seed, 20));
    const a = Float32Array.of(0.7);
    const b = Float32Array.of(1.3);
    const ys = await Promise.all(xs.map((x) => two.forward(x, a, b)));
    ys.forEach((y, k) => {
      const x = xs[k] as Float32Array;
      expect(y.length).toBe(x.length);
      for (let i = 0; i < x.length; i += 97) expect(ulpDistance(y[i] as number, Math.fround(apalu(x[i] as number, 0.7, Math.fround(1.3))))).toBeLessThanOrEqual(2);
    });
  });
});

describe('calls made together', () => {
  const a = Float32Array.of(0.7);
  const b = Float32Array.of(1.3);
  const ref = (x: Float32Array) => x.map((v) => Math.fround(apalu(v, Math.fround(0.7), Math.fround(1.3))));
  const within2 = (got: Float32Array, want: Float32Array) => {
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) expect(ulpDistance(got[i] as number, want[i] as number), `element ${i}`).toBeLessThanOrEqual(2);
  };

  it.each([1, 2])('threads %i: each of several calls made at once returns its own result (forward, backward)', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0 });
    // Different lengths, so that a later call also grows the memory under an earlier one.
    const xs = [Float32Array.of(1, 2, 3), Float32Array.of(-1, -2, -3), uniform(1 << 18, 3, 20), uniform(5, 4, 20)];
    const ys = await Promise.all(xs.map((x) => backend.forward(x, a, b)));
    ys.forEach((y, k) => within2(y, ref(xs[k] as Float32Array)));
    const dys = xs.map((x, k) => uniform(x.length, 10 + k, 2));
    const gs = await Promise.all(xs.map((x, k) => backend.backward(x, dys[k] as Float32Array, a, b)));
    gs.forEach((g, k) => {
      const x = xs[k] as Float32Array;
      const dy = dys[k] as Float32Array;
      for (let i = 0; i < x.length; i += 1 + (x.length >> 6)) {
        expect(ulpDistance(g.dx[i] as number, Math.fround((dy[i] as number) * apaluGrad(x[i] as number, Math.fround(0.7), Math.fround(1.3)).dx))).toBeLessThanOrEqual(3);
      }
      let db = 0;
      let scale = 0;
      for (let i = 0; i < x.length; i++) {
        const term = (x[i] as number) < 0 ? (dy[i] as number) * apaluGrad(x[i] as number, Math.fround(0.7), Math.fround(1.3)).db : 0;
        db += term;
        scale += Math.abs(term);
      }
      expect(Math.abs((g.db[0] as number) - db)).toBeLessThanOrEqual(1e-6 * scale);
    });
  });

  it.each([1, 2])('threads %i: changing x or a right after the call does not change its result', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0 });
    const x = uniform(1 << 16, 8, 20);
    const want = ref(x);
    const first = backend.forward(uniform(1 << 16, 9, 20), a, b);
    const aa = Float32Array.of(0.7);
    const pending = backend.forward(x, aa, b); // waits for `first`: its inputs are copied now
    aa[0] = Number.NaN;
    const xCopy = x.slice();
    x.fill(-1);
    await first;
    within2(await pending, want);
    const again = backend.forward(xCopy, a, b); // starts at once: reads its inputs before returning
    xCopy.fill(5);
    within2(await again, want);
  });

  it('a and b are checked as float32: a value that rounds to 0 or ∞ is refused', async () => {
    const backend = await make({});
    const x = Float32Array.of(-1, 1);
    await expect(backend.forward(x, Float64Array.of(1e-46) as unknown as Float32Array, b)).rejects.toThrow(/a\[0\] = 0/);
    await expect(backend.forward(x, a, Float64Array.of(1e39) as unknown as Float32Array)).rejects.toThrow(/b\[0\] = Infinity/);
  });

  it('dispose() lets calls already made finish, then refuses new ones', async () => {
    const backend = await createBackend({ threads: 2, parallelThreshold: 0 });
    const x = uniform(1 << 18, 12, 20);
    const calls = [backend.forward(x, a, b), backend.forward(x, a, b)];
    const disposed = backend.dispose();
    await expect(backend.forward(x, a, b)).rejects.toThrow(/disposed/);
    for (const y of await Promise.all(calls)) within2(y, ref(x));
    await disposed;
  });

  it('forward and backward copy above what reserve() claimed for the caller', async () => {
    const backend = await make({});
    backend.reserve(4096);
    const mine = new Float32Array(backend.memory.buffer, 0, 1024);
    mine.fill(0.25);
    await backend.forward(uniform(1 << 12, 13, 20), Float32Array.of(9), Float32Array.of(9));
    await backend.backward(uniform(64, 14, 20), uniform(64, 15, 2), Float32Array.of(9), Float32Array.of(9));
    expect(new Float32Array(backend.memory.buffer, 0, 1024).every((v) => v === 0.25)).toBe(true);
  });
});

describe('bad input: clear errors, nothing written', () => {
  const a = Float32Array.of(1);
  const b = Float32Array.of(1);

  it('rejects detached arrays instead of returning an empty result', async () => {
    const backend = await make({});
    const x = new Float32Array(8);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    await expect(backend.forward(x, a, b)).rejects.toThrow(/x.s buffer is detached.*transferred/);
    const dy = new Float32Array(4);
    structuredClone(dy.buffer, { transfer: [dy.buffer] });
    await expect(backend.backward(new Float32Array(4), dy, a, b)).rejects.toThrow(/dy.s buffer is detached/);
    const detachedA = Float32Array.of(1);
    structuredClone(detachedA.buffer, { transfer: [detachedA.buffer] });
    await expect(backend.forward(new Float32Array(4), detachedA, b)).rejects.toThrow(/a.s buffer is detached/);
  });

  it('rejects Float64Array (the kernels are float32) and SPEC violations via core', async () => {
    const backend = await make({});
    await expect(backend.forward(new Float64Array(4) as unknown as Float32Array, a, b)).rejects.toThrow(/Float64Array.*Float32Array.from/);
    await expect(backend.forward(new Float32Array(4), Float32Array.of(0), b)).rejects.toThrow(ApaluInputError);
    await expect(backend.forward(new Float32Array(5), Float32Array.of(1, 1), Float32Array.of(1, 1))).rejects.toThrow(/multiple of C·S/);
  });

  it('streams inputs beyond the memory limit; refuses a call when reserve() left no room, before touching memory', async () => {
    const backend = await make({ maximumMemoryBytes: 1 << 20 });
    expect((await backend.forward(new Float32Array(300_000), a, b)).length).toBe(300_000);
    expect(backend.memory.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
    const full = await make({ maximumMemoryBytes: 1 << 16 });
    full.reserve(1 << 16);
    const out = new Float32Array(1000).fill(3);
    await expect(full.forward(new Float32Array(1000), a, b, { out })).rejects.toThrow(/x.length = 1000: the memory limit of 65536 bytes .*leaves no room/);
    expect(out.every((v) => v === 3)).toBe(true);
  });

  it('reports memory that cannot grow', async () => {
    const backend = await make({});
    const grow = vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    try {
      const x = uniform(1 << 20, 5, 4);
      const copy = x.slice();
      await expect(backend.forward(x, a, b)).rejects.toThrow(/could not grow .*Maximum memory size exceeded.*split the call/);
      expect(x).toEqual(copy);
    } finally {
      grow.mockRestore();
    }
    expect((await backend.forward(new Float32Array(1 << 20), a, b)).length).toBe(1 << 20);
  });

  it('refuses calls after dispose', async () => {
    const backend = await createBackend({ threads: 2 });
    await backend.dispose();
    await expect(backend.forward(new Float32Array(4), a, b)).rejects.toThrow(/disposed/);
  });
});

describe('sums', () => {
  it('da, db within 1e-6 of Σ|terms| on 1M elements of one channel', async () => {
    const backend = await make({});
    const n = 1 << 20;
    const x = uniform(n, 11, 8);
    const dy = uniform(n, 12, 2);
    const a = Float32Array.of(0.7);
    const b = Float32Array.of(1.3);
    const got = await backend.backward(x, dy, a, b);
    const ref = coreBackward(x, dy, a, b);
    let absA = 0;
    let absB = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      if (xi >= 0) absA += Math.abs((dy[i] as number) * xi * (1 + 1 / (1 + Math.exp(-1.702 * xi))));
      else absB += Math.abs((dy[i] as number) * Math.expm1(xi));
    }
    expect(Math.abs((got.da[0] as number) - (ref.da[0] as number)) / absA).toBeLessThan(1e-6);
    expect(Math.abs((got.db[0] as number) - (ref.db[0] as number)) / absB).toBeLessThan(1e-6);
  });
});

describe('worker pool (Node: jobs through Atomics)', () => {
  /**
   * A pool of `workers` over a one-page shared memory holding a = 0.5, b = 1.5 at bytes 0 and 4.
   * First a call of `chunks` chunks of 16 whose x lies at 1 GiB (past the memory): the calling
   * thread sleeps on the chunk it takes, so the workers take the others and trap there; then a
   * valid call of the same size, shared by every thread, whose results are checked.
   */
  async function trapThenWork(workers: number, chunks: number, failure: RegExp): Promise<void> {
    const { WorkerPool } = await import('../src/pool.js');
    const { nodePlatform } = await import('../src/platform/node.js');
    const { kernelModule } = await import('../src/index.js');
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const pool = await WorkerPool.create(nodePlatform, workers, await kernelModule('simd', { shared: true }), memory);
    try {
      expect(pool.direct).toBe(true);
      const n = 16 * chunks;
      const heap = new Float32Array(memory.buffer);
      heap.set([0.5, 1.5], 0);
      const nap = new Int32Array(new SharedArrayBuffer(4));
      const sleepy = () => void Atomics.wait(nap, 0, 0, 100 * workers);
      await expect(pool.chunks('forwardChunks', [1 << 30, 1024, n, 0, 4, 1, 1, 0], n, 16, sleepy)).rejects.toThrow(failure);
      // An environment error (the call's arguments were checked before any worker ran).
      await expect(pool.chunks('forwardChunks', [1 << 30, 1024, n, 0, 4, 1, 1, 0], n, 16, sleepy)).rejects.toMatchObject({ code: 'E_WORKER', kind: 'environment' });
      // The workers keep serving (none still holds its failure).
      const raw = new WebAssembly.Instance(await kernelModule('simd', { shared: true }), { env: { memory } }).exports as unknown as RawKernels;
      const x = Float32Array.from({ length: n }, (_, i) => i / 4 - 6);
      heap.set(x, 16);
      await pool.chunks('forwardChunks', [64, 512, n, 0, 4, 1, 1, 0], n, 16, (_, start, count) => raw.forwardRange(64, 512, start, count, 0, 4, 1, 1, 0));
      for (let i = 0; i < n; i++) expect(ulpDistance(heap[128 + i] as number, apalu(x[i] as number, 0.5, 1.5))).toBeLessThanOrEqual(2);
    } finally {
      await pool.terminate();
    }
  }

  it('reports a job that traps with the worker’s own message, and keeps working after it', async () => {
    await trapThenWork(1, 2, /worker 0 failed: RuntimeError: memory access out of bounds/);
  });

  it('joins every worker when several fail, so the next call starts clean', async () => {
    await trapThenWork(2, 3, /worker \d failed: RuntimeError/);
  });
});
