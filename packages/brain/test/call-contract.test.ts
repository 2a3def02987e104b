import { ApaluInputError } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';

// The call contract (section 7 of the SPEC.md shipped in @apalu/core), points 1-3; the
// backend holds no resources and has no dispose() (point 6 does not apply).
const A = Float32Array.from([1.5, 0.75]);
const B = Float32Array.from([0.5, 2]);

function detached(): Float32Array {
  const x = new Float32Array(4);
  structuredClone(x.buffer, { transfer: [x.buffer] });
  return x;
}

function outOfBounds(): Float32Array {
  // A resizable ArrayBuffer (ES2024; Node 20 has it, this package's lib setting does not).
  const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
  const buffer = new Resizable(16, { maxByteLength: 16 });
  const x = new Float32Array(buffer, 0, 4);
  buffer.resize(8);
  return x;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(ApaluInputError);
    return (error as ApaluInputError).code;
  }
  return 'resolved';
}

describe('brain backend: call contract', () => {
  it('1. x and dy must be Float32Array; a missing dy is E_TYPE', async () => {
    const be = await createBackend();
    const x64 = Float64Array.from([1, -1]);
    const x = Float32Array.from([1, -1]);
    expect(await code(be.forward(x64 as unknown as Float32Array, A, B))).toBe('E_TYPE');
    expect(await code(be.forward([1, -1] as unknown as Float32Array, A, B))).toBe('E_TYPE');
    expect(await code(be.backward(x, x64 as unknown as Float32Array, A, B))).toBe('E_TYPE');
    expect(await code(be.backward(x, undefined as unknown as Float32Array, A, B))).toBe('E_TYPE');
    expect(await code((be.backward as unknown as (x: Float32Array) => Promise<unknown>)(x))).toBe('E_TYPE');
    // a and b may be Float64Array or number[]; results are fresh Float32Arrays.
    const y = await be.forward(x, [1.5, 0.75] as unknown as Float32Array, Float64Array.from([0.5, 2]) as unknown as Float32Array);
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual(Array.from(await be.forward(x, A, B)));
  });

  it('1. a rejected call is a rejected promise, never a synchronous throw', async () => {
    const be = await createBackend();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = be.forward(undefined as unknown as Float32Array, A, B);
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(ApaluInputError);
  });

  it('2. detached or out-of-bounds x, dy, a, b are E_DETACHED (not an empty result)', async () => {
    const be = await createBackend();
    const x = Float32Array.from([1, -1, 2, -2]);
    expect(await code(be.forward(detached(), A, B))).toBe('E_DETACHED');
    expect(await code(be.forward(outOfBounds(), A, B))).toBe('E_DETACHED');
    expect(await code(be.backward(x, detached(), A, B))).toBe('E_DETACHED');
    expect(await code(be.backward(x, outOfBounds(), A, B))).toBe('E_DETACHED');
    const a = Float32Array.from([1, 1]);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(await code(be.forward(x, a, B))).toBe('E_DETACHED');
    const b = Float32Array.from([1, 1]);
    structuredClone(b.buffer, { transfer: [b.buffer] });
    expect(await code(be.backward(x, x, A, b))).toBe('E_DETACHED');
  });

  it('3. inputs are read when the call is made: writing or transferring them afterwards changes nothing', async () => {
    const be = await createBackend();
    const values = [-3, -0.5, 0.25, 4, 1e-3, -7];
    const expectedY = await be.forward(Float32Array.from(values), A, B);
    const expectedG = await be.backward(Float32Array.from(values), Float32Array.from(values, (v) => v / 2), A, B);

    const x = Float32Array.from(values);
    const a = Float32Array.from(A);
    const b = Float32Array.from(B);
    const pending = be.forward(x, a, b);
    x.fill(100);
    a.fill(9);
    b.fill(9);
    expect(Array.from(await pending)).toEqual(Array.from(expectedY));

    const x2 = Float32Array.from(values);
    const dy2 = Float32Array.from(values, (v) => v / 2);
    const pendingG = be.backward(x2, dy2, A, B);
    structuredClone(x2.buffer, { transfer: [x2.buffer] });
    structuredClone(dy2.buffer, { transfer: [dy2.buffer] });
    const g = await pendingG;
    expect(Array.from(g.dx)).toEqual(Array.from(expectedG.dx));
    expect(Array.from(g.da)).toEqual(Array.from(expectedG.da));
    expect(Array.from(g.db)).toEqual(Array.from(expectedG.db));
  });

  it('1. SharedArrayBuffer-backed and subarray views are accepted', async () => {
    const be = await createBackend();
    const shared = new Float32Array(new SharedArrayBuffer(4 * 6));
    shared.set([0, 1, -1, 2, -2, 3]);
    const plain = Float32Array.from(shared.subarray(2));
    expect(Array.from(await be.forward(shared.subarray(2), A, B))).toEqual(Array.from(await be.forward(plain, A, B)));
  });
});
