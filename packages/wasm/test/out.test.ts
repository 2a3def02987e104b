// Caller-given outputs (forward's `out`, backward's `out: { dx, da, db }`) and the block streaming of the array calls:
// values against the float64 reference and bit for bit against the whole-tensor kernels (forwardAt/backwardAt), in place,
// every thread count, and the rejections (nothing written).
import { ApaluInputError, apalu } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { describe, expect, it } from 'vitest';
import { type WasmBackend } from '../src/index.js';
import { backendMaker, checkBackward, uniform } from './helpers.js';

const make = backendMaker();
const bits = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);

/** forward and backward of the whole tensor in one kernel call (today's computation): the pointer API on a backend of its own. */
async function whole(backend: WasmBackend, x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, S: number) {
  const n = x.length;
  const C = a.length;
  const c4 = Math.ceil((4 * C) / 64) * 64;
  const at = { a: 0, b: c4, da: 2 * c4, db: 3 * c4, scratch: 4 * c4 };
  const xPtr = at.scratch + Math.ceil(backend.scratchBytes(C) / 64) * 64;
  const dyPtr = xPtr + 4 * n;
  const outPtr = dyPtr + 4 * n;
  backend.reserve(outPtr + 4 * n);
  const heap = () => new Float32Array(backend.memory.buffer);
  heap().set(a, at.a / 4);
  heap().set(b, at.b / 4);
  heap().set(x, xPtr / 4);
  heap().set(dy, dyPtr / 4);
  await backend.forwardAt(xPtr, outPtr, n, at.a, at.b, C, S);
  const f = heap().slice(outPtr / 4, outPtr / 4 + n);
  await backend.backwardAt(xPtr, dyPtr, outPtr, at.da, at.db, n, at.a, at.b, C, S, at.scratch);
  return { f, dx: heap().slice(outPtr / 4, outPtr / 4 + n), da: heap().slice(at.da / 4, at.da / 4 + C), db: heap().slice(at.db / 4, at.db / 4 + C) };
}

function params(C: number) {
  return {
    a: Float32Array.from({ length: C }, (_, c) => 0.1 + (c % 40) / 40),
    b: Float32Array.from({ length: C }, (_, c) => 1.9 - (c % 40) / 40),
  };
}

// Layouts: one channel; channels-last rows; channels-first with small S (blocked and gathered
// loops), with S longer than a block (runs cut by blocks), and odd lengths (the last block short).
const layouts = [
  { C: 1, S: 1, n: 5000 + 3 },
  { C: 64, S: 1, n: 64 * 300 },
  { C: 8, S: 16, n: 8 * 16 * 40 },
  { C: 4, S: 9, n: 4 * 9 * 150 },
  { C: 3, S: 1000, n: 3 * 1000 * 3 },
  { C: 5, S: 7, n: 5 * 7 * 131 },
];

describe('streamed calls in blocks: the same bits as one kernel call over the whole tensor', () => {
  it.each(layouts)('C = $C, S = $S, n = $n: forward and dx bit-identical; da, db the same bits on 1, 2 and 3 threads, within the strict class', async ({ C, S, n }) => {
    const { a, b } = params(C);
    const x = uniform(n, 3 + C, 24);
    const dy = uniform(n, 5 + S, 4);
    const ref = await whole(await make({}), x, dy, a, b, S);
    const sums: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      // 256-element blocks: the calls cross many block boundaries, inside rows and runs.
      const backend = await make({ threads, parallelThreshold: 0, blockElements: 256 });
      const f = await backend.forward(x, a, b, { inner: S });
      expect(bits(f), `forward, ${threads} threads`).toEqual(bits(ref.f));
      const out = new Float32Array(n);
      expect(await backend.forward(x, a, b, { inner: S, out })).toBe(out);
      expect(bits(out)).toEqual(bits(ref.f));
      const g = await backend.backward(x, dy, a, b, { inner: S });
      expect(bits(g.dx), `dx, ${threads} threads`).toEqual(bits(ref.dx));
      checkBackward(g, { x, dy, a, b, S }, true, `${threads} threads`);
      sums.push([g.da, g.db]);
    }
    for (const [da, db] of sums.slice(1)) {
      expect(bits(da as Float32Array)).toEqual(bits(sums[0]?.[0] as Float32Array));
      expect(bits(db as Float32Array)).toEqual(bits(sums[0]?.[1] as Float32Array));
    }
    // A call of one block is the whole-tensor computation, sums included.
    const oneBlock = await make({ blockElements: Math.ceil(n / 64) * 64 });
    const g1 = await oneBlock.backward(x, dy, a, b, { inner: S });
    expect([bits(g1.dx), bits(g1.da), bits(g1.db)]).toEqual([bits(ref.dx), bits(ref.da), bits(ref.db)]);
  });

  it("'fast' precision and the scalar build stream the same way", async () => {
    const C = 16;
    const n = C * 777;
    const { a, b } = params(C);
    const x = uniform(n, 9, 30);
    const dy = uniform(n, 10, 2);
    for (const options of [{ precision: 'fast' as const }, { simd: false }]) {
      const ref = await whole(await make(options), x, dy, a, b, 1);
      const backend = await make({ ...options, threads: 2, parallelThreshold: 0, blockElements: 512 });
      expect(bits(await backend.forward(x, a, b))).toEqual(bits(ref.f));
      expect(bits((await backend.backward(x, dy, a, b)).dx)).toEqual(bits(ref.dx));
    }
  });
});

describe('out: caller-given outputs', () => {
  const C = 8;
  const S = 4;
  const n = C * S * 200;
  const { a, b } = params(C);
  const fa = Array.from(a, (v) => Math.fround(v));
  const fb = Array.from(b, (v) => Math.fround(v));

  it.each([1, 2])('threads %i: forward into out, and in place (out = x), against the float64 reference and the no-out result', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0, blockElements: 1024 });
    const x = uniform(n, 21, 20);
    const fresh = await backend.forward(x, a, b, { inner: S });
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / S) % C;
      expect(ulpDistance(fresh[i] as number, Math.fround(apalu(x[i] as number, fa[c] as number, fb[c] as number)))).toBeLessThanOrEqual(2);
    }
    // out a subarray of a larger buffer (not at offset 0).
    const big = new Float32Array(n + 40).fill(7);
    const out = big.subarray(16, 16 + n);
    expect(await backend.forward(x, a, b, { inner: S, out })).toBe(out);
    expect(bits(out)).toEqual(bits(fresh));
    expect([big[15], big[16 + n]]).toEqual([7, 7]);
    const inPlace = x.slice();
    expect(await backend.forward(inPlace, a, b, { inner: S, out: inPlace })).toBe(inPlace);
    expect(bits(inPlace)).toEqual(bits(fresh));
  });

  it.each([1, 2])('threads %i: backward into out.dx/da/db; dx = dy and dx = x in place; some outputs given, others new', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0, blockElements: 1024 });
    const x = uniform(n, 31, 20);
    const dy = uniform(n, 32, 3);
    const fresh = await backend.backward(x, dy, a, b, { inner: S });
    checkBackward(fresh, { x, dy, a, b, S }, true, `threads ${threads}`);
    const out = { dx: new Float32Array(n), da: new Float32Array(C), db: new Float32Array(C) };
    const g = await backend.backward(x, dy, a, b, { inner: S, out });
    expect([g.dx, g.da, g.db]).toEqual([out.dx, out.da, out.db]);
    expect(g.dx).toBe(out.dx);
    expect([bits(g.dx), bits(g.da), bits(g.db)]).toEqual([bits(fresh.dx), bits(fresh.da), bits(fresh.db)]);
    // dx over dy, and dx over x.
    const dy2 = dy.slice();
    const overDy = await backend.backward(x, dy2, a, b, { inner: S, out: { dx: dy2 } });
    expect(overDy.dx).toBe(dy2);
    expect([bits(dy2), bits(overDy.da), bits(overDy.db)]).toEqual([bits(fresh.dx), bits(fresh.da), bits(fresh.db)]);
    const x2 = x.slice();
    const overX = await backend.backward(x2, dy, a, b, { inner: S, out: { dx: x2, db: out.db } });
    expect([overX.dx, overX.db]).toEqual([x2, out.db]);
    expect(overX.dx).toBe(x2);
    expect(overX.db).toBe(out.db);
    expect([bits(x2), bits(overX.da), bits(overX.db)]).toEqual([bits(fresh.dx), bits(fresh.da), bits(fresh.db)]);
  });

  it('a call that waits behind another reads its inputs when made, and writes out in place correctly', async () => {
    const backend = await make({ threads: 2, parallelThreshold: 0, blockElements: 512 });
    const x = uniform(n, 41, 20);
    const want = await backend.forward(x, a, b, { inner: S });
    const first = backend.forward(uniform(n, 42, 20), a, b, { inner: S });
    const inPlace = x.slice();
    const second = backend.forward(inPlace, a, b, { inner: S, out: inPlace });
    await first;
    expect(await second).toBe(inPlace);
    expect(bits(inPlace)).toEqual(bits(want));
  });
});

describe('out: rejected before anything is written', () => {
  const a = Float32Array.of(0.7, 1.1);
  const b = Float32Array.of(1.3, 0.4);
  const n = 2 * 512;

  async function refused(call: () => Promise<unknown>, code: string, message: RegExp) {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApaluInputError);
    expect([(error as ApaluInputError).code, (error as ApaluInputError).message]).toEqual([code, expect.stringMatching(message)]);
  }

  it.each([1, 2])('threads %i: type, length, detached buffer and overlaps, naming the value and the fix', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0, blockElements: 256 });
    const x = uniform(n, 51, 20);
    const dy = uniform(n, 52, 2);
    const xCopy = x.slice();
    const dyCopy = dy.slice();
    const sentinel = () => new Float32Array(n).fill(9);
    const forward = (out: unknown) => () => backend.forward(x, a, b, { out: out as Float32Array });
    const backward = (out: unknown) => () => backend.backward(x, dy, a, b, { out: out as { dx: Float32Array } });

    await refused(forward(new Float64Array(n)), 'E_TYPE', /^out is Float64Array: it must be a Float32Array of x.length.*new Float32Array\(1024\)/);
    await refused(forward([1, 2]), 'E_TYPE', /^out is Array\(2\)/);
    await refused(forward(null), 'E_TYPE', /^out is null/);
    let out = sentinel();
    await refused(forward(out.subarray(1)), 'E_LENGTH', /^out.length = 1023 but the call writes 1024 values.*Float32Array of length 1024/);
    expect(out.every((v) => v === 9)).toBe(true);
    const gone = sentinel();
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    await refused(forward(gone), 'E_DETACHED', /^out's buffer is detached/);
    // Partial overlap with x (shifted by one element), and out inside a or b.
    const shared = new Float32Array(2 * n + 1);
    shared.set(x);
    const xs = shared.subarray(0, n);
    await refused(() => backend.forward(xs, a, b, { out: shared.subarray(1, n + 1) }), 'E_OVERLAP', /^out \(bytes 4 to 4100 of its buffer\) overlaps x \(bytes 0 to 4096.*pass out = x itself \(in place\).*Allowed: forward out = x, backward dx = dy or dx = x/);
    expect(bits(xs)).toEqual(bits(xCopy));
    const params = new Float32Array(n + 2);
    params.set([0.7, 1.1], n);
    await refused(() => backend.forward(x, params.subarray(n), b, { out: params.subarray(2, n + 2) }), 'E_OVERLAP', /^out .*overlaps a .*give out an array of its own/);
    await refused(() => backend.forward(x, a, b, { out: x.subarray(0, n) as Float32Array, inner: 3 }), 'E_LAYOUT', /multiple of C·S/);

    await refused(backward(new Float32Array(n)), 'E_TYPE', /^out is Float32Array: backward takes out as an object \{ dx\?, da\?, db\? \}/);
    await refused(backward({ dx: new Float64Array(n) }), 'E_TYPE', /^out.dx is Float64Array/);
    await refused(backward({ da: new Float32Array(3) }), 'E_LENGTH', /^out.da.length = 3 but the call writes 2 values \(C, one per channel\)/);
    const both = new Float32Array(3);
    await refused(backward({ da: both.subarray(0, 2), db: both.subarray(1, 3) }), 'E_OVERLAP', /^out.da .*overlaps out.db .*or writes out.db/);
    const dxDy = new Float32Array(2 * n);
    dxDy.set(dy, 0);
    await refused(
      () => backend.backward(x, dxDy.subarray(0, n), a, b, { out: { dx: dxDy.subarray(4, n + 4) } }),
      'E_OVERLAP',
      /^out.dx \(bytes 16 to 4112.*overlaps dy.*pass out.dx = dy itself \(in place\)/,
    );
    out = sentinel();
    const da = new Float32Array(2).fill(9);
    await refused(() => backend.backward(x, dy, a, b, { out: { dx: out, da, db: x.subarray(0, 2) } }), 'E_OVERLAP', /^out.db .*overlaps x/);
    expect(out.every((v) => v === 9)).toBe(true);
    expect([...da]).toEqual([9, 9]);
    expect([bits(x), bits(dy)]).toEqual([bits(xCopy), bits(dyCopy)]);
  });
});

describe('memory use of a streamed call', () => {
  it.each([1, 2])('threads %i: a 1M-element call fits in the memory limit of 1 MiB, which it did not before', async (threads) => {
    const backend = await make({ threads, parallelThreshold: 0, maximumMemoryBytes: 1 << 20, blockElements: 4096 });
    const n = 1 << 20;
    const x = uniform(n, 61, 20);
    const dy = uniform(n, 62, 2);
    const a = Float32Array.of(0.7);
    const b = Float32Array.of(1.3);
    const f = await backend.forward(x, a, b);
    const g = await backend.backward(x, dy, a, b, { out: { dx: dy } });
    expect(backend.memory.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
    for (let i = 0; i < n; i += 997) expect(ulpDistance(f[i] as number, Math.fround(apalu(x[i] as number, Math.fround(0.7), Math.fround(1.3))))).toBeLessThanOrEqual(2);
    expect(g.dx).toBe(dy);
    expect(backend.maxLengths()).toEqual({ forward: 2 ** 31 - 1, backward: 2 ** 31 - 1 });
  });
});

describe("arrays over the backend's own memory", () => {
  it('are refused above what reserve() claimed (the blocks go there), and work inside it', async () => {
    const backend = await make({});
    const a = Float32Array.of(0.7);
    const b = Float32Array.of(1.3);
    backend.reserve(65536);
    const values = uniform(1024, 71, 20);
    // A first call grows the memory for its blocks (replacing a non-shared buffer): views come after.
    const want = await backend.forward(values, a, b);
    const x = new Float32Array(backend.memory.buffer, 0, 1024);
    x.set(values);
    expect(bits(await backend.forward(x, a, b, { out: x }))).toEqual(bits(want));
    const above = new Float32Array(backend.memory.buffer, 65536, 1024);
    await expect(backend.forward(above, a, b)).rejects.toThrow(/^x views the backend's own memory \(bytes 65536 to 69632\) above the 65536 bytes claimed with reserve\(\).*backend.reserve\(69632\)/);
    await expect(backend.forward(x, a, b, { out: above })).rejects.toThrow(/^out views the backend's own memory/);
  });
});
