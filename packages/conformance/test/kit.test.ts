import { describe, expect, it } from 'vitest';
import { apalu, apaluGrad } from '@apalu/core';
import {
  ACCURACY_CLASSES,
  CONTRACT_CASE_NAMES,
  composedRatio,
  conformanceCases,
  formatFailures,
  formatMatrix,
  fromBits,
  gpuOpsInputExclusions,
  INPUT_CLASSES,
  listCaseNames,
  runConformance,
  computeReference,
  sumError,
  ulpDistance,
} from '../src/index.js';
import { WRONG_BACKENDS, wrongBackend } from './wrong-backends.js';

describe('float32 error measures', () => {
  it('counts ULPs across zero, subnormals and infinity', () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(fromBits(0x3f800001), 1)).toBe(1);
    expect(ulpDistance(fromBits(1), -fromBits(1))).toBe(2);
    expect(ulpDistance(0, -0)).toBe(0);
    expect(ulpDistance(Number.POSITIVE_INFINITY, fromBits(0x7f7fffff))).toBe(1);
    expect(ulpDistance(Number.NaN, Number.NaN)).toBe(0);
    expect(ulpDistance(Number.NaN, 1)).toBe(Number.POSITIVE_INFINITY);
  });
  it('measures the composed tolerance max(5e-6, 1e-5·|ref|)', () => {
    expect(composedRatio(1 + 1e-5, 1)).toBeCloseTo(1, 6);
    expect(composedRatio(2.5e-6, 0)).toBeCloseTo(0.5, 9);
    expect(composedRatio(Number.POSITIVE_INFINITY, 3e38)).toBe(Number.POSITIVE_INFINITY);
    expect(ACCURACY_CLASSES.strict.elementwise).toBe(2);
  });
  it('lets a composed sum lose a subnormal term (flushed to 0), a strict one only a subnormal rounding', () => {
    // db's one term: dy·(e^x − 1) = −1.8e-7 · (−2^-126) ≈ 2.1e-45, a float32 subnormal.
    const input = { x: new Float32Array([-(2 ** -126)]), dy: new Float32Array([-1.8e-7]), a: new Float32Array([1]), b: new Float32Array([1]), inner: 1 };
    const db = computeReference(input).general.db[0]!;
    const rounded = Math.fround(db.value);
    expect(rounded).toBeGreaterThan(0);
    expect(sumError(0, db, ACCURACY_CLASSES.composed)).toBe(0);
    expect(sumError(0, db, ACCURACY_CLASSES.strict)).toBeGreaterThan(ACCURACY_CLASSES.strict.sumRelative);
    expect(sumError(rounded, db, ACCURACY_CLASSES.strict)).toBe(0);
    // A normal sum is judged on its relative error either way: 0 for 1.2e-28 fails.
    const big = computeReference({ ...input, dy: new Float32Array([-1e10]) }).general.db[0]!;
    expect(sumError(0, big, ACCURACY_CLASSES.composed)).toBeGreaterThan(ACCURACY_CLASSES.composed.sumRelative);
  });
  it('lets a composed sum overflow on the way where Σ|finite terms| reaches FLT_MAX; a strict one must match (100,000-case run, seed 20261207)', () => {
    // db terms −1.01e31, −FLT_MAX, +∞: float32 gives −FLT_MAX − 1e31 = −∞, then −∞ + ∞ = NaN; float64 gives +∞.
    const input = { x: new Float32Array([-100, -100, -(2 ** -149)]), dy: new Float32Array([1.0141204801825835e31, 3.4028234663852886e38, -Infinity]), a: new Float32Array([1]), b: new Float32Array([1]), inner: 1 };
    const db = computeReference(input).general.db[0]!;
    expect(db.value).toBe(Infinity);
    expect(sumError(Number.NaN, db, ACCURACY_CLASSES.composed)).toBe(0);
    expect(sumError(Number.NaN, db, ACCURACY_CLASSES.strict)).toBe(Infinity);
    expect(sumError(Infinity, db, ACCURACY_CLASSES.strict)).toBe(0);
    // Below FLT_MAX a non-finite composed sum still fails.
    const small = computeReference({ ...input, dy: new Float32Array([1e31, 1e38, -Infinity]) }).general.db[0]!;
    expect(sumError(Number.NaN, small, ACCURACY_CLASSES.composed)).toBe(Infinity);
  });
});

describe('the SPEC input set', () => {
  it('covers every SPEC length, layout and special value', () => {
    const cases = conformanceCases({ large: true });
    const lengths = new Set(cases.map((c) => c.build().x.length).filter((n) => n <= 5));
    expect([...lengths].sort()).toEqual([0, 1, 3, 4, 5]);
    const names = cases.map((c) => c.name);
    for (const c of [1, 3, 64]) for (const s of [1, 7]) expect(names).toContain(`layout-C${c}-S${s}`);
    expect(names).toContain('length-1M');
    expect(names).toContain('length-16M');
    const special = cases.find((c) => c.name === 'special-values')!.build().x;
    expect(special.some(Number.isNaN)).toBe(true);
    expect(special).toContain(Number.NEGATIVE_INFINITY);
    expect([...special].some((v) => Object.is(v, -0))).toBe(true);
  });
  it('has ±∞ without NaN, +∞ and −∞ in channels of their own, so da and db are compared value by value', () => {
    const input = conformanceCases().find((c) => c.name === 'infinities')!.build();
    const { x, dy, a, inner } = input;
    expect(inner).toBe(1);
    expect(x.some(Number.isNaN)).toBe(false);
    const channels = a.length;
    expect(channels).toBeGreaterThanOrEqual(2);
    const column = (c: number) => [...x].filter((_, i) => i % channels === c);
    const onlyPlus = [...Array(channels).keys()].filter((c) => column(c).includes(Infinity) && !column(c).includes(-Infinity));
    const onlyMinus = [...Array(channels).keys()].filter((c) => column(c).includes(-Infinity) && !column(c).includes(Infinity));
    expect(onlyPlus.length).toBeGreaterThan(0);
    expect(onlyMinus.length).toBeGreaterThan(0);
    // ±0, subnormals and ordinary values of both signs beside them, and a general upstream gradient.
    expect([...x].some((v) => Object.is(v, -0))).toBe(true);
    expect([...x].some((v) => v > 0 && v < 1.1754943508222875e-38)).toBe(true);
    expect([...x].some((v) => v < -0.5 && Number.isFinite(v))).toBe(true);
    expect(new Set(dy).size).toBeGreaterThan(x.length / 2);
    expect([...dy].some((g) => g < 0)).toBe(true);
  });
  it('random-bits is raw 32-bit output: every low byte, ±∞, ±0, NaN and subnormals occur', () => {
    const { x } = conformanceCases().find((c) => c.name === 'random-bits')!.build();
    const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
    expect(new Set([...bits].map((v) => v & 0xff)).size).toBe(256);
    expect(new Set([...bits].map((v) => (v >>> 23) & 0xff)).size).toBe(256);
    expect(x).toContain(Number.POSITIVE_INFINITY);
    expect(x).toContain(Number.NEGATIVE_INFINITY);
    expect([...x].some((v) => Object.is(v, 0))).toBe(true);
    expect([...x].some((v) => Object.is(v, -0))).toBe(true);
    expect(x.some(Number.isNaN)).toBe(true);
    expect([...x].some((v) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38)).toBe(true);
  });
  it('is reproducible: the same case builds the same bits', () => {
    const [a, b] = [conformanceCases(), conformanceCases()].map((cs) => cs.find((c) => c.name === 'random-bits')!.build());
    expect(new Uint32Array(a!.x.buffer)).toEqual(new Uint32Array(b!.x.buffer));
  });
});

describe('the kit accepts the reference', () => {
  it('passes core-reference in the strict class with zero error', async () => {
    const report = await runConformance(await WRONG_BACKENDS.reference());
    expect(report.pass).toBe(true);
    expect(Math.max(...report.checks.map((c) => c.error))).toBe(0);
    expect(report.checks.filter((c) => c.metric === 'rejects')).toHaveLength(30 + 18);
    // Channels-last cases also run without a layout and with {}: both mean inner = 1.
    const metrics = new Set(report.checks.filter((c) => c.case === 'special-values').map((c) => c.metric));
    for (const m of ['f(no layout)', 'dx(no layout)', 'da(no layout)', 'db(no layout)', 'f(layout {})', 'dx(layout {})', 'da(layout {})', 'db(layout {})']) expect(metrics).toContain(m);
    expect(report.checks.some((c) => c.case === 'layout-C3-S7' && c.metric.includes('layout'))).toBe(false);
  });
});

describe('the kit catches wrong backends', () => {
  // The value and rejection cases these backends were written for; the call-contract cases have
  // mutation tests of their own (contract.test.ts).
  const valueCases = listCaseNames().filter((n) => !(CONTRACT_CASE_NAMES as readonly string[]).includes(n) && !/^rejects-(detached|out-of-bounds|float64|array|missing)-/.test(n));
  const failing = async (make: () => Parameters<typeof runConformance>[0], only: string[] = valueCases) => {
    const report = await runConformance(make(), { only });
    expect(report.pass).toBe(false);
    return report.checks.filter((c) => !c.pass);
  };

  it('exp(x) − 1 cancellation near 0⁻', async () => {
    const bad = await failing(WRONG_BACKENDS.cancellation, ['near-zero-negative', 'uniform-20']);
    const worst = bad.find((c) => c.case === 'near-zero-negative' && c.metric === 'f');
    expect(worst?.error).toBeGreaterThan(1000);
    expect(worst?.worst?.x).toBeLessThan(0);
  });

  it('the wrong branch at x = 0', async () => {
    const bad = await failing(WRONG_BACKENDS.branchAtZero, ['special-values']);
    expect(bad.map((c) => c.metric)).toContain("f'");
    const check = bad.find((c) => c.metric === "f'")!;
    expect(Math.abs(check.worst!.x!)).toBe(0);
  });

  it('a channel index off by one', async () => {
    const bad = await failing(WRONG_BACKENDS.channelOffByOne, ['layout-C3-S1', 'layout-C64-S7']);
    expect(new Set(bad.map((c) => c.case))).toEqual(new Set(['layout-C3-S1', 'layout-C64-S7']));
    expect(bad.map((c) => c.metric)).toContain('f');
  });

  it('da summed over the wrong axis', async () => {
    const bad = await failing(WRONG_BACKENDS.sumWrongAxis, ['layout-C3-S1', 'layout-C3-S7']);
    // Right for S = 1, wrong once the inner size is 7.
    expect(bad.every((c) => c.case === 'layout-C3-S7')).toBe(true);
    expect(bad.map((c) => c.metric)).toEqual(expect.arrayContaining(['da', 'db']));
  });

  it('a ≤ 0 accepted', async () => {
    const bad = await failing(WRONG_BACKENDS.acceptsBadParams, listCaseNames().filter((n) => n.startsWith('rejects-')));
    expect(bad.map((c) => c.case)).toEqual(expect.arrayContaining(['rejects-a-zero/forward', 'rejects-a-negative/backward']));
  });

  it('naive float32 summation of da, db', async () => {
    const bad = await failing(WRONG_BACKENDS.float32Sums, ['length-1M']);
    expect(bad.some((c) => c.metric.startsWith('da') || c.metric.startsWith('db'))).toBe(true);
  });

  it('a few ULP of error on the positive side', async () => {
    const bad = await failing(WRONG_BACKENDS.sloppyPositive, ['uniform-20']);
    expect(bad[0]?.metric).toBe('f');
    expect(bad[0]?.error).toBeGreaterThan(2);
  });

  it('NaN inputs dropped from da, db', async () => {
    const bad = await failing(WRONG_BACKENDS.swallowsNaN, ['special-values']);
    expect(bad.map((c) => c.metric)).toEqual(expect.arrayContaining(['da', 'db']));
  });

  it('da, db summed by multiplying with a 0/1 mask (x = −∞ gives 0·∞ = NaN)', async () => {
    const backend = WRONG_BACKENDS.maskedSums();
    const g = await backend.backward(Float32Array.of(Number.NEGATIVE_INFINITY, 1), Float32Array.of(1, 1), Float32Array.of(1), Float32Array.of(1));
    expect(Number.isNaN(g.da[0])).toBe(true);
    const bad = await failing(() => backend);
    // Only the NaN-free case with ±∞ sees it: everywhere else ±∞ sit beside a NaN.
    expect(new Set(bad.map((c) => c.case))).toEqual(new Set(['infinities']));
    expect(bad.every((c) => c.metric.startsWith('da'))).toBe(true);
    expect(bad[0]?.worst?.got).toBeNaN();
  });

  it('a compensated sum that turns a +∞ term into NaN', async () => {
    const bad = await failing(WRONG_BACKENDS.unguardedKahan);
    expect(new Set(bad.map((c) => c.case))).toEqual(new Set(['infinities']));
    expect(bad.every((c) => c.metric.startsWith('da'))).toBe(true);
  });

  it('a crash when the layout is omitted (forward(x, a, b))', async () => {
    const bad = await failing(WRONG_BACKENDS.needsLayout);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((c) => c.metric === 'f(no layout)' || c.metric === 'dx(no layout)')).toBe(true);
    expect(bad[0]?.detail).toMatch(/forward with no layout threw TypeError/);
  });

  it('a wrong default inner size without a layout (S = x.length / C instead of 1)', async () => {
    const bad = await failing(WRONG_BACKENDS.wrongDefaultInner);
    expect(bad.every((c) => c.metric.endsWith('(no layout)') || c.metric.endsWith('(layout {})'))).toBe(true);
    expect(new Set(bad.map((c) => c.case))).toEqual(new Set(['special-values', 'infinities', 'magnitudes', 'layout-C3-S1', 'layout-C64-S1', 'length-1M']));
  });

  it('x.length checked against C only, not C·S', async () => {
    const bad = await failing(WRONG_BACKENDS.layoutCheckedByCOnly);
    expect(bad.map((c) => c.case).sort()).toEqual(['rejects-layout-inner/backward', 'rejects-layout-inner/forward']);
  });

  it('the composed class tolerates float32 exp(x) − 1 and small relative errors, not layout bugs', async () => {
    const sloppy = await runConformance(WRONG_BACKENDS.sloppyPositive(), { accuracy: 'composed', only: ['uniform-20'] });
    expect(sloppy.pass).toBe(true);
    // Absolute error ≤ 5e-6 near 0⁻: this is why ONNX Elu graphs are composed-class (float32 exp(x) − 1 cancels there).
    const cancel = await runConformance(WRONG_BACKENDS.cancellation(), { accuracy: 'composed', only: ['near-zero-negative'] });
    expect(cancel.pass).toBe(true);
    const shifted = await runConformance(WRONG_BACKENDS.channelOffByOne(), { accuracy: 'composed', only: ['layout-C3-S7'] });
    expect(shifted.pass).toBe(false);
  });
});

describe('input exclusions (excludeInputs)', () => {
  // A GPU-ops-like backend: negative subnormal x reads as −0 (the x ≥ 0 branch) and NaN comes out as +∞.
  const flushing = (extra?: (x: number) => number) =>
    wrongBackend({
      name: 'flushing',
      value: (x, a, b) => (Number.isNaN(x) ? Number.POSITIVE_INFINITY : apalu(x < 0 && x > -1.1754943508222875e-38 ? -0 : x, a, b) * (extra?.(x) ?? 1)),
      derivative: (x, a, b) => (Number.isNaN(x) ? Number.POSITIVE_INFINITY : apaluGrad(x < 0 && x > -1.1754943508222875e-38 ? -0 : x, a, b).dx),
    });
  const cases = ['special-values', 'magnitudes', 'near-zero-negative', 'random-bits', 'length-1023'];

  it('without them, flushing fails the cases that hold subnormals or NaN', async () => {
    const report = await runConformance(flushing(), { only: cases });
    const failed = new Set(report.checks.filter((c) => !c.pass).map((c) => c.case));
    expect([...failed].sort()).toEqual([...cases].sort());
  });

  it('with them, the rest of every case is checked and passes, and the report counts what was left out', async () => {
    const report = await runConformance(flushing(), { only: cases, excludeInputs: gpuOpsInputExclusions('some-gpu') });
    expect(formatFailures(report.checks)).toBe('');
    expect(report.excluded).toEqual([]);
    const counts = Object.fromEntries((report.excludedInputs ?? []).map((e) => [e.inputs, e.elements]));
    expect(counts['negative-subnormal']).toBeGreaterThan(0);
    expect(counts.nan).toBeGreaterThan(0);
    for (const e of report.excludedInputs ?? []) expect(e.reason).toMatch(/^some-gpu ops/);
    // Every case still compared most of its elements.
    for (const c of report.checks.filter((k) => k.metric === 'f')) expect(c.skipped ?? 0).toBeLessThan(c.n);
    const matrix = formatMatrix([report]);
    // Every channel of special-values holds a NaN: its sums compared nothing, and the cell says so.
    expect(matrix).toContain('| special-values | ✓* (da, db not compared) |');
    const sumChecks = report.checks.filter((k) => k.unit === 'relative');
    const skipped = sumChecks.reduce((n, k) => n + (k.skipped ?? 0), 0);
    const total = sumChecks.reduce((n, k) => n + k.channels, 0);
    expect(skipped).toBeGreaterThan(0);
    expect(matrix).toContain(`- flushing: da, db compared in ${total - skipped} of ${total} channel sums (a channel holding an excluded input is not compared)`);
    expect(matrix).toMatch(/- flushing: negative-subnormal inputs not compared \(\d+ elements; every other element of every case is\) — some-gpu ops flush/);
  });

  it('do not hide an error anywhere else', async () => {
    const report = await runConformance(
      flushing((x) => (x > 0.4 && x < 0.6 ? 1.001 : 1)),
      { only: ['uniform-20'], excludeInputs: gpuOpsInputExclusions('some-gpu') },
    );
    expect(report.pass).toBe(false);
    expect(report.checks.find((c) => c.metric === 'f')?.pass).toBe(false);
  });

  it("'subnormal-dy' leaves out only the dx (and channel sums) of elements whose dy is subnormal", async () => {
    const { createBackend } = await import('@apalu/core');
    const core = await createBackend();
    const FLT_MIN = 1.1754943508222875e-38;
    // Like a GPU graph: dy is flushed to 0 when it is subnormal (the property case's seed-242024 finding on tfjs-webgpu).
    const dyFlushing = { name: 'dy-flushing', accuracy: core.accuracy, forward: core.forward.bind(core), backward: (x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, layout?: { inner?: number }) =>
      core.backward(x, dy.map((g) => (Math.abs(g) < FLT_MIN ? 0 : g)), a, b, layout) };
    const without = await runConformance(dyFlushing, { only: ['property'] });
    expect(formatFailures(without.checks)).toMatch(/property dx: minimal failing input/);
    const withIt = await runConformance(dyFlushing, { only: ['property'], excludeInputs: { 'subnormal-dy': 'flushed' } });
    expect(formatFailures(withIt.checks)).toBe('');
  });

  it("'subnormal-product' takes the elements whose graph products fall below 2^-126 (100,000-case run on tfjs-webgpu-composed)", () => {
    const FLT_MIN = 1.1754943508222875e-38;
    const product = INPUT_CLASSES['subnormal-product'];
    expect(product({ x: -0.015625, a: 1, b: FLT_MIN, dy: 4.3205132540154805e32 })).toBe(true); // b·e^(x/2) < 2^-126
    expect(product({ x: -0.015625, a: 1, b: 4.3205132540154805e32, dy: FLT_MIN })).toBe(true); // dy·e^(x/2)
    expect(product({ x: 9.695347535482631e-38, a: 1, b: 1, dy: -0.08083683997392654 })).toBe(true); // dy·x
    expect(product({ x: -174.673095703125, a: 1, b: 1e32, dy: -3.4e38 })).toBe(true); // e^(x/2)
    expect(product({ x: -0.5, a: 1, b: 1, dy: 1 })).toBe(false);
    expect(product({ x: 3, a: 2, b: 1 })).toBe(false);
    expect(product({ x: -Infinity, a: 1, b: 1, dy: 1 })).toBe(false);
  });

  it('rejects an unknown input class', async () => {
    await expect(runConformance(flushing(), { only: ['length-5'], excludeInputs: { subnormal: 'x' } as never })).rejects.toThrow(/unknown input class 'subnormal'/);
    expect(Object.keys(INPUT_CLASSES).sort()).toEqual(['expm1-cancels', 'infinite-dy-underflow', 'nan', 'negative-subnormal', 'positive-subnormal', 'subnormal-dy', 'subnormal-param', 'subnormal-product']);
  });

  it('rejects names inherited from Object.prototype like any unknown name', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const excludeInputs = Object.defineProperty({}, name, { value: 'x', enumerable: true }) as never;
      await expect(runConformance(flushing(), { only: ['length-5'], excludeInputs })).rejects.toThrow(`unknown input class '${name}'`);
    }
  });
});

describe('accuracy option', () => {
  it('rejects names inherited from Object.prototype', async () => {
    const reference = await WRONG_BACKENDS.reference();
    for (const accuracy of ['toString', 'constructor', 'bogus']) {
      await expect(runConformance(reference, { only: ['length-5'], accuracy: accuracy as never })).rejects.toThrow(`accuracy = ${accuracy}: use 'strict' or 'composed'`);
    }
    // The kit's option errors are @apalu/core's input errors, like every package's.
    await expect(runConformance(reference, { only: ['length-5'], accuracy: 'bogus' as never })).rejects.toMatchObject({ name: 'ApaluInputError', code: 'E_OPTION', kind: 'input' });
  });
});
