import { apalu as apalu64, apaluGrad, ApaluInputError, backward as coreBackward, forward as coreForward, splitmix32 } from '@apalu/core';
import { describe, expect, it, vi } from 'vitest';
import { apalu, apaluComposed, cpuKernelEngine, cpuKernelMemoryBytes, paramLayout, probeWasmBackend, setCpuKernelEngine } from '../src/node.js';
import { createBackend as createWasmBackend } from '@apalu/wasm';
import { cpuBackward, cpuForward, setCpuEngineLimits, withCpuKernelEngine } from '../src/kernels/cpu-engine.js';
import { setWasmKernelMode } from '../src/kernels/wasm.js';
import { BACKENDS, tf, use } from './tf.js';

function randomArray(n: number, seed: number, scale = 6): Float32Array {
  const next = splitmix32(seed);
  return Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * scale);
}
function positive(n: number, seed: number): Float32Array {
  const next = splitmix32(seed);
  return Float32Array.from({ length: n }, () => 0.1 + (next() / 2 ** 32) * 1.9);
}

/** Index of the parameter element that x's flat element i uses under numpy broadcasting. */
function paramIndex(i: number, xShape: number[], pShape: number[]): number {
  const aligned = [...new Array<number>(xShape.length - pShape.length).fill(1), ...pShape];
  let rest = i;
  let index = 0;
  let stride = 1;
  for (let d = xShape.length - 1; d >= 0; d--) {
    const coord = rest % (xShape[d] as number);
    rest = Math.floor(rest / (xShape[d] as number));
    if (aligned[d] !== 1) index += coord * stride;
    stride *= aligned[d] as number;
  }
  return index;
}

const ULP_LIMIT = 2;
function ulpDistance(got: number, want: number): number {
  const f = new Float32Array([got, Math.fround(want)]);
  const u = new Int32Array(f.buffer);
  const key = (v: number) => (v < 0 ? -2147483648 - v : v);
  return Math.abs(key(u[0] as number) - key(u[1] as number));
}

const shapes: { x: number[]; p: number[]; mapped: boolean }[] = [
  { x: [5, 7], p: [7], mapped: true },
  { x: [5, 7], p: [1], mapped: true },
  { x: [2, 4, 4, 3], p: [1, 1, 3], mapped: true },
  { x: [2, 4, 4, 3], p: [4, 4, 1], mapped: true },
  { x: [2, 4, 4, 3], p: [4, 4, 3], mapped: true },
  { x: [2, 4, 4, 3], p: [4, 1, 3], mapped: false },
];

describe('paramLayout', () => {
  it('maps PReLU-style parameter shapes to (C, S) and refuses non-adjacent ones', () => {
    expect(paramLayout([5, 7], [7])).toEqual({ channels: 7, inner: 1 });
    expect(paramLayout([2, 4, 4, 3], [1, 1, 3])).toEqual({ channels: 3, inner: 1 });
    expect(paramLayout([2, 4, 4, 3], [4, 4, 1])).toEqual({ channels: 16, inner: 3 });
    expect(paramLayout([2, 3, 4, 4], [3, 1, 1])).toEqual({ channels: 3, inner: 16 });
    expect(paramLayout([2, 4, 4, 3], [4, 1, 3])).toBeNull();
    expect(paramLayout([2, 1, 4, 3], [1, 4, 1])).toEqual({ channels: 4, inner: 3 });
    expect(() => paramLayout([5, 7], [6])).toThrow(/does not broadcast/);
  });
});

describe.each(BACKENDS)('apalu op on %s', (backend) => {
  it.each(shapes)('forward and gradients match the float64 reference (x $x, a $p)', async ({ x: xShape, p: pShape, mapped }) => {
    await use(backend);
    const n = xShape.reduce((s, d) => s * d, 1);
    const m = pShape.reduce((s, d) => s * d, 1);
    const xv = randomArray(n, 1);
    const dyv = randomArray(n, 2, 1);
    const av = positive(m, 3);
    const bv = positive(m, 4);
    const x = tf.tensor(xv, xShape);
    const a = tf.tensor(av, pShape);
    const b = tf.tensor(bv, pShape);
    const dy = tf.tensor(dyv, xShape);
    expect(paramLayout(xShape, pShape) !== null).toBe(mapped);
    const y = apalu(x, a, b).dataSync();
    const [dx, da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r))([x, a, b], dy).map((t) => t.dataSync());
    const wantDa = new Float64Array(m);
    const wantDb = new Float64Array(m);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const c = paramIndex(i, xShape, pShape);
      const g = apaluGrad(xv[i] as number, av[c] as number, bv[c] as number);
      const want = apalu64(xv[i] as number, av[c] as number, bv[c] as number);
      // Kernel paths are strict (≤ 2 ULP); the composed path is held to its class.
      if (mapped) worst = Math.max(worst, ulpDistance(y[i] as number, want), ulpDistance(dx![i] as number, (dyv[i] as number) * g.dx));
      else {
        expect(Math.abs((y[i] as number) - want)).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(want)));
      }
      wantDa[c]! += (dyv[i] as number) * g.da;
      wantDb[c]! += (dyv[i] as number) * g.db;
    }
    expect(worst).toBeLessThanOrEqual(ULP_LIMIT);
    const rel = mapped ? 1e-6 : 1e-4;
    for (let c = 0; c < m; c++) {
      expect(Math.abs((da![c] as number) - (wantDa[c] as number))).toBeLessThanOrEqual(rel * Math.abs(wantDa[c] as number) + 1e-30);
      expect(Math.abs((db![c] as number) - (wantDb[c] as number))).toBeLessThanOrEqual(rel * Math.abs(wantDb[c] as number) + 1e-30);
    }
    tf.dispose([x, a, b, dy]);
  });

  it('gradients match central finite differences of the loss', async () => {
    await use(backend);
    const xv = Float32Array.from([-3, -1.25, -0.3, -0.01, 0.02, 0.4, 1.1, 2.5, 4]);
    const av = Float32Array.from([0.7, 1.3, 0.9]);
    const bv = Float32Array.from([1.6, 0.4, 1.1]);
    const w = randomArray(9, 7, 1);
    // loss(x, a, b) = Σ w_i f(x_i) in float64 (core), differentiated numerically.
    const loss = (x: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < 9; i++) s += (w[i] as number) * apalu64(x[i] as number, a[i % 3] as number, b[i % 3] as number);
      return s;
    };
    const numeric = (values: Float32Array, k: number, which: 'x' | 'a' | 'b') => {
      const h = 1e-6;
      const plus = Float64Array.from(values);
      const minus = Float64Array.from(values);
      plus[k]! += h;
      minus[k]! -= h;
      const args = (v: Float64Array) => (which === 'x' ? loss(v, av, bv) : which === 'a' ? loss(xv, v, bv) : loss(xv, av, v));
      return (args(plus) - args(minus)) / (2 * h);
    };
    for (const path of ['auto', 'composed'] as const) {
      const f = (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(apalu(x, a, b, path), tf.tensor(w, [3, 3])));
      const [gx, ga, gb] = tf.grads(f)([tf.tensor(xv, [3, 3]), tf.tensor(av), tf.tensor(bv)]).map((t) => t.dataSync());
      for (let k = 0; k < 9; k++) expect(gx![k]).toBeCloseTo(numeric(xv, k, 'x'), 4);
      for (let k = 0; k < 3; k++) {
        expect(ga![k]).toBeCloseTo(numeric(av, k, 'a'), 4);
        expect(gb![k]).toBeCloseTo(numeric(bv, k, 'b'), 4);
      }
    }
  });

  it('kernel and composed paths agree within the composed tolerance', async () => {
    await use(backend);
    const x = tf.tensor(randomArray(4096, 11, 20), [64, 64]);
    const a = tf.tensor(positive(64, 12));
    const b = tf.tensor(positive(64, 13));
    const k = apalu(x, a, b, 'kernel').dataSync();
    const c = apaluComposed(x, a, b).dataSync();
    for (let i = 0; i < k.length; i++) expect(Math.abs((k[i] as number) - (c[i] as number))).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(k[i] as number)));
    tf.dispose([x, a, b]);
  });

  it("precision 'fast' stays within the composed class, forward and fused gradient", async () => {
    await use(backend);
    const x = tf.tensor(randomArray(64 * 97, 41, 20), [97, 64]);
    const a = tf.tensor(positive(64, 42));
    const b = tf.tensor(positive(64, 43));
    const dy = tf.tensor(randomArray(64 * 97, 44, 2), [97, 64]);
    const run = (precision: 'strict' | 'fast') => [
      apalu(x, a, b, { precision }),
      ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, { path: 'kernel', precision }))([x, a, b], dy),
    ].map((t) => t.dataSync() as Float32Array);
    const [y, dx, da, db] = run('fast') as [Float32Array, Float32Array, Float32Array, Float32Array];
    const [yStrict, dxStrict] = run('strict') as [Float32Array, Float32Array];
    const xs = x.dataSync();
    const [av, bv, g] = [a.dataSync(), b.dataSync(), dy.dataSync()];
    let differs = 0;
    // Per channel: Σ da terms, Σ|da terms|, Σ db terms, Σ|db terms|.
    const sums = [new Float64Array(64), new Float64Array(64), new Float64Array(64), new Float64Array(64)];
    const add = (k: number, c: number, v: number) => {
      const row = sums[k] as Float64Array;
      row[c] = (row[c] as number) + v;
    };
    for (let i = 0; i < xs.length; i++) {
      const c = i % 64;
      const ref = apaluGrad(xs[i] as number, av[c] as number, bv[c] as number);
      const want = Math.fround(apalu64(xs[i] as number, av[c] as number, bv[c] as number));
      const wantDx = Math.fround((g[i] as number) * ref.dx);
      expect(Math.abs((y[i] as number) - want)).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(want)));
      expect(Math.abs((dx[i] as number) - wantDx)).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(wantDx)));
      if (y[i] !== yStrict[i] || dx[i] !== dxStrict[i]) differs++;
      add(0, c, (g[i] as number) * ref.da);
      add(1, c, Math.abs((g[i] as number) * ref.da));
      add(2, c, (g[i] as number) * ref.db);
      add(3, c, Math.abs((g[i] as number) * ref.db));
    }
    for (let c = 0; c < 64; c++) {
      const [sa, saAbs, sb, sbAbs] = sums.map((row) => row[c] as number) as [number, number, number, number];
      expect(Math.abs((da[c] as number) - sa)).toBeLessThanOrEqual(1e-4 * saAbs);
      expect(Math.abs((db[c] as number) - sb)).toBeLessThanOrEqual(1e-4 * sbAbs);
    }
    // Both kernels compute with @apalu/wasm (cpu: its default engine), whose 'fast' loops differ.
    expect(differs).toBeGreaterThan(xs.length / 10);
    expect(() => apalu(x, a, b, { precision: 'half' as never })).toThrow(/precision = "half"/);
    expect(() => apalu(x, a, b, { path: 'fused' as never })).toThrow(/path = "fused": use 'auto', 'kernel' or 'composed'/);
    tf.dispose([x, a, b, dy]);
  });

  it('rejects non-float dtypes and mismatched parameters with a named error', async () => {
    await use(backend);
    const x = tf.tensor([1, 2, 3], [3], 'int32');
    expect(() => apalu(x, [1], [1])).toThrow(ApaluInputError);
    expect(() => apalu(x, [1], [1])).toThrow(/x has dtype int32.*tf\.cast/);
    expect(() => apalu([1, 2, 3], [1, 1], [1])).toThrow(/a has shape \[2\] but b has shape \[1\]/);
    expect(() => apalu([[1, 2, 3]], [1, 1], [1, 1])).toThrow(/does not broadcast/);
    expect(() => apalu(tf.zeros([2, 4, 4, 3]), tf.ones([4, 1, 3]), tf.ones([4, 1, 3]), 'kernel')).toThrow(/no \(C, S\) layout/);
    // The composed path checks a and b as the kernels do (here: forced, and a shape the kernels cannot take).
    expect(() => apalu([1, -1], [-1], [1], 'composed')).toThrow(/a\[0\] = -1/);
    expect(() => apalu(tf.zeros([2, 4, 4, 3]), tf.ones([4, 1, 3]), tf.fill([4, 1, 3], Number.NaN))).toThrow(/b\[0\] = NaN/);
  });

  it('frees everything it allocates (forward, fused gradient, rejected calls)', async () => {
    await use(backend);
    const x = tf.tensor(randomArray(600, 31), [100, 6]);
    const a = tf.tensor(positive(6, 32));
    const b = tf.tensor(positive(6, 33));
    const bad = tf.tensor([1, 1, 1, 1, 1, -1]);
    apalu(x, a, b).dispose();
    const before = tf.engine().backend.numDataIds();
    tf.dispose(tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r))([x, a, b]));
    tf.dispose(apalu(x, a, b));
    expect(() => apalu(x, bad, b)).toThrow(/a\[5\] = -1/);
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, a, b, bad]);
  });

  it('disposes the tensors it makes from array inputs, also when it throws', async () => {
    await use(backend);
    const x = tf.tensor2d([[-1, 0, 2]]);
    const before = tf.memory().numTensors;
    const y = apalu(x, [1, 1, 1], [0.5, 0.5, 0.5]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(() => apalu([1, 2, 3], [1, 1], [1])).toThrow(/a has shape/);
    expect(tf.memory().numTensors).toBe(before + 1);
    // The result keeps x's rank in its type, like tf.prelu.
    const typed: tf.Tensor2D = apalu(x, [1, 1, 1], [1, 1, 1]);
    expect(typed.rank).toBe(2);
    tf.dispose([x, y, typed]);
  });

  it('returns an empty tensor for empty input, after checking a and b', async () => {
    await use(backend);
    const y = apalu(tf.zeros([0, 3]), [1, 1, 1], [1, 1, 1]);
    expect(y.shape).toEqual([0, 3]);
    expect(() => apalu(tf.zeros([0, 3]), [-1, 1, 1], [1, 1, 1])).toThrow(/a\[0\] = -1/);
    expect(() => apalu(tf.zeros([2, 0]), tf.zeros([0]), tf.zeros([0]))).toThrow(/a and b are empty/);
  });

  it("computes on float32 tensors cast from int32 or bool, with either cpu engine", async () => {
    await use(backend);
    const ints = tf.tensor([1, -2, 3, 0], [2, 2], 'int32');
    const mask = tf.tensor([true, false, true, true], [2, 2], 'bool');
    for (const engine of ['js', 'wasm'] as const) {
      for (const source of [ints, mask]) {
        const x = tf.cast(source, 'float32');
        const values = Array.from(x.dataSync());
        const want = values.map((v, i) => Math.fround(apalu64(v, [1, 2][i % 2] as number, [1, 2][i % 2] as number)));
        const got = withCpuKernelEngine(engine, () => apalu(x, [1, 2], [1, 2], 'kernel'));
        const g = withCpuKernelEngine(engine, () => tf.grad((t: tf.Tensor) => apalu(t, [1, 2], [1, 2], 'kernel'))(x));
        expect(Array.from(got.dataSync()).map((v, i) => Math.abs(v - (want[i] as number)) <= 2 * 2 ** -23 * Math.abs(want[i] as number))).toEqual(values.map(() => true));
        expect(g.dataSync().every(Number.isFinite)).toBe(true);
        tf.dispose([x, got, g]);
      }
    }
    tf.dispose([ints, mask]);
  });
});

describe('wasm kernel memory route', () => {
  it('runs zero-copy in tfjs-backend-wasm 4.22.0 memory (fails if the internals it reads move)', async () => {
    await use('wasm');
    const backend = tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } }; dataIdMap: { get(id: object): { memoryOffset: number } } };
    expect(backend.wasm.asm.memory).toBeInstanceOf(WebAssembly.Memory);
    const t = tf.tensor([0.25, -4, 1e-8]);
    const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
    expect(Array.from(new Float32Array(backend.wasm.asm.memory.buffer, offset, 3))).toEqual(Array.from(t.dataSync()));
    expect(probeWasmBackend(backend)).toBe('zero-copy');
  });

  it('falls back to copying when the internals are not where 4.22.0 keeps them: same bits as zero-copy', async () => {
    await use('wasm');
    expect(probeWasmBackend({ readSync: () => new Float32Array(4) })).toBe('copy');
    expect(probeWasmBackend({ wasm: { asm: {} }, dataIdMap: new Map() })).toBe('copy');
    const x = tf.tensor(randomArray(3 * 1000, 21), [1000, 3]);
    const a = tf.tensor(positive(3, 22));
    const b = tf.tensor(positive(3, 23));
    const dy = tf.tensor(randomArray(3000, 24, 1), [1000, 3]);
    const run = (precision: 'strict' | 'fast') =>
      [apalu(x, a, b, { precision }), ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, { precision }))([x, a, b], dy)].map((t) =>
        Array.from(t.dataSync()),
      );
    const zeroCopy = { strict: run('strict'), fast: run('fast') };
    setWasmKernelMode(tf.backend(), 'copy');
    try {
      // The copying route runs the same @apalu/wasm module on copies (the cpu kernels' engine),
      // with the same layout: the same bits, in both precisions.
      expect(run('strict')).toEqual(zeroCopy.strict);
      expect(run('fast')).toEqual(zeroCopy.fast);
      // With the JavaScript engine it computes with @apalu/core: strict, not the same bits.
      const copied = withCpuKernelEngine('js', () => run('strict'));
      for (const k of [0, 1]) copied[k]!.forEach((v, i) => expect(ulpDistance(v, zeroCopy.strict[k]![i] as number)).toBeLessThanOrEqual(4));
      for (const k of [2, 3]) copied[k]!.forEach((v, i) => expect(Math.abs(v - (zeroCopy.strict[k]![i] as number))).toBeLessThanOrEqual(2e-6 * Math.abs(v)));
      expect(copied[0]).not.toEqual(zeroCopy.strict[0]);
    } finally {
      setWasmKernelMode(tf.backend(), undefined);
    }
    tf.dispose([x, a, b, dy]);
  });
});

describe('cpu kernel engine', () => {
  it("computes with @apalu/wasm by default in Node, and takes only 'wasm', 'js' or undefined", () => {
    expect(cpuKernelEngine()).toBe('wasm');
    expect(() => setCpuKernelEngine('gpu' as never)).toThrow(/cpu kernel engine = "gpu": use 'wasm'/);
    expect(cpuKernelEngine()).toBe('wasm');
    setCpuKernelEngine('js');
    expect(cpuKernelEngine()).toBe('js');
    setCpuKernelEngine(undefined);
    expect(cpuKernelEngine()).toBe('wasm');
  });

  it('gives strict results with either engine, and honours precision only with wasm', async () => {
    await use('cpu');
    const xs = randomArray(4 * 250 * 5, 41);
    const x = tf.tensor(xs, [4, 250, 5]);
    const ap = positive(5, 42);
    const bp = positive(5, 43);
    const [a, b] = [tf.tensor(ap), tf.tensor(bp)];
    const y = (engine: 'wasm' | 'js', precision: 'strict' | 'fast') => withCpuKernelEngine(engine, () => apalu(x, a, b, { precision }).dataSync());
    const results = { wasm: y('wasm', 'strict'), js: y('js', 'strict'), wasmFast: y('wasm', 'fast'), jsFast: y('js', 'fast') };
    xs.forEach((v, i) => {
      const want = apalu64(v, ap[i % 5] as number, bp[i % 5] as number);
      expect(ulpDistance(results.wasm[i] as number, want)).toBeLessThanOrEqual(ULP_LIMIT);
      expect(ulpDistance(results.js[i] as number, want)).toBeLessThanOrEqual(ULP_LIMIT);
      expect(Math.abs((results.wasmFast[i] as number) - want)).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(want)));
    });
    expect(results.wasmFast).not.toEqual(results.wasm);
    expect(results.jsFast).toEqual(results.js);
    tf.dispose([x, a, b]);
  });

  it('rejects bad parameters before computing, with either engine', async () => {
    await use('cpu');
    const x = tf.ones([3, 2]);
    for (const engine of ['wasm', 'js'] as const) {
      expect(() => withCpuKernelEngine(engine, () => apalu(x, [1, 0], [1, 1]))).toThrow(/a\[1\] = 0/);
      expect(() => withCpuKernelEngine(engine, () => apalu(x, [1, 1], [1, Number.NaN]))).toThrow(/b\[1\] = NaN/);
    }
    x.dispose();
  });

  it('computes with @apalu/core where WebAssembly cannot compile (a Content-Security-Policy refusing it)', async () => {
    vi.resetModules();
    const refused = {
      ...WebAssembly,
      validate: () => true,
      Module: class {
        constructor() {
          throw new WebAssembly.CompileError("WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'wasm-unsafe-eval' is not an allowed source");
        }
      },
    };
    vi.stubGlobal('WebAssembly', refused);
    try {
      const engine = await import('../src/kernels/cpu-engine.js');
      expect(engine.cpuKernelEngine()).toBe('js');
      expect(() => engine.setCpuKernelEngine('wasm')).toThrow(/cpu kernel engine 'wasm': this engine cannot compile WebAssembly.*use 'js'/);
      expect(() => engine.setCpuKernelEngine('wasm')).toThrow(expect.objectContaining({ code: 'E_BACKEND', kind: 'environment' }));
      const x = randomArray(3 * 40, 61);
      const [a, b] = [positive(3, 62), positive(3, 63)];
      const dy = randomArray(3 * 40, 64, 1);
      const layout = { channels: 3, inner: 1 };
      expect(engine.cpuForward(x, a, b, layout, 1)).toEqual(coreForward(x, a, b));
      const g = engine.cpuBackward(x, dy, a, b, layout, 0);
      const want = coreBackward(x, dy, a, b);
      expect([g.dx, g.da, g.db]).toEqual([want.dx, want.da, want.db]);
      expect(engine.cpuKernelMemoryBytes()).toBe(0);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('streams large calls through a small memory in whole (C, S) periods; a period beyond the kept memory gets its own', async () => {
    // Small limits reach every route with small tensors: chunks of 1000 elements (whole
    // periods), a kept memory of 64 KiB.
    setCpuEngineLimits({ chunkElements: 1000, keepBytes: 65536 });
    try {
      const one = await createWasmBackend({ threads: 1 });
      for (const [C, S, n] of [
        [3, 5, 3 * 5 * 701], // 66 periods of 15 per chunk: 11 chunks, the last one short
        [4, 9, 36 * 300],
        [7, 1, 7 * 2000],
        [12000, 1, 12000], // one period of 12000 channels: 96 KB for x and dy, more than is kept
      ] as const) {
        const next = splitmix32(C * 1000 + S);
        const x = Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * 8);
        const dy = Float32Array.from({ length: n }, () => (next() / 2 ** 32) * 2 - 1);
        const a = Float32Array.from({ length: C }, (_, c) => 0.2 + ((c * 0.37) % 1.7));
        const b = Float32Array.from({ length: C }, (_, c) => 1.8 - ((c * 0.23) % 1.6));
        const layout = { channels: C, inner: S };
        // f and dx: the same bits as @apalu/wasm's backend computing the whole tensor in one call.
        const whole = { y: await one.forward(x, a, b, { inner: S }), g: await one.backward(x, dy, a, b, { inner: S }) };
        expect(cpuForward(x, a, b, layout, 0)).toEqual(whole.y);
        const g = cpuBackward(x, dy, a, b, layout, 0);
        expect(g.dx).toEqual(whole.g.dx);
        expect(cpuKernelMemoryBytes()).toBeLessThanOrEqual(65536);
        // da, db against the float64 reference, within 1e-6 of Σ|terms| (@apalu/core's SPEC.md).
        const want = { da: new Float64Array(C), db: new Float64Array(C), absA: new Float64Array(C), absB: new Float64Array(C) };
        for (let i = 0; i < n; i++) {
          const c = Math.floor(i / S) % C;
          const t = apaluGrad(x[i] as number, a[c] as number, b[c] as number);
          const d = dy[i] as number;
          want.da[c] = (want.da[c] as number) + t.da * d;
          want.db[c] = (want.db[c] as number) + t.db * d;
          want.absA[c] = (want.absA[c] as number) + Math.abs(t.da * d);
          want.absB[c] = (want.absB[c] as number) + Math.abs(t.db * d);
        }
        for (let c = 0; c < C; c++) {
          expect(Math.abs((g.da[c] as number) - (want.da[c] as number))).toBeLessThanOrEqual(1e-6 * (want.absA[c] as number));
          expect(Math.abs((g.db[c] as number) - (want.db[c] as number))).toBeLessThanOrEqual(1e-6 * (want.absB[c] as number));
        }
      }
      await one.dispose();
    } finally {
      setCpuEngineLimits(undefined);
    }
  });
});
