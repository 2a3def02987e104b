import type { AccuracyClass, ApaluBackend, ApaluGradients } from '@apalu/core';
import { type CaseInput, type CaseSelection, type ConformanceCase, conformanceCases } from './cases.js';
import { ACCURACY_CLASSES, type ClassLimits } from './classes.js';
import { type InputExclusions, excludedMask } from './exclusions.js';
import { type ChannelSums, computeReference, sumError } from './reference.js';
import { REJECTION_CASES, type RejectionCase } from './rejections.js';

/** What one check measured. `metric` names the output: f, f' (dx with dy = 1), dx, da, db, … */
export interface CheckResult {
  case: string;
  metric: string;
  n: number;
  channels: number;
  inner: number;
  /** Largest error seen: ULPs (strict), a fraction of the composed allowance, or a relative sum error. */
  error: number;
  limit: number;
  unit: 'ulp' | 'ratio' | 'relative' | 'check';
  pass: boolean;
  /** The input with the largest error, when there is one. */
  worst?: { index: number; x?: number; a?: number; b?: number; dy?: number; got: number; want: number };
  /** Why it failed, for checks that are not a number (rejections, thrown errors, wrong shapes). */
  detail?: string;
  /** Elements (f, ∂f/∂x, dx) or channels (da, db) not compared because of `excludeInputs`. */
  skipped?: number;
}

export interface ExcludedCase {
  case: string;
  reason: string;
}

/** An input class the variant declared it cannot compute, and how many elements of the run it covered. */
export interface ExcludedInputs {
  inputs: string;
  reason: string;
  elements: number;
}

export interface ConformanceReport {
  backend: string;
  accuracy: AccuracyClass;
  pass: boolean;
  checks: CheckResult[];
  excluded: ExcludedCase[];
  /** Present when the run had `excludeInputs`. */
  excludedInputs?: ExcludedInputs[];
  durationMs: number;
}

export interface ConformanceOptions extends CaseSelection {
  /** Cases not run, each with the reason (shown in reports). Keys are case names. */
  exclude?: Readonly<Record<string, string>>;
  /**
   * Input classes not compared, each with the reason: those elements' f, ∂f/∂x and dx, and the
   * da, db of channels that contain one, are left out; every other element of every case is checked.
   */
  excludeInputs?: InputExclusions;
  /** Check against this class instead of the one the backend declares. */
  accuracy?: AccuracyClass;
  /** Run only these cases (by name). */
  only?: readonly string[];
  /** Called after each case, e.g. for a progress bar. */
  onCase?: (name: string, done: number, total: number) => void;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function failure(c: { name: string }, metric: string, input: CaseInput | undefined, detail: string): CheckResult {
  return {
    case: c.name,
    metric,
    n: input?.x.length ?? 0,
    channels: input?.a.length ?? 0,
    inner: input?.inner ?? 0,
    error: Number.POSITIVE_INFINITY,
    limit: 0,
    unit: 'check',
    pass: false,
    detail,
  };
}

function elementwise(
  c: ConformanceCase,
  metric: string,
  input: CaseInput,
  got: Float32Array,
  want: Float32Array,
  limits: ClassLimits,
  limit: number,
  withDy: boolean,
  skip: Uint8Array | undefined,
): CheckResult {
  if (!(got instanceof Float32Array) || got.length !== want.length) {
    return failure(c, metric, input, `expected a Float32Array(${want.length}), got ${describeValue(got)}`);
  }
  let worst = -1;
  let error = 0;
  let skipped = 0;
  for (let i = 0; i < want.length; i++) {
    if (skip?.[i] === 1) {
      skipped++;
      continue;
    }
    const e = limits.measure(got[i] as number, want[i] as number);
    if (e > error) {
      error = e;
      worst = i;
    }
  }
  const result: CheckResult = {
    case: c.name,
    metric,
    n: input.x.length,
    channels: input.a.length,
    inner: input.inner,
    error,
    limit,
    unit: limits.unit,
    pass: error <= limit,
    ...(skip ? { skipped } : {}),
  };
  if (worst >= 0) {
    const ch = Math.floor(worst / input.inner) % input.a.length;
    result.worst = {
      index: worst,
      x: input.x[worst] as number,
      a: input.a[ch] as number,
      b: input.b[ch] as number,
      got: got[worst] as number,
      want: want[worst] as number,
    };
    if (withDy) result.worst.dy = input.dy[worst] as number;
  }
  return result;
}

/** Channels that hold an excluded element (their sums are not compared). */
function skippedChannels(input: CaseInput, skip: Uint8Array | undefined): Uint8Array | undefined {
  if (skip === undefined) return undefined;
  const out = new Uint8Array(input.a.length);
  for (let i = 0; i < skip.length; i++) if (skip[i] === 1) out[Math.floor(i / input.inner) % input.a.length] = 1;
  return out;
}

function sums(
  c: ConformanceCase,
  suffix: string,
  input: CaseInput,
  got: ApaluGradients,
  ref: ChannelSums,
  limit: number,
  skipChannel: Uint8Array | undefined,
): CheckResult[] {
  const channels = input.a.length;
  return (['da', 'db'] as const).map((name) => {
    const metric = `${name}${suffix}`;
    const values = got[name];
    if (!(values instanceof Float32Array) || values.length !== channels) {
      return failure(c, metric, input, `expected ${name} as a Float32Array(${channels}) (one per channel), got ${describeValue(values)}`);
    }
    let error = 0;
    let worst = -1;
    let skipped = 0;
    for (let ch = 0; ch < channels; ch++) {
      if (skipChannel?.[ch] === 1) {
        skipped++;
        continue;
      }
      let e: number;
      if (ref.hasNaN[ch]) {
        // A NaN input must not vanish from the parameter gradients of its channel.
        e = Number.isNaN(got.da[ch]) || Number.isNaN(got.db[ch]) ? 0 : Number.POSITIVE_INFINITY;
      } else {
        e = sumError(values[ch] as number, ref[name][ch]!);
      }
      if (e > error || (Number.isNaN(e) && worst < 0)) {
        error = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
        worst = ch;
      }
    }
    const result: CheckResult = {
      case: c.name,
      metric,
      n: input.x.length,
      channels,
      inner: input.inner,
      error,
      limit,
      unit: 'relative',
      pass: error <= limit,
      ...(skipChannel ? { skipped } : {}),
    };
    if (worst >= 0) result.worst = { index: worst, got: values[worst] as number, want: Math.fround(ref[name][worst]!.value) };
    return result;
  });
}

function describeValue(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  return v === null ? 'null' : typeof v;
}

function sameContents(p: Float32Array, q: Float32Array): boolean {
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) {
    const u = p[i] as number;
    const v = q[i] as number;
    if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) return false;
  }
  return true;
}

async function runCase(
  backend: ApaluBackend,
  c: ConformanceCase,
  limits: ClassLimits,
  exclusions: InputExclusions | undefined,
  tally: Map<string, number>,
): Promise<CheckResult[]> {
  const input = c.build();
  const excludedInputs = excludedMask(input.x, exclusions);
  const skip = excludedInputs?.mask;
  const skipChannel = skippedChannels(input, skip);
  for (const [name, count] of excludedInputs?.counts ?? []) tally.set(name, (tally.get(name) ?? 0) + count);
  const copy = { x: input.x.slice(), dy: input.dy.slice(), a: input.a.slice(), b: input.b.slice() };
  const ref = computeReference(input);
  const layout = { inner: input.inner };
  const results: CheckResult[] = [];
  const ones = new Float32Array(input.x.length).fill(1);
  try {
    const f = await backend.forward(input.x, input.a, input.b, layout);
    results.push(elementwise(c, 'f', input, f, ref.f, limits, limits.elementwise, false, skip));
  } catch (error) {
    results.push(failure(c, 'f', input, `forward threw ${describeError(error)}`));
  }
  try {
    const g = await backend.backward(input.x, ones, input.a, input.b, layout);
    results.push(elementwise(c, "f'", input, g?.dx, ref.d, limits, limits.elementwise, false, skip));
    results.push(...sums(c, '(dy=1)', input, g, ref.ones, limits.sumRelative, skipChannel));
  } catch (error) {
    results.push(failure(c, "f'", input, `backward (dy = 1) threw ${describeError(error)}`));
  }
  try {
    const g = await backend.backward(input.x, input.dy, input.a, input.b, layout);
    results.push(elementwise(c, 'dx', input, g?.dx, ref.dx, limits, limits.elementwiseScaled, true, skip));
    results.push(...sums(c, '', input, g, ref.general, limits.sumRelative, skipChannel));
  } catch (error) {
    results.push(failure(c, 'dx', input, `backward threw ${describeError(error)}`));
  }
  if (input.inner === 1) {
    // Channels-last data is what most callers pass without a layout: forward(x, a, b) and
    // forward(x, a, b, {}) must mean inner = 1, exactly like { inner: 1 }.
    const defaults: [string, (fwd: boolean) => Promise<unknown>][] = [
      [
        'no layout',
        (fwd) => (fwd ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
      ],
      [
        'layout {}',
        (fwd) => (fwd ? backend.forward(input.x, input.a, input.b, {}) : backend.backward(input.x, input.dy, input.a, input.b, {})),
      ],
    ];
    for (const [how, call] of defaults) {
      const suffix = `(${how})`;
      try {
        const f = (await call(true)) as Float32Array;
        results.push(elementwise(c, `f${suffix}`, input, f, ref.f, limits, limits.elementwise, false, skip));
      } catch (error) {
        results.push(failure(c, `f${suffix}`, input, `forward with ${how} threw ${describeError(error)}`));
      }
      try {
        const g = (await call(false)) as ApaluGradients;
        results.push(elementwise(c, `dx${suffix}`, input, g?.dx, ref.dx, limits, limits.elementwiseScaled, true, skip));
        results.push(...sums(c, suffix, input, g, ref.general, limits.sumRelative, skipChannel));
      } catch (error) {
        results.push(failure(c, `dx${suffix}`, input, `backward with ${how} threw ${describeError(error)}`));
      }
    }
  }
  const unchanged =
    sameContents(input.x, copy.x) && sameContents(input.dy, copy.dy) && sameContents(input.a, copy.a) && sameContents(input.b, copy.b);
  results.push({
    case: c.name,
    metric: 'inputs unchanged',
    n: input.x.length,
    channels: input.a.length,
    inner: input.inner,
    error: unchanged ? 0 : 1,
    limit: 0,
    unit: 'check',
    pass: unchanged,
    ...(unchanged ? {} : { detail: 'the backend modified x, dy, a or b' }),
  });
  return results;
}

async function runRejection(backend: ApaluBackend, r: RejectionCase): Promise<CheckResult> {
  const x = Float32Array.from([-2, -0.5, 0, 0.5, 2, 3]);
  const before = x.slice();
  let detail: string | undefined;
  try {
    await r.call(backend, x);
    detail = `accepted ${r.description}; the SPEC.md shipped in @apalu/core requires an error before anything is written`;
  } catch (error) {
    if (!(error instanceof Error) || error.message.length < 10) detail = `rejected with an unhelpful error: ${describeError(error)}`;
  }
  if (detail === undefined && !sameContents(x, before)) detail = 'rejected, but x was modified';
  const pass = detail === undefined;
  return { case: r.name, metric: 'rejects', n: 0, channels: 0, inner: 0, error: pass ? 0 : 1, limit: 0, unit: 'check', pass, ...(pass ? {} : { detail }) };
}

/** Every case name runConformance would run with these options (rejection cases included). */
export function listCaseNames(options: CaseSelection = {}): string[] {
  return [...conformanceCases(options).map((c) => c.name), ...REJECTION_CASES.map((r) => r.name)];
}

/** Runs the SPEC input set against a backend and returns a report a third party can read. */
export async function runConformance(backend: ApaluBackend, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = performance.now();
  const accuracy = options.accuracy ?? backend.accuracy;
  const limits = Object.hasOwn(ACCURACY_CLASSES, accuracy) ? ACCURACY_CLASSES[accuracy] : undefined;
  if (limits === undefined) throw new TypeError(`accuracy = ${String(accuracy)}: use 'strict' or 'composed'.`);
  const exclude = options.exclude ?? {};
  const selected = (name: string) => options.only === undefined || options.only.includes(name);
  const cases = conformanceCases(options).filter((c) => selected(c.name));
  const rejections = REJECTION_CASES.filter((r) => selected(r.name));
  const total = cases.length + rejections.length;
  const checks: CheckResult[] = [];
  const excluded: ExcludedCase[] = [];
  const tally = new Map<string, number>();
  let done = 0;
  for (const c of cases) {
    if (exclude[c.name] !== undefined) excluded.push({ case: c.name, reason: exclude[c.name] as string });
    else checks.push(...(await runCase(backend, c, limits, options.excludeInputs, tally)));
    options.onCase?.(c.name, ++done, total);
  }
  for (const r of rejections) {
    if (exclude[r.name] !== undefined) excluded.push({ case: r.name, reason: exclude[r.name] as string });
    else checks.push(await runRejection(backend, r));
    options.onCase?.(r.name, ++done, total);
  }
  return {
    backend: backend.name,
    accuracy,
    pass: checks.every((c) => c.pass),
    checks,
    excluded,
    ...(options.excludeInputs
      ? {
          excludedInputs: Object.entries(options.excludeInputs).map(([inputs, reason]) => ({ inputs, reason: reason as string, elements: tally.get(inputs) ?? 0 })),
        }
      : {}),
    durationMs: performance.now() - started,
  };
}

/** One line per failing check, for assertion messages and logs. */
export function formatFailures(checks: readonly CheckResult[]): string {
  return checks
    .filter((c) => !c.pass)
    .map((c) => {
      const where = c.worst
        ? ` at [${c.worst.index}]${c.worst.x !== undefined ? ` x=${c.worst.x}` : ''}${c.worst.a !== undefined ? ` a=${c.worst.a} b=${c.worst.b}` : ''}${c.worst.dy !== undefined ? ` dy=${c.worst.dy}` : ''}: got ${c.worst.got}, want ${c.worst.want}`
        : '';
      return `${c.case} ${c.metric}: ${c.detail ?? `error ${c.error} ${c.unit} > ${c.limit}`}${where}`;
    })
    .join('\n');
}
