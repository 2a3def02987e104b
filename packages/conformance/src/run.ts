/** runConformance: runs the value, rejection and contract cases on a backend and reports every check against its accuracy class. */
import { type AccuracyClass, type ApaluBackend, type ApaluGradients, ApaluInputError } from '@apalu/core';
import { type CaseInput, type CaseSelection, type ConformanceCase, conformanceCases } from './cases.js';
import { ACCURACY_CLASSES, type ClassLimits } from './classes.js';
import { type InputExclusions, excludedMask } from './exclusions.js';
import { computeReference } from './reference.js';
import { type CheckResult, describeError, describeValue, elementwise, failure, sameContents, skippedChannels, sums } from './checks.js';

export type { CheckResult } from './checks.js';
import { REJECTION_CASES, type RejectionCase } from './rejections.js';
import { CONTRACT_CASE_NAMES, DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED, runContractCase } from './contract.js';
import { CallTimeoutError, DEFAULT_CALL_TIMEOUT, outcome, timed } from './timeout.js';

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
  /**
   * Time limit of every backend call in ms (default 60,000): a call that neither resolves nor
   * rejects in time fails its case ("did not settle within …").
   */
  callTimeout?: number;
  /**
   * A factory of fresh backends like the one under test, for dispose-mid-flight (which disposes
   * the backend it runs on). Without it that case is reported as excluded.
   */
  create?: () => Promise<ApaluBackend> | ApaluBackend;
  /** Seed of the property case (default DEFAULT_PROPERTY_SEED, fixed so CI runs the same slice). */
  seed?: number;
  /** Random inputs the property case tries (default 200; the fuzz command runs 100,000). */
  runs?: number;
  /** With `seed`: the fast-check path of a reported counterexample, to replay just that input. */
  propertyPath?: string;
}

function positiveInteger(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(Number.isSafeInteger(v) && v >= 1)) throw new ApaluInputError('E_OPTION', `${name} = ${String(v)}: expected a positive integer.`);
  return v;
}

async function runCase(
  backend: ApaluBackend,
  c: ConformanceCase,
  limits: ClassLimits,
  exclusions: InputExclusions | undefined,
  tally: Map<string, number>,
  ms: number,
): Promise<CheckResult[]> {
  const input = c.build();
  // f and the dy = 1 backward by x alone; the backward with the case's dy also by dy's class.
  const skip = excludedMask(input, exclusions)?.mask;
  const skipChannel = skippedChannels(input, skip);
  const excludedGeneral = excludedMask(input, exclusions, input.dy);
  const skipGeneral = excludedGeneral?.mask;
  const skipGeneralChannel = skippedChannels(input, skipGeneral);
  for (const [name, count] of excludedGeneral?.counts ?? []) tally.set(name, (tally.get(name) ?? 0) + count);
  const copy = { x: input.x.slice(), dy: input.dy.slice(), a: input.a.slice(), b: input.b.slice() };
  const ref = computeReference(input);
  const layout = { inner: input.inner };
  const results: CheckResult[] = [];
  const ones = new Float32Array(input.x.length).fill(1);
  try {
    const f = await timed('forward', ms, () => backend.forward(input.x, input.a, input.b, layout));
    results.push(elementwise(c, 'f', input, f, ref.f, limits, limits.elementwise, false, skip));
  } catch (error) {
    results.push(failure(c, 'f', input, outcome('forward', error)));
  }
  try {
    const g = await timed('backward (dy = 1)', ms, () => backend.backward(input.x, ones, input.a, input.b, layout));
    results.push(elementwise(c, "f'", input, g?.dx, ref.d, limits, limits.elementwise, false, skip));
    results.push(...sums(c, '(dy=1)', input, g, ref.ones, limits, skipChannel));
  } catch (error) {
    results.push(failure(c, "f'", input, outcome('backward (dy = 1)', error)));
  }
  try {
    const g = await timed('backward', ms, () => backend.backward(input.x, input.dy, input.a, input.b, layout));
    results.push(elementwise(c, 'dx', input, g?.dx, ref.dx, limits, limits.elementwiseScaled, true, skipGeneral, ref.dxAlsoDy));
    results.push(...sums(c, '', input, g, ref.general, limits, skipGeneralChannel));
  } catch (error) {
    results.push(failure(c, 'dx', input, outcome('backward', error)));
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
        const f = (await timed(`forward with ${how}`, ms, () => call(true))) as Float32Array;
        results.push(elementwise(c, `f${suffix}`, input, f, ref.f, limits, limits.elementwise, false, skip));
      } catch (error) {
        results.push(failure(c, `f${suffix}`, input, outcome(`forward with ${how}`, error)));
      }
      try {
        const g = (await timed(`backward with ${how}`, ms, () => call(false))) as ApaluGradients;
        results.push(elementwise(c, `dx${suffix}`, input, g?.dx, ref.dx, limits, limits.elementwiseScaled, true, skipGeneral, ref.dxAlsoDy));
        results.push(...sums(c, suffix, input, g, ref.general, limits, skipGeneralChannel));
      } catch (error) {
        results.push(failure(c, `dx${suffix}`, input, outcome(`backward with ${how}`, error)));
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

async function runRejection(backend: ApaluBackend, r: RejectionCase, ms: number): Promise<CheckResult> {
  const x = Float32Array.from([-2, -0.5, 0, 0.5, 2, 3]);
  const before = x.slice();
  let detail: string | undefined;
  try {
    const result = await timed(r.name, ms, () => r.call(backend, x));
    detail = `accepted ${r.description} (returned ${describeValue(result)}); the SPEC.md shipped in @apalu/core requires an error before anything is written`;
  } catch (error) {
    if (error instanceof CallTimeoutError) detail = error.message;
    else if (!(error instanceof Error) || error.message.length < 10) detail = `rejected with an unhelpful error: ${describeError(error)}`;
    else if (r.code !== undefined && (error as { code?: unknown }).code !== r.code) {
      detail = `rejected ${r.description} with ${describeError(error)} (code ${String((error as { code?: unknown }).code)}); the call contract requires ApaluInputError code ${r.code}`;
    }
  }
  if (detail === undefined && !sameContents(x, before)) detail = 'rejected, but x was modified';
  const pass = detail === undefined;
  return { case: r.name, metric: 'rejects', n: 0, channels: 0, inner: 0, error: pass ? 0 : 1, limit: 0, unit: 'check', pass, ...(pass ? {} : { detail }) };
}

/** Every case name runConformance would run with these options (rejection cases included). */
export function listCaseNames(options: CaseSelection = {}): string[] {
  return [...conformanceCases(options).map((c) => c.name), ...REJECTION_CASES.map((r) => r.name), ...CONTRACT_CASE_NAMES];
}

/** Runs the SPEC input set against a backend and returns a report a third party can read. */
export async function runConformance(backend: ApaluBackend, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = performance.now();
  const accuracy = options.accuracy ?? backend.accuracy;
  const limits = Object.hasOwn(ACCURACY_CLASSES, accuracy) ? ACCURACY_CLASSES[accuracy] : undefined;
  if (limits === undefined) throw new ApaluInputError('E_OPTION', `accuracy = ${String(accuracy)}: use 'strict' or 'composed'.`);
  const exclude = options.exclude ?? {};
  const selected = (name: string) => options.only === undefined || options.only.includes(name);
  const cases = conformanceCases(options).filter((c) => selected(c.name));
  const rejections = REJECTION_CASES.filter((r) => selected(r.name));
  const contract = CONTRACT_CASE_NAMES.filter(selected);
  const total = cases.length + rejections.length + contract.length;
  const ms = options.callTimeout ?? DEFAULT_CALL_TIMEOUT;
  if (!(typeof ms === 'number' && ms > 0 && ms <= 2_147_483_647)) throw new ApaluInputError('E_OPTION', `callTimeout = ${String(ms)}: expected a time limit in ms, > 0 and at most 2^31 − 1.`);
  const seed = options.seed ?? DEFAULT_PROPERTY_SEED;
  if (!(Number.isSafeInteger(seed) && seed >= -(2 ** 31) && seed < 2 ** 32)) throw new ApaluInputError('E_OPTION', `seed = ${String(seed)}: expected a 32-bit integer.`);
  const runs = positiveInteger('runs', options.runs, DEFAULT_PROPERTY_RUNS);
  if (options.propertyPath !== undefined && !/^\d+(:\d+)*$/.test(options.propertyPath)) {
    throw new ApaluInputError('E_OPTION', `propertyPath = ${String(options.propertyPath)}: expected a fast-check path like "12:0:3" from a report.`);
  }
  const checks: CheckResult[] = [];
  const excluded: ExcludedCase[] = [];
  const tally = new Map<string, number>();
  let done = 0;
  for (const c of cases) {
    if (exclude[c.name] !== undefined) excluded.push({ case: c.name, reason: exclude[c.name] as string });
    else checks.push(...(await runCase(backend, c, limits, options.excludeInputs, tally, ms)));
    options.onCase?.(c.name, ++done, total);
  }
  for (const r of rejections) {
    if (exclude[r.name] !== undefined) excluded.push({ case: r.name, reason: exclude[r.name] as string });
    else checks.push(await runRejection(backend, r, ms));
    options.onCase?.(r.name, ++done, total);
  }
  const context = { backend, create: options.create, limits, exclusions: options.excludeInputs, callTimeout: ms, seed, runs, path: options.propertyPath };
  for (const name of contract) {
    if (exclude[name] !== undefined) excluded.push({ case: name, reason: exclude[name] as string });
    else {
      const result = await runContractCase(name, context);
      if ('excluded' in result) excluded.push({ case: name, reason: result.excluded });
      else checks.push(...result.checks);
    }
    options.onCase?.(name, ++done, total);
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
