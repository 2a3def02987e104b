import { ApaluInputError, apalu, apaluDerivative, backward as coreBackward, forward as coreForward, splitmix32 } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ApaluGpuError,
  ApaluGpuRunner,
  BufferUsage,
  WGSL_SOURCES,
  type WebGpuBackend,
  createBackend,
  getRunner,
  grid,
  planBackward,
  requestApaluDevice,
} from '../src/index.js';
import { probeGpu } from './gpu.js';

const gpu = await probeGpu();

// One device for the whole file: SwiftShader takes seconds to compile each pipeline.
let shared: WebGpuBackend | undefined;
beforeAll(async () => {
  if (gpu.ok) shared = await createBackend();
});
afterAll(() => shared?.dispose());

function maxUlps(got: Float32Array, want: ArrayLike<number>): { max: number; at: number } {
  let max = 0;
  let at = -1;
  for (let i = 0; i < got.length; i++) {
    const u = ulpDistance(got[i]!, Math.fround(want[i]!));
    if (u > max) [max, at] = [u, i];
  }
  return { max, at };
}

function randomInputs(n: number, seed: number): Float32Array {
  const next = splitmix32(seed);
  const x = new Float32Array(n);
  const bits = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) {
    const r = next();
    if (i % 3 === 0) bits[i] = next();
    else if (i % 3 === 1) x[i] = ((r / 2 ** 32) * 2 - 1) * 30;
    else x[i] = (r & 1 ? -1 : 1) * 2 ** (((next() / 2 ** 32) * 2 - 1) * 126);
  }
  return x;
}

const SPECIALS = [
  Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 1.1754942e-38, -1.1754942e-38, 1.1754944e-38, -1.1754944e-38,
  1e-8, -1e-8, 1e-7, -1e-7, 2.9e-8, -2.9e-8, 3e-8, -3e-8, 1e-3, -1e-3, 0.5, -0.5, 1, -1, 10, -10, 17, -17, 20, -20, 46.99, 47, -79.99, -80,
  87, -87, 88.7, -88.7, 89, -89, 103, -103, 104, -104, 399, -399, 400, -400, 1e4, -1e4, 1e38, -1e38, 3e38, -3e38, 3.4e38, -3.4e38,
];

describe.skipIf(!gpu.ok)('@apalu/webgpu kernels against @apalu/core', () => {
  let backend: WebGpuBackend;
  beforeAll(() => {
    backend = shared!;
  });

  it('every exported WGSL source compiles without errors or warnings', async () => {
    for (const [name, code] of Object.entries(WGSL_SOURCES)) {
      const info = await backend.device.createShaderModule({ code }).getCompilationInfo();
      expect(info.messages.map((m) => `${name}:${m.lineNum} ${m.type} ${m.message}`)).toEqual([]);
    }
  });

  it('f and ∂f/∂x are within 1 ULP on special values, channel parameters spanning float32, and 30k random inputs', async () => {
    const params: Array<[number, number]> = [[0.25, 1.3], [1, 1], [1.7, 0.05], [3e30, 1e6], [1e-30, 2e-38]];
    const random = randomInputs(30_000, 7);
    for (const [a0, b0] of params) {
      const x = Float32Array.from([...SPECIALS, ...random]);
      const a = new Float32Array([a0]);
      const b = new Float32Array([b0]);
      const y = await backend.forward(x, a, b);
      const { dx } = await backend.backward(x, new Float32Array(x.length).fill(1), a, b);
      const fRef = Array.from(x, (v) => apalu(v, a[0]!, b[0]!));
      const dRef = Array.from(x, (v) => apaluDerivative(v, a[0]!, b[0]!));
      const f = maxUlps(y, fRef);
      const d = maxUlps(dx, dRef);
      expect(f.max, `f at x = ${x[f.at]} (a = ${a0}, b = ${b0}): got ${y[f.at]}, want ${fRef[f.at]}`).toBeLessThanOrEqual(1);
      expect(d.max, `∂f/∂x at x = ${x[d.at]} (a = ${a0}, b = ${b0}): got ${dx[d.at]}, want ${dRef[d.at]}`).toBeLessThanOrEqual(1);
    }
  });

  it('SPEC special values exactly: NaN → NaN, +∞ → +∞, −∞ → −b, a = 0.25 and x = 3e38 → 1.5e38, subnormals not flushed', async () => {
    const y = await backend.forward(new Float32Array([Number.NaN, Infinity, -Infinity, 3e38, -1e-45, 1e-45]), new Float32Array([0.25]), new Float32Array([1e6]));
    expect(Number.isNaN(y[0]!)).toBe(true);
    expect(y[1]).toBe(Infinity);
    expect(y[2]).toBe(-1e6);
    expect(y[3]).toBe(Math.fround(0.5 * Math.fround(3e38))); // a·(1 + σ)·x with σ = 1
    expect(y[4]).toBe(Math.fround(1e6 * Math.fround(-1e-45))); // b·x: a normal result from a subnormal input
    expect(y[5]).toBe(Math.fround(0.25 * 1.5 * Math.fround(1e-45))); // rounded onto the subnormal grid (0 here)
    const tiny = await backend.forward(new Float32Array([1e-39, -1e-39]), new Float32Array([1]), new Float32Array([1]));
    expect(tiny[0]).toBe(Math.fround(1.5 * Math.fround(1e-39)));
    expect(tiny[1]).toBe(Math.fround(Math.fround(-1e-39)));
  });

  it('backward with random dy, every layout path (vec4, scalar, tail): dx within 2 ULP, da/db within 1e-6 of Σ|terms|', async () => {
    const cases: Array<[number, number, number]> = [
      [1, 1, 4099], [1, 1, 3], [1, 1, 1], [1, 7, 14], [3, 1, 3 * 1001], [3, 7, 3 * 7 * 50], [2, 4, 2 * 4 * 300], [64, 1, 64 * 33], [5, 8, 5 * 8 * 3],
    ];
    for (const [channels, inner, n] of cases) {
      const next = splitmix32(n * 31 + channels);
      const x = Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * 12);
      const dy = Float32Array.from({ length: n }, () => (next() / 2 ** 32) * 2 - 1);
      const a = Float32Array.from({ length: channels }, (_, c) => 0.3 + 0.1 * c);
      const b = Float32Array.from({ length: channels }, (_, c) => 1.7 - 0.01 * c);
      const got = await backend.backward(x, dy, a, b, { inner });
      const want = coreBackward(Float64Array.from(x), Float64Array.from(dy), a, b, { inner });
      const dx = maxUlps(got.dx, want.dx);
      expect(dx.max, `dx, C=${channels} S=${inner} n=${n} at ${dx.at}`).toBeLessThanOrEqual(2);
      const absA = new Float64Array(channels);
      const absB = new Float64Array(channels);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(i / inner) % channels;
        const v = x[i]!;
        if (v >= 0) absA[c]! += Math.abs(dy[i]! * v * (apalu(v, 1, 1) / v || 1.5));
        else absB[c]! += Math.abs(dy[i]! * Math.expm1(v));
      }
      for (let c = 0; c < channels; c++) {
        expect(Math.abs(got.da[c]! - want.da[c]!), `da[${c}] C=${channels} S=${inner} n=${n}`).toBeLessThanOrEqual(1e-6 * absA[c]! + 1e-30);
        expect(Math.abs(got.db[c]! - want.db[c]!), `db[${c}] C=${channels} S=${inner} n=${n}`).toBeLessThanOrEqual(1e-6 * absB[c]! + 1e-30);
      }
    }
  });

  it('sums of 1M same-sign terms stay within 1e-6 relative (double-float accumulators)', async () => {
    const n = 1 << 20;
    const next = splitmix32(99);
    const x = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (0.001 + (next() / 2 ** 32) * 5));
    const got = await backend.backward(x, new Float32Array(n).fill(1), new Float32Array([0.7]), new Float32Array([1.3]));
    const want = coreBackward(Float64Array.from(x), new Float64Array(n).fill(1), [0.7], [1.3]);
    expect(Math.abs(got.da[0]! / want.da[0]! - 1)).toBeLessThan(1e-7);
    expect(Math.abs(got.db[0]! / want.db[0]! - 1)).toBeLessThan(1e-7);
  });

  it('sums near FLT_MAX match float64: terms of opposite signs, and partial sums past FLT_MAX that come back (property case, seed 242024)', async () => {
    const M = 3.4028234663852886e38;
    const cases: [number[], number[]][] = [
      [[-2.7810375690460205, -100], [-1.5351465790546617e38, M]], // was −∞: two_sum's s − a overflowed
      [[-100, -100, -100], [M, M, -M]], // float64 gives −FLT_MAX; an overflowed running sum gave +∞
      [[5, 5, 5, -1e-30], [3e37, 3e37, -3.3e37, 1e-10]], // da crosses FLT_MAX on the way, db is tiny
      [[-1e-30, -1e-40, 5, -3], [1e-20, 3, 2, 1e-30]], // terms on both sides of 2^-60 in one sum
    ];
    for (const [xs, dys] of cases) {
      const x = new Float32Array(xs);
      const dy = new Float32Array(dys);
      const got = await backend.backward(x, dy, new Float32Array([1]), new Float32Array([1]));
      const want = coreBackward(Float64Array.from(x), Float64Array.from(dy), [1], [1]);
      for (const k of ['da', 'db'] as const) {
        const w = Math.fround(want[k][0]!);
        expect(Number.isFinite(got[k][0]!), `${k} of x = [${xs}], dy = [${dys}]`).toBe(true);
        expect(Math.abs(got[k][0]! - w), `${k} of x = [${xs}], dy = [${dys}]`).toBeLessThanOrEqual(1e-6 * Math.abs(w));
      }
    }
  });

  it('a NaN input shows up in da or db of its own channel only', async () => {
    const x = new Float32Array([1, -1, Number.NaN, 2, -2, 0.5]);
    const got = await backend.backward(x, new Float32Array(6).fill(1), new Float32Array([1, 1, 1]), new Float32Array([1, 1, 1]));
    expect(Number.isNaN(got.da[2]!) || Number.isNaN(got.db[2]!)).toBe(true);
    for (const c of [0, 1]) expect(Number.isFinite(got.da[c]!) && Number.isFinite(got.db[c]!)).toBe(true);
    expect(Number.isNaN(got.dx[2]!)).toBe(true);
  });

  it('is deterministic: the same input gives bit-identical dx, da, db', async () => {
    const n = 300_001;
    const x = randomInputs(n, 3).map((v) => (Number.isFinite(v) ? Math.max(-50, Math.min(50, v)) : 1));
    const next = splitmix32(5);
    const dy = Float32Array.from({ length: n }, () => (next() / 2 ** 32) * 2 - 1);
    const a = new Float32Array([0.9]);
    const b = new Float32Array([1.1]);
    const first = await backend.backward(x, dy, a, b);
    const second = await backend.backward(x, dy, a, b);
    expect(new Uint32Array(second.dx.buffer)).toEqual(new Uint32Array(first.dx.buffer));
    expect([second.da[0], second.db[0]]).toEqual([first.da[0], first.db[0]]);
  });

  it('2-D dispatch grids give the same results (grid limit lowered to 4 workgroups per dimension)', async () => {
    expect(grid(70_000)).toEqual([35_000, 2]);
    expect(grid(10, 4)).toEqual([4, 3]);
    expect(() => grid(17, 4)).toThrow(/exceed a 4×4 dispatch grid/);
    const runner = new ApaluGpuRunner(backend.device, { gridLimit: 4 });
    const flat = await createBackend({ device: backend.device });
    const next = splitmix32(11);
    for (const [channels, inner, n] of [[1, 1, 64 * 4 * 9 + 3], [10, 1, 10 * 40], [6, 4, 6 * 4 * 5]] as const) {
      const x = Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * 5);
      const a = Float32Array.from({ length: channels }, () => 0.1 + next() / 2 ** 32);
      const b = Float32Array.from({ length: channels }, () => 0.1 + next() / 2 ** 32);
      const dy = Float32Array.from({ length: n }, () => next() / 2 ** 32 - 0.5);
      const bufs = [x, dy, a, b].map((d) => {
        const buffer = backend.device.createBuffer({ size: d.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
        backend.device.queue.writeBuffer(buffer, 0, d);
        return buffer;
      });
      const y = await runner.forward({ x: bufs[0]!, a: bufs[2]!, b: bufs[3]!, length: n, channels, inner });
      const g = await runner.backward({ x: bufs[0]!, dy: bufs[1]!, a: bufs[2]!, b: bufs[3]!, length: n, channels, inner });
      const want = await flat.backward(x, dy, a, b, { inner });
      expect(await runner.read(y, n)).toEqual(await flat.forward(x, a, b, { inner }));
      expect(await runner.read(g.dx, n)).toEqual(want.dx);
      expect(await runner.read(g.da, channels)).toEqual(want.da);
      expect(await runner.read(g.db, channels)).toEqual(want.db);
      for (const buffer of [...bufs, y, g.dx, g.da, g.db]) buffer.destroy();
    }
  });

  it('plans vec4 loads where each channel has whole vec4 runs, scalar steps elsewhere', () => {
    expect(planBackward(4103, 1, 1).steps.map((s) => [s.width, s.base])).toEqual([[4, 0], [1, 4100]]);
    expect(planBackward(64, 2, 8).steps.map((s) => s.width)).toEqual([4]);
    expect(planBackward(63, 3, 7).steps.map((s) => s.width)).toEqual([1]);
    expect(planBackward(0, 3, 1).steps).toEqual([]);
  });
});

describe.skipIf(!gpu.ok)('@apalu/webgpu runner: GPU buffers, caching, errors', () => {
  let device: GPUDevice;
  beforeAll(() => {
    device = shared!.device;
  });

  const upload = (data: Float32Array) => {
    const buffer = device.createBuffer({ size: data.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC });
    device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };

  it('chains GPU work without readback: backward runs on forward output still on the GPU', async () => {
    const runner = getRunner(device);
    const x = Float32Array.from({ length: 1001 }, (_, i) => (i - 500) / 50);
    const a = new Float32Array([0.8]);
    const b = new Float32Array([1.2]);
    const [xb, ab, bb] = [upload(x), upload(a), upload(b)];
    const y = await runner.forward({ x: xb, a: ab, b: bb, length: x.length, channels: 1 });
    const g = await runner.backward({ x: y, dy: y, a: ab, b: bb, length: x.length, channels: 1 });
    const dx = await runner.read(g.dx, x.length);
    const y64 = coreForward(Float64Array.from(x), a, b).map(Math.fround);
    const want = coreBackward(y64, y64, a, b);
    expect(maxUlps(dx, want.dx).max).toBeLessThanOrEqual(2);
    for (const buffer of [xb, ab, bb, y, g.dx, g.da, g.db]) buffer.destroy();
  });

  it('compiles each pipeline once per device and shares the runner', async () => {
    const own = await requestApaluDevice();
    try {
      const spy = vi.spyOn(own, 'createComputePipelineAsync');
      const backend = await createBackend({ device: own });
      expect(getRunner(own)).toBe(backend.runner);
      const x = new Float32Array([1, -1, 2, -2, 3]);
      await backend.forward(x, new Float32Array([1]), new Float32Array([1]));
      await backend.forward(x, new Float32Array([1]), new Float32Array([1]));
      await new ApaluGpuRunner(own, { gridLimit: 4 }).forward({ x: backend.runner.createResultBuffer(5, 'x'), a: backend.runner.createResultBuffer(1, 'a'), b: backend.runner.createResultBuffer(1, 'b'), length: 5, channels: 1 });
      expect(spy.mock.calls.length).toBe(2); // forward vec4 + scalar tail, shared by every runner of the device
      await backend.dispose();
      expect(() => own.createBuffer({ size: 4, usage: BufferUsage.STORAGE })).not.toThrow(); // a given device is not destroyed
    } finally {
      own.destroy();
    }
  });

  it('rejects bad input before any GPU work, naming the value', async () => {
    const backend = await createBackend({ device });
    const x = new Float32Array([1, 2]);
    await expect(backend.forward(x, new Float32Array([0]), new Float32Array([1]))).rejects.toThrow(/a\[0\] = 0/);
    await expect(backend.forward(x, new Float32Array([1e-46]), new Float32Array([1]))).rejects.toBeInstanceOf(ApaluInputError);
    await expect(backend.backward(x, new Float32Array(3), new Float32Array([1]), new Float32Array([1]))).rejects.toThrow(/dy.length = 3/);
    await expect(backend.forward(new Float64Array(2) as unknown as Float32Array, new Float32Array([1]), new Float32Array([1]))).rejects.toThrow(/float32/);
    const runner = getRunner(device);
    const small = device.createBuffer({ size: 4, usage: BufferUsage.STORAGE });
    const noStorage = device.createBuffer({ size: 64, usage: BufferUsage.COPY_DST });
    await expect(runner.forward({ x: small, a: small, b: small, length: 2, channels: 1 })).rejects.toThrow(/x.size = 4 bytes but 8/);
    await expect(runner.forward({ x: noStorage, a: small, b: small, length: 2, channels: 1 })).rejects.toThrow(/STORAGE/);
    await expect(runner.forward({ x: small, a: small, b: small, length: 1, channels: 1, inner: 0 })).rejects.toThrow(/inner = 0/);
    small.destroy();
    noStorage.destroy();
  });

  it('WebGPU validation and out-of-memory errors become ApaluGpuError and release the buffers it made', async () => {
    const runner = getRunner(device);
    const x = upload(new Float32Array(8));
    const p = upload(new Float32Array([1]));
    x.destroy(); // submitting work on a destroyed buffer is a validation error
    const created: GPUBuffer[] = [];
    const original = device.createBuffer.bind(device);
    const spy = vi.spyOn(device, 'createBuffer').mockImplementation((d) => {
      const buffer = original(d);
      created.push(buffer);
      return buffer;
    });
    try {
      await expect(runner.forward({ x, a: p, b: p, length: 8, channels: 1 })).rejects.toMatchObject({ name: 'ApaluGpuError', code: 'E_GPU_VALIDATION' });
      const y = created.find((b) => b.label === 'apalu-y')!;
      await expect(y.mapAsync(1)).rejects.toThrow(); // destroyed
    } finally {
      spy.mockRestore();
    }
    // Out of memory: the scope reports it, the message says what to do.
    const popSpy = vi.spyOn(device, 'popErrorScope');
    popSpy.mockResolvedValueOnce(null).mockResolvedValueOnce({ message: 'allocation failed' } as GPUError);
    const q = upload(new Float32Array(8));
    await expect(runner.forward({ x: q, a: p, b: p, length: 8, channels: 1 })).rejects.toMatchObject({ code: 'E_GPU_OOM', message: /Out of GPU memory during forward.*split the input/ });
    popSpy.mockRestore();
    q.destroy();
    p.destroy();
  });

  it('overlapping calls each get their own errors; errors of the caller\'s own work stay the caller\'s', async () => {
    const runner = getRunner(device);
    await runner.warmUp();
    const x = Float32Array.of(-2, -1, 0, 1, 2);
    const [xb, ab, bb] = [upload(x), upload(Float32Array.of(0.8)), upload(Float32Array.of(1.2))];
    const valid = runner.forward({ x: xb, a: ab, b: bb, length: 5, channels: 1 });
    const inPlace = runner.forward({ x: xb, a: ab, b: bb, length: 5, channels: 1, y: xb }); // y aliasing x: invalid
    const [v, w] = await Promise.allSettled([valid, inPlace]);
    expect(v.status).toBe('fulfilled');
    expect(w).toMatchObject({ status: 'rejected', reason: { code: 'E_GPU_VALIDATION' } });
    const y = (v as PromiseFulfilledResult<GPUBuffer>).value;
    expect(maxUlps(await runner.read(y, 5), Array.from(x, (t) => apalu(t, Math.fround(0.8), Math.fround(1.2)))).max).toBeLessThanOrEqual(1);
    // The caller's own invalid call while a runner call is in flight: not the runner's error.
    const pending = runner.forward({ x: xb, a: ab, b: bb, length: 5, channels: 1 });
    device.pushErrorScope('validation');
    device.createBuffer({ size: 6, usage: BufferUsage.MAP_READ | BufferUsage.STORAGE });
    const mine = await device.popErrorScope();
    expect(mine).not.toBeNull();
    const y2 = await pending;
    expect(await runner.read(y2, 5)).toEqual(await runner.read(y, 5));
    for (const buffer of [xb, ab, bb, y, y2]) buffer.destroy();
  });

  it('read() checks its buffer and count before any GPU work', async () => {
    const runner = getRunner(device);
    const storageOnly = device.createBuffer({ size: 20, usage: BufferUsage.STORAGE });
    const readable = upload(new Float32Array(5));
    await expect(runner.read(storageOnly, 5)).rejects.toThrow(/buffer lacks usage flags 0x4 .*COPY_SRC/);
    await expect(runner.read(readable, 6)).rejects.toThrow(/buffer.size = 20 bytes but 24/);
    await expect(runner.read(readable, 1.5)).rejects.toThrow(/elements = 1.5: must be an integer/);
    await expect(runner.read(readable, -1)).rejects.toThrow(/elements = -1/);
    expect(Array.from(await runner.read(readable, 5))).toEqual([0, 0, 0, 0, 0]);
    storageOnly.destroy();
    readable.destroy();
  });

  it('a call whose tensors or backward partial sums exceed the device limits fails with E_TOO_LARGE before any GPU work', async () => {
    const { create } = (await import('webgpu' as string)) as { create(flags: string[]): GPU };
    const gpuObject = create([]);
    const own = await (await gpuObject.requestAdapter())!.requestDevice(); // default limits: 128 MiB bindings
    try {
      const n = 3_000_000; // 12 MB per tensor; partial sums 48 bytes per channel: 144 MB
      const big = own.createBuffer({ size: 4 * n, usage: BufferUsage.STORAGE });
      const runner = getRunner(own);
      await expect(runner.backward({ x: big, dy: big, a: big, b: big, length: n, channels: n })).rejects.toMatchObject({
        name: 'ApaluInputError',
        code: 'E_TOO_LARGE',
        message: /x\.length = 3000000 .*C = 3000000 channels the partial sums alone need 144000000 bytes .*134217728 bytes.*no x\.length fits.*requiredLimits/,
      });
      const backend = await createBackend({ device: own });
      const errors: unknown[] = [];
      own.onuncapturederror = (event) => errors.push(event);
      const ones = new Float32Array(n).fill(1);
      await expect(backend.backward(new Float32Array(n), new Float32Array(n), ones, ones)).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
      await expect(backend.forward(new Float32Array(40_000_000), Float32Array.of(1), Float32Array.of(1))).rejects.toMatchObject({
        code: 'E_TOO_LARGE',
        message: /x\.length = 40000000 .*largest forward it takes is x\.length = 33554432/,
      });
      expect(runner.largestLength(1, 1, false)).toBe(33_554_432); // 128 MiB / 4
      expect(runner.largestLength(1, 1, true)).toBe(33_554_432);
      expect(runner.largestLength(n, 1, true)).toBe(0);
      expect(errors).toEqual([]);
      big.destroy();
    } finally {
      own.destroy();
      void gpuObject;
    }
  });

  it('a lost device gives a clear error, and a disposed backend refuses work', async () => {
    const own = await requestApaluDevice();
    const backend = await createBackend({ device: own });
    own.destroy();
    await own.lost;
    await Promise.resolve();
    await expect(backend.forward(new Float32Array([1]), new Float32Array([1]), new Float32Array([1]))).rejects.toSatisfy(
      (e: unknown) => e instanceof ApaluGpuError && e.code === 'E_DEVICE_LOST' && /device was lost.*Create a new backend/.test(e.message),
    );
    const mine = await createBackend();
    await mine.dispose();
    await expect(mine.forward(new Float32Array([1]), new Float32Array([1]), new Float32Array([1]))).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });
});
