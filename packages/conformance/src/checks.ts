/** The measurements behind every case: element-wise error in ULPs or composed ratio, per-channel sum error, and failure records. */
import type { ApaluGradients } from '@apalu/core';
import type { CaseInput, ConformanceCase } from './cases.js';
import type { ClassLimits } from './classes.js';
import { type ChannelSums, sumError } from './reference.js';

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
  /** The property case's minimal failing input (after shrinking), with the fast-check seed and path that replay it. */
  counterexample?: { seed: number; path: string; channels?: number; inner?: number; x?: number[]; dy?: number[]; a?: number[]; b?: number[] };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function failure(c: { name: string }, metric: string, input: CaseInput | undefined, detail: string): CheckResult {
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

export function elementwise(
  c: Pick<ConformanceCase, 'name'>,
  metric: string,
  input: CaseInput,
  got: Float32Array,
  want: Float32Array,
  limits: ClassLimits,
  limit: number,
  withDy: boolean,
  skip: Uint8Array | undefined,
  /** Elements where got = dy (±∞) is accepted too (CaseReference.dxAlsoDy). */
  alsoDy?: Uint8Array,
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
    const e = alsoDy?.[i] === 1 && got[i] === input.dy[i] ? 0 : limits.measure(got[i] as number, want[i] as number);
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
export function skippedChannels(input: CaseInput, skip: Uint8Array | undefined): Uint8Array | undefined {
  if (skip === undefined) return undefined;
  const out = new Uint8Array(input.a.length);
  for (let i = 0; i < skip.length; i++) if (skip[i] === 1) out[Math.floor(i / input.inner) % input.a.length] = 1;
  return out;
}

export function sums(
  c: Pick<ConformanceCase, 'name'>,
  suffix: string,
  input: CaseInput,
  got: ApaluGradients,
  ref: ChannelSums,
  limits: Pick<ClassLimits, 'sumRelative' | 'termSlack' | 'partialOverflow'>,
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
      if (ref.hasNaN[ch] && Number.isNaN(values[ch])) {
        e = 0; // the channel's NaN shows in this sum
      } else if (ref.hasNaN[ch] && !Number.isNaN(got[name === 'da' ? 'db' : 'da'][ch])) {
        e = Number.POSITIVE_INFINITY; // a NaN input must not vanish from the parameter gradients of its channel
      } else {
        // A NaN x goes to one branch's sum (x ≥ 0 is false, and so is x < 0); the other sum
        // holds only that branch's terms, which the NaN-free reference sums exactly.
        e = sumError(values[ch] as number, ref[name][ch]!, limits);
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
      limit: limits.sumRelative,
      unit: 'relative',
      pass: error <= limits.sumRelative,
      ...(skipChannel ? { skipped } : {}),
    };
    if (worst >= 0) result.worst = { index: worst, got: values[worst] as number, want: Math.fround(ref[name][worst]!.value) };
    return result;
  });
}

export function describeValue(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  return v === null ? 'null' : typeof v;
}

export function sameContents(p: Float32Array, q: Float32Array): boolean {
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) {
    const u = p[i] as number;
    const v = q[i] as number;
    if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) return false;
  }
  return true;
}

