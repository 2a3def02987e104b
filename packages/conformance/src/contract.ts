/** The call-contract cases: mutating or transferring inputs after a call, dispose mid-flight, and the seeded fast-check property case. */
import type { ApaluBackend, ApaluGradients } from '@apalu/core';
import { splitmix32 } from '@apalu/core';
import fc from 'fast-check';
import type { CaseInput } from './cases.js';
import { type CheckResult, describeError, describeValue, elementwise, failure, skippedChannels, sums } from './checks.js';
import type { ClassLimits } from './classes.js';
import { type InputExclusions, excludedMask } from './exclusions.js';
import { FLOAT32_MAX, fromBits } from './float32.js';
import { computeReference } from './reference.js';
import { CallTimeoutError, outcome, timed } from './timeout.js';

// The call contract (section 7 of @apalu/core's SPEC.md) beyond values and rejections: inputs
// read when the call is made (mutate-after-call, transfer-after-call), dispose() with calls in
// flight, and a property-based case over float32 bit patterns, channels and layouts.

/** Default seed of the property case: CI runs this fixed slice; pass `seed` (or --seed) to explore. */
export const DEFAULT_PROPERTY_SEED = 24_2024;
/** Default number of property runs (the CI slice; the documented fuzz command runs 100,000). */
export const DEFAULT_PROPERTY_RUNS = 200;

/** Names of the contract cases, in the order they run (after the value and rejection cases). */
export const CONTRACT_CASE_NAMES = [
  'mutate-after-call/forward',
  'mutate-after-call/backward',
  'transfer-after-call/forward',
  'transfer-after-call/backward',
  'dispose-mid-flight',
  'property',
] as const;

export type ContractCaseName = (typeof CONTRACT_CASE_NAMES)[number];

export interface ContractContext {
  backend: ApaluBackend;
  /** Builds a fresh backend for dispose-mid-flight (undefined: that case is reported as excluded). */
  create?: (() => Promise<ApaluBackend> | ApaluBackend) | undefined;
  limits: ClassLimits;
  exclusions: InputExclusions | undefined;
  callTimeout: number;
  seed: number;
  runs: number;
  /** fast-check replay path of a counterexample (with its seed). */
  path?: string | undefined;
}

/** What a contract case gives back: checks, or the reason it did not run (shown as excluded). */
export type ContractOutcome = { checks: CheckResult[] } | { excluded: string };

/** A small input with several channels, S > 1, both signs and a general dy (1,029 elements). */
function contractInput(seed: number): CaseInput {
  const channels = 3;
  const inner = 7;
  const n = channels * inner * 49;
  const next = splitmix32(seed);
  const u = () => ((next() >>> 8) + 0.5) / 16777216;
  const x = new Float32Array(n);
  const dy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i % 5 === 0 ? (u() < 0.5 ? -1 : 1) * 10 ** (-8 + 10 * u()) : 24 * u() - 12;
    dy[i] = 2 * u() - 1;
  }
  return { x, dy, a: Float32Array.from([0.25, 1.3, 1.9]), b: Float32Array.from([1.7, 0.4, 1.1]), inner };
}

function clone(input: CaseInput): CaseInput {
  return { x: input.x.slice(), dy: input.dy.slice(), a: input.a.slice(), b: input.b.slice(), inner: input.inner };
}

function checkForward(name: string, metric: string, input: CaseInput, got: unknown, ctx: ContractContext, detailIfWrong: string): CheckResult[] {
  const mask = excludedMask(input, ctx.exclusions)?.mask;
  const ref = computeReference(input);
  const r = elementwise({ name }, metric, input, got as Float32Array, ref.f, ctx.limits, ctx.limits.elementwise, false, mask);
  if (!r.pass && r.detail === undefined) r.detail = `${detailIfWrong}; error ${r.error} ${r.unit} > ${r.limit}`;
  return [r];
}

function checkBackward(name: string, suffix: string, input: CaseInput, got: unknown, ctx: ContractContext, detailIfWrong: string): CheckResult[] {
  const mask = excludedMask(input, ctx.exclusions, input.dy)?.mask;
  const ref = computeReference(input);
  const g = got as ApaluGradients | undefined;
  const out = [
    elementwise({ name }, `dx${suffix}`, input, g?.dx as Float32Array, ref.dx, ctx.limits, ctx.limits.elementwiseScaled, true, mask, ref.dxAlsoDy),
    ...sums({ name }, suffix, input, g ?? ({} as ApaluGradients), ref.general, ctx.limits, skippedChannels(input, mask)),
  ];
  for (const r of out) if (!r.pass && r.detail === undefined) r.detail = `${detailIfWrong}; error ${r.error} ${r.unit} > ${r.limit}`;
  return out;
}

/**
 * Calls the backend, then changes (mutate) or transfers away (transfer) every input right after
 * the call returns and before its promise is awaited: the result must be that of the inputs at
 * call time (call contract point 3).
 */
async function afterCall(ctx: ContractContext, how: 'mutate' | 'transfer', pass: 'forward' | 'backward'): Promise<CheckResult[]> {
  const name = `${how}-after-call/${pass}`;
  const original = contractInput(0x5eed + (how === 'mutate' ? 1 : 2));
  const input = clone(original);
  const { backend } = ctx;
  const layout = { inner: input.inner };
  const tamper = () => {
    const args = pass === 'forward' ? [input.x, input.a, input.b] : [input.x, input.dy, input.a, input.b];
    if (how === 'mutate') {
      input.x.fill(0.5);
      input.dy.fill(-3);
      input.a.fill(0.7);
      input.b.fill(0.9);
    } else {
      for (const v of args) structuredClone(v.buffer, { transfer: [v.buffer as ArrayBuffer] });
    }
  };
  const why =
    how === 'mutate'
      ? 'the result is not that of the inputs at call time: x, dy, a or b were read after the call returned (they were changed before it was awaited; call contract point 3: read them synchronously, e.g. copy them)'
      : 'the result is not that of the inputs at call time: x, dy, a or b were read after the call returned (their buffers were transferred before it was awaited; call contract point 3)';
  try {
    if (pass === 'forward') {
      const pending = timed('forward', ctx.callTimeout, () => backend.forward(input.x, input.a, input.b, layout));
      tamper();
      return checkForward(name, 'f', original, await pending, ctx, why);
    }
    const pending = timed('backward', ctx.callTimeout, () => backend.backward(input.x, input.dy, input.a, input.b, layout));
    tamper();
    return checkBackward(name, '', original, await pending, ctx, why);
  } catch (error) {
    return [failure({ name }, pass === 'forward' ? 'f' : 'dx', original, `${outcome(pass, error)} (the inputs were ${how === 'mutate' ? 'changed' : 'transferred'} after the call returned; call contract point 3)`)];
  }
}

function check(name: string, metric: string, detail: string | undefined): CheckResult {
  const pass = detail === undefined;
  return { case: name, metric, n: 0, channels: 0, inner: 0, error: pass ? 0 : 1, limit: 0, unit: 'check', pass, ...(pass ? {} : { detail }) };
}

/**
 * Several calls in flight on a fresh backend, then dispose(): every call resolves with its
 * correct result within the time limit, dispose() resolves, calls after it reject with
 * E_DISPOSED and a second dispose() is harmless (call contract point 6).
 */
async function disposeMidFlight(ctx: ContractContext): Promise<ContractOutcome> {
  const name = 'dispose-mid-flight';
  if (ctx.create === undefined) return { excluded: 'needs a backend of its own to dispose: pass `create` (describeConformance and the CLI do)' };
  let backend: ApaluBackend;
  try {
    backend = await timed('createBackend()', ctx.callTimeout, () => ctx.create!());
  } catch (error) {
    return { checks: [check(name, 'create', outcome('createBackend()', error))] };
  }
  if (typeof backend.dispose !== 'function') return { excluded: `${backend.name} has no dispose()` };
  const checks: CheckResult[] = [];
  const inputs = [0, 1, 2, 3].map((k) => {
    const input = contractInput(0xd15 + k);
    const reps = 16; // 16,464 elements: large enough to be in flight on asynchronous backends
    const grow = (v: Float32Array) => {
      const out = new Float32Array(v.length * reps);
      for (let r = 0; r < reps; r++) out.set(v, r * v.length);
      return out;
    };
    return { ...input, x: grow(input.x), dy: grow(input.dy) };
  });
  const layoutOf = (input: CaseInput) => ({ inner: input.inner });
  const calls = inputs.flatMap((input, k) => [
    { input, pass: 'forward' as const, promise: timed(`forward #${2 * k + 1} (in flight at dispose())`, ctx.callTimeout, () => backend.forward(input.x, input.a, input.b, layoutOf(input))) },
    {
      input,
      pass: 'backward' as const,
      promise: timed(`backward #${2 * k + 2} (in flight at dispose())`, ctx.callTimeout, () => backend.backward(input.x, input.dy, input.a, input.b, layoutOf(input))),
    },
  ]);
  const disposing = timed('dispose() with calls in flight', ctx.callTimeout, () => backend.dispose!());
  // Settle everything before judging, so nothing is left pending.
  const settled = await Promise.allSettled(calls.map((c) => c.promise));
  const disposed = await Promise.allSettled([disposing]);
  settled.forEach((s, i) => {
    const { input, pass } = calls[i]!;
    const metric = `${pass === 'forward' ? 'f' : 'dx'} #${i + 1}`;
    if (s.status === 'rejected') {
      checks.push(failure({ name }, metric, input, `${outcome(`${pass} #${i + 1}`, s.reason)}; a call accepted before dispose() must settle normally with its result (call contract point 6)`));
      return;
    }
    const why = `call #${i + 1}, made before dispose(), resolved with a wrong result`;
    if (pass === 'forward') checks.push(...checkForward(name, metric, input, s.value, ctx, why).map((r) => ({ ...r, metric })));
    else checks.push(...checkBackward(name, ` #${i + 1}`, input, s.value, ctx, why));
  });
  const d = disposed[0]!;
  checks.push(check(name, 'dispose()', d.status === 'rejected' ? `${outcome('dispose()', d.reason)}; dispose() must resolve after the calls in flight settle` : undefined));
  const x = Float32Array.from([-1, 0, 1]);
  for (const pass of ['forward', 'backward'] as const) {
    let detail: string | undefined;
    try {
      const result = await timed<Promise<unknown>>(`${pass} after dispose()`, ctx.callTimeout, () =>
        pass === 'forward' ? backend.forward(x, Float32Array.of(1), Float32Array.of(1)) : backend.backward(x, Float32Array.of(1, 1, 1), Float32Array.of(1), Float32Array.of(1)),
      );
      detail = `${pass} after dispose() resolved (${describeValue(result)}); it must reject with ApaluInputError code E_DISPOSED`;
    } catch (error) {
      if (error instanceof CallTimeoutError) detail = error.message;
      else if ((error as { code?: unknown } | null)?.code !== 'E_DISPOSED') detail = `${pass} after dispose() rejected with ${describeError(error)}; the call contract requires code E_DISPOSED`;
    }
    checks.push(check(name, `${pass} after dispose()`, detail));
  }
  let again: string | undefined;
  try {
    await timed('a second dispose()', ctx.callTimeout, () => backend.dispose!());
  } catch (error) {
    again = `${outcome('a second dispose()', error)}; dispose() twice must be harmless`;
  }
  checks.push(check(name, 'dispose() twice', again));
  return { checks };
}

// ---------------------------------------------------------------------------------------------
// The property case

const MIN_SUBNORMAL = fromBits(1);
/** Bit patterns at the edges of float32: ±0, subnormals, the smallest normal, 1, FLT_MAX, ±∞, quiet and signalling NaNs. */
const EDGE_BITS = [
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0xff7fffff,
  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fffffff,
];

/** A float32 from anywhere: edge patterns, raw bit patterns (every NaN payload), biased float32s, ordinary magnitudes. */
const anyFloat32 = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.float({ min: -20, max: 20, noNaN: true }), weight: 3 },
  { arbitrary: fc.constantFrom(...EDGE_BITS).map(fromBits), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map(fromBits), weight: 2 },
  { arbitrary: fc.float(), weight: 3 },
  { arbitrary: fc.float({ min: -200, max: -100, noNaN: true }), weight: 1 },
);

/** A valid a or b: finite and > 0 in float32, extremes included; shrinks towards 1. */
const param = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(1), weight: 1 },
  { arbitrary: fc.float({ min: 0.0625, max: 16, noNaN: true }), weight: 3 },
  { arbitrary: fc.constantFrom(MIN_SUBNORMAL, fromBits(0x00800000), 1e-30, 1e30, 3e38, FLOAT32_MAX), weight: 1 },
  { arbitrary: fc.float({ min: MIN_SUBNORMAL, max: FLOAT32_MAX, noNaN: true, noDefaultInfinity: true }), weight: 2 },
);

/** One property input: C, S, and the first `used` (x, dy) pairs cut to a whole number of C·S blocks (repeated when fewer than one block). */
const propertyInput = fc
  .record({
    channels: fc.integer({ min: 1, max: 8 }),
    inner: fc.integer({ min: 1, max: 8 }),
    elements: fc.array(fc.tuple(anyFloat32, anyFloat32), { minLength: 1, maxLength: 192, size: 'medium' }),
    // How many of them are used: shrinks to 1, so a counterexample ends as short as it can be
    // (fast-check shrinks an array's length by dropping its first items).
    used: fc.integer({ min: 1, max: 192 }),
    a: fc.array(param, { minLength: 8, maxLength: 8 }),
    b: fc.array(param, { minLength: 8, maxLength: 8 }),
  })
  .map(({ channels, inner, elements, used, a, b }): CaseInput => {
    const block = channels * inner;
    const n = block * Math.max(1, Math.floor(Math.min(used, elements.length) / block));
    const x = new Float32Array(n);
    const dy = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const [xi, gi] = elements[i % elements.length]!;
      x[i] = xi;
      dy[i] = gi;
    }
    return { x, dy, a: Float32Array.from(a.slice(0, channels)), b: Float32Array.from(b.slice(0, channels)), inner };
  });

const show = (v: ArrayLike<number>, max = 24) => {
  const parts = Array.from(v).slice(0, max).map((n) => (Object.is(n, -0) ? '-0' : String(n)));
  return `[${parts.join(', ')}${v.length > max ? `, … (${v.length} in all)` : ''}]`;
};

/** Runs the property case: forward and backward of random inputs against the float64 reference. */
async function property(ctx: ContractContext): Promise<CheckResult[]> {
  const name = 'property';
  const { backend } = ctx;
  let timeout: CallTimeoutError | undefined;
  let lastFailures: CheckResult[] = [];
  const judge = async (input: CaseInput): Promise<CheckResult[]> => {
    const layout = { inner: input.inner };
    const out: CheckResult[] = [];
    try {
      const f = await timed('forward', ctx.callTimeout, () => backend.forward(input.x, input.a, input.b, layout));
      out.push(...checkForward(name, 'f', input, f, ctx, 'forward differs from the float64 reference'));
    } catch (error) {
      if (error instanceof CallTimeoutError) throw error;
      out.push(failure({ name }, 'f', input, outcome('forward', error)));
    }
    try {
      const g = await timed('backward', ctx.callTimeout, () => backend.backward(input.x, input.dy, input.a, input.b, layout));
      out.push(...checkBackward(name, '', input, g, ctx, 'backward differs from the float64 reference'));
    } catch (error) {
      if (error instanceof CallTimeoutError) throw error;
      out.push(failure({ name }, 'dx', input, outcome('backward', error)));
    }
    return out.filter((r) => !r.pass);
  };
  const details = await fc.check(
    fc.asyncProperty(propertyInput, async (input) => {
      // After a timeout nothing more is run: shrinking would wait out the limit again and again.
      if (timeout !== undefined) return true;
      try {
        const failures = await judge(input);
        if (failures.length === 0) return true;
        lastFailures = failures;
        return false;
      } catch (error) {
        if (error instanceof CallTimeoutError) {
          timeout = error;
          return true;
        }
        throw error;
      }
    }),
    { seed: ctx.seed, numRuns: ctx.runs, ...(ctx.path !== undefined ? { path: ctx.path } : {}) },
  );
  const base = { case: name, n: 0, channels: 0, inner: 0, limit: 0, unit: 'check' as const };
  if (timeout !== undefined) return [{ ...base, metric: 'settles', error: Number.POSITIVE_INFINITY, pass: false, detail: `${timeout.message} (seed ${ctx.seed})` }];
  if (!details.failed) {
    return [{ ...base, metric: `${details.numRuns} runs`, error: 0, pass: true, detail: `seed ${ctx.seed}, ${details.numRuns} random inputs` }];
  }
  const [input] = (details.counterexample ?? []) as [CaseInput | undefined];
  // The last failing predicate call is the minimal counterexample fast-check reports; judge it again for the report.
  const failures = input !== undefined ? await judge(input).catch(() => lastFailures) : lastFailures;
  const first = failures[0];
  const replay = `--seed ${details.seed} --path ${details.counterexamplePath ?? '?'} (runConformance options seed, propertyPath)`;
  const minimal =
    input !== undefined
      ? `C = ${input.a.length}, S = ${input.inner}, a = ${show(input.a)}, b = ${show(input.b)}, x = ${show(input.x)}, dy = ${show(input.dy)}`
      : `(no counterexample: ${describeError(details.errorInstance)})`;
  const what = first !== undefined ? formatOne(first) : describeError(details.errorInstance);
  return [
    {
      ...base,
      metric: first?.metric ?? 'counterexample',
      n: input?.x.length ?? 0,
      channels: input?.a.length ?? 0,
      inner: input?.inner ?? 0,
      error: first?.error ?? Number.POSITIVE_INFINITY,
      limit: first?.limit ?? 0,
      unit: first?.unit ?? 'check',
      pass: false,
      detail: `minimal failing input after ${details.numRuns} runs and ${details.numShrinks} shrinks (seed ${details.seed}, path ${details.counterexamplePath ?? '?'}): ${minimal}; ${what}. Replay: ${replay}`,
      ...(first?.worst ? { worst: first.worst } : {}),
      counterexample: {
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        ...(input !== undefined ? { channels: input.a.length, inner: input.inner, x: Array.from(input.x), dy: Array.from(input.dy), a: Array.from(input.a), b: Array.from(input.b) } : {}),
      },
    },
  ];
}

/** One failing check in words; where it is worst (c.worst) is added by formatFailures. */
function formatOne(c: CheckResult): string {
  return `${c.metric}: ${c.detail ?? `error ${c.error} ${c.unit} > ${c.limit}`}`;
}

/** Runs one contract case. */
export async function runContractCase(name: ContractCaseName, ctx: ContractContext): Promise<ContractOutcome> {
  switch (name) {
    case 'mutate-after-call/forward':
      return { checks: await afterCall(ctx, 'mutate', 'forward') };
    case 'mutate-after-call/backward':
      return { checks: await afterCall(ctx, 'mutate', 'backward') };
    case 'transfer-after-call/forward':
      return { checks: await afterCall(ctx, 'transfer', 'forward') };
    case 'transfer-after-call/backward':
      return { checks: await afterCall(ctx, 'transfer', 'backward') };
    case 'dispose-mid-flight':
      return disposeMidFlight(ctx);
    case 'property':
      return { checks: await property(ctx) };
  }
}
