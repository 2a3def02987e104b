import { describe, expect, it } from 'vitest';
import { ApaluInputError, apalu, createBackend, unreadable, validateBackwardCall, validateCall, validateForwardCall } from '../src/index.js';

const one = new Float32Array([1]);

function transferred(n: number): Float32Array {
  const x = new Float32Array(n).fill(0.5);
  structuredClone(x.buffer, { transfer: [x.buffer] });
  return x;
}

/** Resizable ArrayBuffers (ES2024): typed here because the package compiles against ES2022's lib. */
const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };

function shrunk(): Float32Array {
  const buffer = new Resizable(16, { maxByteLength: 32 });
  const x = new Float32Array(buffer, 0, 4);
  buffer.resize(8);
  return x;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApaluInputError);
    return (error as ApaluInputError).code;
  }
  return undefined;
}

describe('call contract checks', () => {
  it('tells live, detached and out-of-bounds views apart (all of them read as length 0 when dead)', () => {
    expect(unreadable(new Float32Array(0))).toBeUndefined();
    expect(unreadable(new Float32Array(new Resizable(0, { maxByteLength: 8 })))).toBeUndefined();
    expect(unreadable(transferred(4))).toBe('detached');
    expect(unreadable(shrunk())).toBe('out of bounds');
    expect(unreadable(new DataView(new ArrayBuffer(4)))).toBeUndefined();
  });

  it('rejects a detached or out-of-bounds x, dy, a or b with E_DETACHED before anything else', () => {
    const live = new Float32Array([0.5, -0.5]);
    expect(codeOf(() => validateForwardCall(transferred(2), one, one))).toBe('E_DETACHED');
    expect(codeOf(() => validateForwardCall(shrunk(), one, one))).toBe('E_DETACHED');
    expect(codeOf(() => validateBackwardCall(live, transferred(2), one, one))).toBe('E_DETACHED');
    expect(codeOf(() => validateForwardCall(live, transferred(1), one))).toBe('E_DETACHED');
    expect(codeOf(() => validateCall(live, one, transferred(1), undefined))).toBe('E_DETACHED');
  });

  it('takes only Float32Array x and dy in backend calls, and names a missing dy', () => {
    const x = new Float32Array([1, 2]);
    expect(codeOf(() => validateForwardCall(new Float64Array(2), one, one))).toBe('E_TYPE');
    expect(codeOf(() => validateForwardCall([1, 2], one, one))).toBe('E_TYPE');
    expect(codeOf(() => validateBackwardCall(x, undefined, one, one))).toBe('E_TYPE');
    expect(() => validateBackwardCall(x, undefined, one, one)).toThrow(/dy is undefined/);
    expect(codeOf(() => validateBackwardCall(x, new Float64Array(2), one, one))).toBe('E_TYPE');
    // a and b may be any array of numbers (rounded by the backends that compute in float32).
    expect(validateForwardCall(x, [1], new Float64Array([2]))).toEqual({ channels: 1, inner: 1 });
  });

  it('the reference backend keeps the contract: float32 results, inputs read when the call is made', async () => {
    const backend = await createBackend();
    const x = new Float32Array([0.5, -0.5]);
    const pending = backend.forward(x, one, one);
    x.fill(7);
    const y = await pending;
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([Math.fround(apalu(0.5, 1, 1)), Math.fround(apalu(-0.5, 1, 1))]);
    await expect(backend.forward(new Float64Array(2) as unknown as Float32Array, one, one)).rejects.toMatchObject({ code: 'E_TYPE' });
    await expect(backend.backward(x, undefined as unknown as Float32Array, one, one)).rejects.toMatchObject({ code: 'E_TYPE' });
    await expect(backend.forward(transferred(2), one, one)).rejects.toMatchObject({ code: 'E_DETACHED' });
  });
});
