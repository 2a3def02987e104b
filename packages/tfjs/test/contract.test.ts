import { apalu as apalu64, apaluGrad, ApaluInputError } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/node.js';
import { tf, use } from './tf.js';

// The call contract of @apalu/core's SPEC.md, points 3 (inputs read when the call is made) and 7 (no global state changed).
const X = Float32Array.of(-2, -0.5, 0, 0.5, 2, 7);
const A = Float32Array.of(0.75);
const B = Float32Array.of(1.25);
const DY = Float32Array.of(1, -1, 0.5, 2, -0.25, 3);

const expected = {
  y: Array.from(X, (v) => Math.fround(apalu64(v, 0.75, 1.25))),
  dx: Array.from(X, (v, i) => Math.fround((DY[i] as number) * apaluGrad(v, 0.75, 1.25).dx)),
};
const close = (got: ArrayLike<number>, want: number[]) => Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 5));

describe.each([
  ['cpu', 'kernel'],
  ['cpu', 'composed'],
  ['wasm', 'kernel'],
  ['wasm', 'composed'],
] as const)('tfjs-%s-%s keeps the call contract', (tfBackend, path) => {
  it('computes with x, dy, a and b as they were when the call was made', async () => {
    const backend = await createBackend({ tfBackend, path });
    const [x, a, b, dy] = [X.slice(), A.slice(), B.slice(), DY.slice()];
    const y = backend.forward(x, a, b);
    const g = backend.backward(x, dy, a, b);
    x.fill(100);
    dy.fill(-7);
    a.fill(3);
    b.fill(9);
    close(await y, expected.y);
    close((await g).dx, expected.dx);
  });

  it('computes with x and dy transferred right after the call', async () => {
    const backend = await createBackend({ tfBackend, path });
    const [x, dy] = [X.slice(), DY.slice()];
    const y = backend.forward(x, A, B);
    const g = backend.backward(x, dy, A, B);
    structuredClone([x.buffer, dy.buffer], { transfer: [x.buffer, dy.buffer] });
    expect(x.length).toBe(0);
    close(await y, expected.y);
    close((await g).dx, expected.dx);
  });

  it('rejects detached, out-of-bounds, Float64Array and missing inputs with ApaluInputError codes (points 1, 2)', async () => {
    const backend = await createBackend({ tfBackend, path });
    const detached = X.slice();
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    // A resizable ArrayBuffer (ES2024; the package's lib is older).
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
    const resizable = new Resizable(24, { maxByteLength: 64 });
    const shrunk = new Float32Array(resizable, 0, 6);
    resizable.resize(8);
    const cases: [string, () => Promise<unknown>, string][] = [
      ['detached x', () => backend.forward(detached, A, B), 'E_DETACHED'],
      ['detached x (backward)', () => backend.backward(detached, DY, A, B), 'E_DETACHED'],
      ['out-of-bounds x', () => backend.forward(shrunk, A, B), 'E_DETACHED'],
      ['Float64Array x', () => backend.forward(Float64Array.from(X) as never, A, B), 'E_TYPE'],
      ['Float64Array dy', () => backend.backward(X, Float64Array.from(DY) as never, A, B), 'E_TYPE'],
      ['missing dy', () => (backend.backward as (...args: unknown[]) => Promise<unknown>)(X), 'E_TYPE'],
      ['undefined dy', () => backend.backward(X, undefined as never, A, B), 'E_TYPE'],
    ];
    for (const [what, call, code] of cases) {
      const result = call();
      await expect(result, what).rejects.toBeInstanceOf(ApaluInputError);
      await expect(result, what).rejects.toMatchObject({ code });
    }
  });

  it("leaves tf.getBackend() as it was (also for calls made together)", async () => {
    const other = tfBackend === 'cpu' ? 'wasm' : 'cpu';
    await use(other);
    const backend = await createBackend({ tfBackend, path });
    expect(tf.getBackend()).toBe(other);
    const y = backend.forward(X, A, B);
    expect(tf.getBackend()).toBe(other);
    await y;
    expect(tf.getBackend()).toBe(other);
    const cpu = await createBackend({ tfBackend: 'cpu', path });
    const wasm = await createBackend({ tfBackend: 'wasm', path });
    const all = await Promise.all([backend.backward(X, DY, A, B), cpu.forward(X, A, B), wasm.backward(X, DY, A, B), backend.forward(X, A, B)]);
    expect(tf.getBackend()).toBe(other);
    close((all[0] as { dx: Float32Array }).dx, expected.dx);
    close(all[1] as Float32Array, expected.y);
    close((all[2] as { dx: Float32Array }).dx, expected.dx);
    close(all[3] as Float32Array, expected.y);
    // A rejected call leaves it too.
    await expect(backend.forward(Float32Array.of(1, 2), Float32Array.of(1, 1, 1), Float32Array.of(1, 1, 1))).rejects.toThrow(ApaluInputError);
    expect(tf.getBackend()).toBe(other);
  });
});
