import { ApaluInputError, apalu, apaluDerivative } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApaluGpuError, type WebGpuBackend, createBackend, getRunner, requestApaluDevice } from '../src/index.js';
import { probeGpu } from './gpu.js';

// The call contract (section 7 of @apalu/core's SPEC.md) on the Float32Array path.

/** A resizable ArrayBuffer (ES2024; the lib target here is older). */
const resizableBuffer = (bytes: number, maxByteLength: number) =>
  new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(bytes, { maxByteLength });

const gpu = await probeGpu();

let shared: WebGpuBackend | undefined;
beforeAll(async () => {
  if (gpu.ok) {
    shared = await createBackend();
    await shared.runner.warmUp();
  }
});
afterAll(() => shared?.dispose());

const A = Float32Array.of(0.8, 1.3);
const B = Float32Array.of(1.2, 0.6);
const X = Float32Array.of(-3, -0.5, -1e-8, 0, 1e-8, 0.5, 2, 7, -20, 3.5, 1, -1, 0.25, -90);

function expectForward(y: Float32Array, x: ArrayLike<number>, a: Float32Array, b: Float32Array): void {
  expect(y).toBeInstanceOf(Float32Array);
  expect(y.length).toBe(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % a.length;
    expect(ulpDistance(y[i]!, Math.fround(apalu(x[i]!, a[c]!, b[c]!)))).toBeLessThanOrEqual(1);
  }
}

function expectDx(dx: Float32Array, x: ArrayLike<number>, dy: ArrayLike<number>, a: Float32Array, b: Float32Array): void {
  expect(dx.length).toBe(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % a.length;
    expect(ulpDistance(dx[i]!, Math.fround(dy[i]! * apaluDerivative(x[i]!, a[c]!, b[c]!)))).toBeLessThanOrEqual(2);
  }
}

/** Counts the GPU buffers created on `device` (through its createBuffer) that are not destroyed yet, and error scopes pushed and popped. */
function track(device: GPUDevice) {
  const live = new Set<GPUBuffer>();
  let created = 0;
  let pushed = 0;
  let popped = 0;
  /** Results the next pops report instead of the real ones (the real scope is still popped). */
  const inject: Array<GPUError | null> = [];
  const createBuffer = device.createBuffer.bind(device);
  const push = device.pushErrorScope.bind(device);
  const pop = device.popErrorScope.bind(device);
  const spies = [
    vi.spyOn(device, 'createBuffer').mockImplementation((descriptor) => {
      const buffer = createBuffer(descriptor);
      created++;
      live.add(buffer);
      const destroy = buffer.destroy.bind(buffer);
      buffer.destroy = () => {
        live.delete(buffer);
        destroy();
      };
      return buffer;
    }),
    vi.spyOn(device, 'pushErrorScope').mockImplementation((filter) => {
      pushed++;
      push(filter);
    }),
    vi.spyOn(device, 'popErrorScope').mockImplementation(() => {
      popped++;
      const real = pop();
      if (inject.length === 0) return real;
      const reported = inject.shift()!;
      return real.then(() => reported);
    }),
  ];
  return {
    live,
    inject,
    get created() {
      return created;
    },
    get openScopes() {
      return pushed - popped;
    },
    restore() {
      for (const s of spies) s.mockRestore();
    },
  };
}

/** The same device with lowered storage limits (as a device requested with small limits would report). */
function withLimits(device: GPUDevice, bytes: { maxBufferSize: number; maxStorageBufferBindingSize: number }): GPUDevice {
  const limits = { maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension, ...bytes };
  return new Proxy(device, {
    get(target, key) {
      if (key === 'limits') return limits;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.skipIf(!gpu.ok)('@apalu/webgpu keeps the call contract', () => {
  let backend: WebGpuBackend;
  beforeAll(() => {
    backend = shared!;
  });

  it('SharedArrayBuffer-backed x and dy (views at an offset) give the same results as plain arrays', async () => {
    const sab = new SharedArrayBuffer(4 * (X.length * 2 + 3));
    const x = new Float32Array(sab, 4, X.length);
    x.set(X);
    const dy = new Float32Array(sab, 4 * (X.length + 2), X.length);
    dy.set(X.map((v, i) => (i % 2 ? -1.5 : 0.75) + v / 8));
    const aShared = new Float32Array(new SharedArrayBuffer(8));
    aShared.set(A);
    const y = await backend.forward(x, aShared, B);
    expectForward(y, X, A, B);
    expect(Array.from(y)).toEqual(Array.from(await backend.forward(X.slice(), A, B)));
    const got = await backend.backward(x, dy, A, B);
    const want = await backend.backward(X.slice(), dy.slice(), A, B);
    expectDx(got.dx, X, dy, A, B);
    expect([Array.from(got.dx), Array.from(got.da), Array.from(got.db)]).toEqual([Array.from(want.dx), Array.from(want.da), Array.from(want.db)]);
    expect(Array.from(x)).toEqual(Array.from(X)); // inputs never written
  });

  it('resizable-buffer-backed x in bounds works', async () => {
    const buffer = resizableBuffer(4 * X.length, 4 * X.length * 2);
    const x = new Float32Array(buffer);
    x.set(X);
    expectForward(await backend.forward(x, A, B), X, A, B);
  });

  it('inputs are read when the call is made: transferring or writing x, dy, a, b after the call changes nothing', async () => {
    const x = X.slice();
    const pending = backend.forward(x, A, B);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    expectForward(await pending, X, A, B);

    const [x2, dy, a, b] = [X.slice(), X.map((v) => 1 - v / 4), A.slice(), B.slice()];
    const dyCopy = dy.slice();
    const grads = backend.backward(x2, dy, a, b);
    const wrote = backend.forward(x2, a, b);
    x2.fill(100);
    a.fill(5);
    for (const t of [dy, b]) structuredClone(t.buffer, { transfer: [t.buffer] });
    const { dx, da, db } = await grads;
    expectDx(dx, X, dyCopy, A, B);
    expect(da.length).toBe(2);
    expect(db.length).toBe(2);
    expectForward(await wrote, X, A, B);
  });

  it('rejects wrong types, detached and out-of-bounds arrays and a missing dy with ApaluInputError (a rejected promise, no GPU work)', async () => {
    const t = track(backend.device);
    try {
      const detached = X.slice();
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      const detachedA = A.slice();
      structuredClone(detachedA.buffer, { transfer: [detachedA.buffer] });
      const resizable = resizableBuffer(4 * X.length, 4 * X.length);
      const outOfBounds = new Float32Array(resizable, 8, 4);
      resizable.resize(8);
      const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
        [() => backend.forward(detached, A, B), 'E_DETACHED', /x's buffer is detached/],
        [() => backend.forward(outOfBounds, A, B), 'E_DETACHED', /x is out of bounds/],
        [() => backend.backward(X, detached, A, B), 'E_DETACHED', /dy's buffer is detached/],
        [() => backend.forward(X.subarray(0, 4), detachedA, B), 'E_DETACHED', /a's buffer is detached/],
        [() => backend.forward(new Float64Array(X) as unknown as Float32Array, A, B), 'E_TYPE', /Float32Array\.from\(x\)/],
        [() => backend.forward([1, 2] as unknown as Float32Array, A, B), 'E_TYPE', /Float32Array/],
        [() => backend.backward(X, new Float64Array(X.length) as unknown as Float32Array, A, B), 'E_TYPE', /Float32Array\.from\(dy\)/],
        [() => (backend.backward as (x: Float32Array) => Promise<unknown>)(X), 'E_TYPE', /dy is undefined/],
        [() => backend.backward(X, null as unknown as Float32Array, A, B), 'E_TYPE', /dy is null/],
      ];
      for (const [call, code, message] of cases) {
        let promise: Promise<unknown> | undefined;
        expect(() => {
          promise = call();
        }).not.toThrow();
        const error = await promise!.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApaluInputError);
        expect(error).toMatchObject({ code, message });
      }
      expect(t.created).toBe(0);
    } finally {
      t.restore();
    }
  });

  it('1,000 failing calls leave no GPU buffer and no error scope behind (the upload throws, or its error scope reports out of memory)', async () => {
    const device = backend.device;
    const queue = device.queue;
    expect(device.queue).toBe(queue);
    const t = track(device);
    const x = new Float32Array(4096).fill(0.5);
    const dy = new Float32Array(4096).fill(1);
    try {
      // The upload itself throws (as writeBuffer did for a SharedArrayBuffer in 0.x).
      const write = vi.spyOn(queue, 'writeBuffer').mockImplementation(() => {
        throw new TypeError('injected writeBuffer failure');
      });
      for (let i = 0; i < 500; i++) {
        await expect(i % 2 ? backend.backward(x, dy, A, B) : backend.forward(x, A, B)).rejects.toThrow(/injected writeBuffer failure/);
      }
      write.mockRestore();
      expect(t.live.size).toBe(0);
      expect(t.openScopes).toBe(0);
      // The upload's error scope reports out of memory.
      for (let i = 0; i < 500; i++) {
        t.inject.push(null, { message: 'injected allocation failure' } as GPUError); // the upload's scopes: validation, out-of-memory
        await expect(i % 2 ? backend.backward(x, dy, A, B) : backend.forward(x, A, B)).rejects.toMatchObject({ code: 'E_GPU_OOM', message: /injected allocation failure/ });
      }
      expect(t.created).toBeGreaterThanOrEqual(1000);
      expect(t.live.size).toBe(0);
      expect(t.openScopes).toBe(0);
      // And the device still works, leaving nothing behind.
      expectForward(await backend.forward(X, A, B), X, A, B);
      expect(t.live.size).toBe(0);
      expect(t.openScopes).toBe(0);
    } finally {
      t.restore();
    }
  });

  it('dispose(): calls made before it finish with their results, dispose resolves after them, later calls reject E_DISPOSED', async () => {
    const mine = await createBackend();
    const order: string[] = [];
    const x = new Float32Array(40_000).map((_, i) => (i % 200) / 10 - 10);
    const dy = new Float32Array(x.length).fill(0.5);
    const calls = [
      mine.forward(x, A, B).then((y) => (order.push('forward'), y)),
      mine.backward(x, dy, A, B).then((g) => (order.push('backward'), g)),
    ];
    const disposed = mine.dispose().then(() => order.push('dispose'));
    await expect(mine.forward(X, A, B)).rejects.toSatisfy((e: unknown) => e instanceof ApaluInputError && (e as ApaluInputError).code === 'E_DISPOSED' && /disposed.*createBackend\(\)/.test((e as Error).message));
    await expect(mine.backward(X, X, A, B)).rejects.toMatchObject({ name: 'ApaluInputError', code: 'E_DISPOSED' });
    const [y, g] = (await Promise.all(calls)) as [Float32Array, { dx: Float32Array }];
    await disposed;
    expect(order.slice().sort()).toEqual(['backward', 'dispose', 'forward']);
    expect(order[2]).toBe('dispose');
    expectForward(y, x, A, B);
    expectDx(g.dx, x, dy, A, B);
    await expect(mine.dispose()).resolves.toBeUndefined(); // twice: harmless
    // Its own device is destroyed once the calls are done.
    await expect(Promise.race([mine.device.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 5_000))])).resolves.toBe('lost');
  });

  it('dispose() on a backend over a given device leaves the device alive, and still finishes accepted calls', async () => {
    const device = await requestApaluDevice();
    try {
      const mine = await createBackend({ device });
      const pending = mine.forward(X, A, B);
      await mine.dispose();
      expectForward(await pending, X, A, B);
      await expect(mine.forward(X, A, B)).rejects.toMatchObject({ code: 'E_DISPOSED' });
      const again = await createBackend({ device });
      expectForward(await again.forward(X, A, B), X, A, B);
    } finally {
      device.destroy();
    }
  });

  it('dispose() is bounded by disposeTimeout: past it, its own device goes and calls still running settle (with their results or ApaluGpuError)', async () => {
    await expect(createBackend({ disposeTimeout: -1 })).rejects.toMatchObject({ name: 'ApaluInputError', code: 'E_OPTION', message: /disposeTimeout = -1/ });
    const mine = await createBackend({ disposeTimeout: 0 });
    const x = new Float32Array(100_000).fill(-2);
    const pending = mine.backward(x, x, Float32Array.of(1), Float32Array.of(1));
    await mine.dispose();
    await expect(Promise.race([mine.device.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 5_000))])).resolves.toBe('lost');
    const settled = await Promise.allSettled([pending]);
    if (settled[0]!.status === 'rejected') expect(settled[0]!.reason).toBeInstanceOf(ApaluGpuError);
    else expectDx(settled[0]!.value.dx.subarray(0, 10), x.subarray(0, 10), x.subarray(0, 10), Float32Array.of(1), Float32Array.of(1));
  });

  it('a call larger than the device limits is refused with E_TOO_LARGE before any buffer is created, naming x.length and the largest length', async () => {
    // maxBufferSize 8192 bytes: 2048 float32 per tensor; binding size 4096 bytes: 1024.
    const small = withLimits(backend.device, { maxBufferSize: 8192, maxStorageBufferBindingSize: 4096 });
    const mine = await createBackend({ device: small });
    const t = track(backend.device);
    try {
      await expect(mine.forward(new Float32Array(1025), Float32Array.of(1), Float32Array.of(1))).rejects.toSatisfy(
        (e: unknown) => e instanceof ApaluInputError && e.code === 'E_TOO_LARGE' && /x\.length = 1025.*largest.*1024/.test(e.message),
      );
      // With C·S = 3 the largest length is a multiple of 3.
      await expect(mine.forward(new Float32Array(1026), Float32Array.of(1, 1, 1), Float32Array.of(1, 1, 1))).rejects.toMatchObject({
        code: 'E_TOO_LARGE',
        message: /x\.length = 1026.*largest.*1023/,
      });
      await expect(mine.backward(new Float32Array(2000), new Float32Array(2000), Float32Array.of(1), Float32Array.of(1))).rejects.toMatchObject({
        code: 'E_TOO_LARGE',
        message: /x\.length = 2000.*largest.*1024/,
      });
      // 100 channels: the partial sums alone need 48 bytes per channel (4800 > 4096), so no backward of 100 channels fits.
      const c100 = new Float32Array(100).fill(1);
      await expect(mine.backward(new Float32Array(200), new Float32Array(200), c100, c100)).rejects.toMatchObject({
        code: 'E_TOO_LARGE',
        message: /x\.length = 200.*partial sums.*4800 bytes.*4096/,
      });
      expect(t.created).toBe(0);
      expect(t.openScopes).toBe(0);
    } finally {
      t.restore();
    }
    // Up to the limit the same backend runs (forward of 100 channels fits: only the backward's partial sums are large).
    const x = new Float32Array(1024).map((_, i) => (i % 64) / 4 - 8);
    expectForward(await mine.forward(x, Float32Array.of(1.5), Float32Array.of(0.5)), x, Float32Array.of(1.5), Float32Array.of(0.5));
    const { dx } = await mine.backward(x, x, Float32Array.of(1.5), Float32Array.of(0.5));
    expectDx(dx, x, x, Float32Array.of(1.5), Float32Array.of(0.5));
    expect(getRunner(small)).toBe(mine.runner);
    await mine.dispose();
  });

  it('device loss is still ApaluGpuError E_DEVICE_LOST (an environment failure, not E_DISPOSED)', async () => {
    const device = await requestApaluDevice();
    const mine = await createBackend({ device });
    device.destroy();
    await device.lost;
    await Promise.resolve();
    await expect(mine.forward(X, A, B)).rejects.toSatisfy((e: unknown) => e instanceof ApaluGpuError && e.code === 'E_DEVICE_LOST');
    await mine.dispose();
    await expect(mine.forward(X, A, B)).rejects.toMatchObject({ name: 'ApaluInputError', code: 'E_DISPOSED' });
  });
});
