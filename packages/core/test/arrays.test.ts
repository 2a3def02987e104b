import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApaluInputError, apalu, apaluGrad, backward, createBackend, forward, float32Params, validateParams } from '../src/index.js';
import { exactF, exactSums } from './high-precision.js';

function ulp32(got: number, want: number): number {
  const f = new Float32Array([got, want]);
  const i = new Int32Array(f.buffer);
  const ord = (b: number) => (b < 0 ? -(b & 0x7fffffff) : b);
  return Math.abs(ord(i[0]!) - ord(i[1]!));
}

describe('forward', () => {
  it('float32 results are the correctly rounded exact value (≤ 1 ULP), on both sides of 0', () => {
    const x = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) / 50);
    x.set([-1e-7, -1e-30, -1e-44, 3e-39, 88.7, 3.4e38], 0);
    const out = forward(x, [0.8], [1.3]);
    for (let i = 0; i < x.length; i++) expect(ulp32(out[i]!, Math.fround(exactF(x[i]!, Math.fround(0.8), Math.fround(1.3)))), `x=${x[i]}`).toBeLessThanOrEqual(1);
  });

  it('maps channels as floor(i / S) mod C for channels-last and channels-first data', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 4 }), (C, S, m) => {
        const n = C * S * m;
        const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
        const a = Float64Array.from({ length: C }, (_, c) => 0.5 + c);
        const b = Float64Array.from({ length: C }, (_, c) => 2 - c / 4);
        const out = forward(x, a, b, { inner: S });
        // Channels-first NCHW-style walk: batch, channel, then the inner positions.
        let i = 0;
        for (let batch = 0; batch < m; batch++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++, i++) expect(out[i]).toBe(apalu(x[i]!, a[c]!, b[c]!));
      }),
    );
  });

  it('keeps the input type and honours `out`, including in place', () => {
    const x = Float64Array.of(-1, 0, 1);
    expect(forward(x, [1], [1])).toBeInstanceOf(Float64Array);
    const out = new Float64Array(3);
    expect(forward(x, [1], [1], { out })).toBe(out);
    expect(out[2]).toBe(apalu(1, 1, 1));
    forward(x, [1], [1], { out: x });
    expect(x[0]).toBe(apalu(-1, 1, 1));
  });
});

describe('backward', () => {
  it('dx = dy·∂f/∂x, and da, db are the exact sums rounded (compensated summation)', () => {
    const n = 4000;
    const x = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 1000 - 15);
    const dy = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3));
    const { dx, da, db } = backward(x, dy, [0.7], [1.1]);
    for (let i = 0; i < n; i += 97) expect(dx[i]).toBe(dy[i]! * apaluGrad(x[i]!, 0.7, 1.1).dx);
    const want = exactSums(x, dy);
    // Each term carries a couple of float64 roundings; the summation adds almost nothing on top.
    expect(Math.abs(da[0]! - want.da)).toBeLessThanOrEqual(4 * Number.EPSILON * want.scaleA);
    expect(Math.abs(db[0]! - want.db)).toBeLessThanOrEqual(4 * Number.EPSILON * want.scaleB);
  });

  it('sums per channel over the right elements (C = 3, S = 2)', () => {
    const x = Float32Array.of(1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6);
    const dy = new Float32Array(12).fill(1);
    const { da, db } = backward(x, dy, [1, 1, 1], [1, 1, 1], { inner: 2 });
    const g = (v: number) => apaluGrad(v, 1, 1);
    expect(da[0]).toBeCloseTo(g(1).da + g(4).da, 5);
    expect(db[1]).toBeCloseTo(g(-2).db + g(-5).db, 5);
    expect(da).toBeInstanceOf(Float32Array);
  });

  it('propagates NaN inputs into da and db instead of dropping them', () => {
    const { dx, da, db } = backward(Float64Array.of(1, Number.NaN), Float64Array.of(1, 1), [1], [1]);
    expect(dx[1]).toBeNaN();
    expect(da[0]).toBeNaN();
    expect(db[0]).toBeNaN();
  });
});

describe('validation: clear errors before anything is written', () => {
  const x = Float32Array.of(1, 2, 3, 4, 5, 6);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a = 0', () => forward(x, [0], [1]), /a\[0\] = 0: .*> 0/],
    ['b negative in channel 1', () => forward(x, [1, 1], [1, -2]), /b\[1\] = -2/],
    ['a = NaN', () => backward(x, x, [Number.NaN], [1]), /a\[0\] = NaN/],
    ['b = ∞', () => forward(x, [1], [Number.POSITIVE_INFINITY]), /b\[0\] = Infinity/],
    ['no channels', () => forward(x, [], []), /a\.length = 0/],
    ['channel mismatch', () => forward(x, [1, 1], [1]), /a\.length = 2 but b\.length = 1/],
    ['layout', () => forward(x, [1, 1, 1, 1], [1, 1, 1, 1]), /x\.length = 6 is not a multiple of C·S = 4·1 = 4/],
    ['inner = 0', () => forward(x, [1], [1], { inner: 0 }), /inner = 0/],
    ['inner = 2.5', () => forward(x, [1], [1], { inner: 2.5 }), /inner = 2.5/],
    ['x a plain array', () => forward([1, 2] as unknown as Float32Array, [1], [1]), /x must be a Float32Array or Float64Array, got Array\(2\)/],
    ['x an Int32Array', () => forward(new Int32Array(2) as unknown as Float32Array, [1], [1]), /got Int32Array/],
    ['dy too short', () => backward(x, x.subarray(1), [1], [1]), /dy\.length = 5 but x\.length = 6/],
    ['out of another type', () => forward(x, [1], [1], { out: new Float64Array(6) as unknown as Float32Array }), /out is a Float64Array\(6\)/],
    ['out of another length', () => forward(x, [1], [1], { out: new Float32Array(5) }), /out is a Float32Array\(5\) but x is a Float32Array\(6\)/],
    // Array-likes whose length is not a whole number ≥ 0 would skip the per-element checks.
    ['a, b with length −1', () => forward(Float32Array.of(1, 2), { length: -1 }, { length: -1 }), /a\.length = -1: a must be an array/],
    ['b with length 1.5', () => backward(x, x, [1], { length: 1.5, 0: 1 }), /b\.length = 1\.5/],
    ['a with length NaN', () => forward(x, { length: Number.NaN }, [1]), /a\.length = NaN/],
    ['a with length ∞', () => forward(x, { length: Number.POSITIVE_INFINITY }, [1]), /a\.length = Infinity/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(ApaluInputError);
      expect(call).toThrow(message);
    });
  }
  it('an out of another type is E_TYPE, of another length E_LENGTH (the codes of every backend\'s caller-owned outputs)', () => {
    expect(() => forward(x, [1], [1], { out: new Float64Array(6) as unknown as Float32Array })).toThrow(expect.objectContaining({ code: 'E_TYPE' }));
    expect(() => forward(x, [1], [1], { out: new Float32Array(7) })).toThrow(expect.objectContaining({ code: 'E_LENGTH' }));
  });
  it('validateParams accepts array-likes with a whole length (and returns C)', () => {
    expect(validateParams({ length: 2, 0: 1, 1: 0.5 }, Float32Array.of(1, 2))).toBe(2);
    expect(() => validateParams({ length: -1 }, { length: -1 })).toThrow(ApaluInputError);
    expect(() => validateParams({ length: -1 }, { length: -1 })).toThrow(expect.objectContaining({ code: 'E_TYPE' }));
  });
  it('leaves `out` untouched when it rejects', () => {
    const out = new Float32Array(6).fill(7);
    expect(() => forward(x, [1], [-1], { out })).toThrow(ApaluInputError);
    expect([...out]).toEqual([7, 7, 7, 7, 7, 7]);
  });
});

describe('createBackend', () => {
  it('is the strict reference over the float32 array kernels', async () => {
    const backend = await createBackend();
    expect(backend.accuracy).toBe('strict');
    const x = Float32Array.of(-2, 0, 2, -1, 1, 3);
    const out = await backend.forward(x, Float32Array.of(1, 2), Float32Array.of(1, 0.5), { inner: 3 });
    expect(out[4]).toBe(Math.fround(apalu(Math.fround(1), 2, 0.5)));
    await expect(backend.forward(x, Float32Array.of(-1), Float32Array.of(1))).rejects.toThrow(/a\[0\] = -1/);
  });
});

describe('float32Params', () => {
  it('returns fresh float32 copies and refuses values that round to 0 or ∞, naming both', () => {
    const a = [0.5, 1.25];
    const r = float32Params(a, Float64Array.of(2, 3));
    expect(r.channels).toBe(2);
    expect(r.a).toBeInstanceOf(Float32Array);
    expect(Array.from(r.a)).toEqual([0.5, 1.25]);
    const given = Float32Array.of(1);
    expect(float32Params(given, given).a).not.toBe(given);
    expect(() => float32Params([1e-50], [1])).toThrow(/a\[0\] = 1e-50 is 0 in float32 \(so a\[0\] = 0 where it is computed\)/);
    expect(() => float32Params([1], [1e39])).toThrow(/b\[0\] = 1e\+39 is Infinity in float32/);
    expect(() => float32Params([-1], [1])).toThrow(/a\[0\] = -1: APALU needs/);
  });
});
