/** Checks the arguments of every call (float arrays, per-channel a and b, the layout C·S, dy) and throws ApaluInputError naming what is wrong. */
import { ApaluInputError } from './errors.js';
import { assertReadable } from './live.js';

/** A float array core can compute on. */
export type FloatArray = Float32Array | Float64Array;

/** Anything holding the per-channel parameters a or b. */
export type ParamArray = ArrayLike<number>;

/** The resolved layout of one call: C channels, inner size S (SPEC.md, "Parameter layout"). */
export interface ResolvedLayout {
  channels: number;
  inner: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : `${typeof value} ${String(value)}`;
}

export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** Rejects anything that is not a Float32Array or Float64Array. */
export function assertFloatArray(name: string, value: unknown): asserts value is FloatArray {
  if (!isFloatArray(value)) {
    throw new ApaluInputError(
      'E_TYPE',
      `${name} must be a Float32Array or Float64Array, got ${describe(value)}; convert it with Float32Array.from(${name}).`,
    );
  }
}

/**
 * Checks a and b: same length C ≥ 1, every value finite and > 0. The message names the
 * first bad element so a user can find it in a checkpoint.
 */
export function validateParams(a: ParamArray, b: ParamArray): number {
  for (const [name, p] of [['a', a], ['b', b]] as const) {
    if (p === null || typeof p !== 'object' || typeof p.length !== 'number') {
      throw new ApaluInputError('E_TYPE', `${name} must be an array of per-channel values, got ${describe(p)}; pass e.g. new Float32Array([1]).`);
    }
    // An array-like with length −1, 1.5, NaN or ∞ would skip the per-element checks below.
    if (!(Number.isSafeInteger(p.length) && p.length >= 0)) {
      throw new ApaluInputError(
        'E_TYPE',
        `${name}.length = ${String(p.length)}: ${name} must be an array of per-channel values with a whole, non-negative length; pass e.g. new Float32Array([1]).`,
      );
    }
  }
  if (a.length === 0) {
    throw new ApaluInputError('E_CHANNELS', 'a.length = 0: APALU needs at least one channel (C ≥ 1); pass one shared pair as a = [a0], b = [b0].');
  }
  if (a.length !== b.length) {
    throw new ApaluInputError(
      'E_CHANNELS',
      `a.length = ${a.length} but b.length = ${b.length}: a and b hold one value per channel and must have the same length C.`,
    );
  }
  for (const [name, p] of [['a', a], ['b', b]] as const) {
    for (let c = 0; c < p.length; c++) {
      const v = p[c] as number;
      if (!(Number.isFinite(v) && v > 0)) {
        throw new ApaluInputError(
          'E_PARAM',
          `${name}[${c}] = ${String(v)}: APALU needs every ${name} finite and > 0 (see the SPEC.md shipped in @apalu/core); ` +
            `initialise with uniform(0, 2) and keep ${name} positive during training (clamp or a positivity constraint).`,
        );
      }
    }
  }
  return a.length;
}

/**
 * a and b as fresh Float32Arrays, checked after rounding: a value that is fine in float64 may
 * be 0 or ∞ in float32 (1e-50, 1e39), the type every float32 backend computes with. Runs
 * `validateParams` on the values as given first.
 */
export function float32Params(a: ParamArray, b: ParamArray): { channels: number; a: Float32Array; b: Float32Array } {
  const channels = validateParams(a, b);
  const a32 = Float32Array.from(a as ArrayLike<number>);
  const b32 = Float32Array.from(b as ArrayLike<number>);
  for (const [name, given, stored] of [['a', a, a32], ['b', b, b32]] as const) {
    for (let c = 0; c < stored.length; c++) {
      const v = stored[c] as number;
      if (!(Number.isFinite(v) && v > 0)) {
        throw new ApaluInputError(
          'E_PARAM',
          `${name}[${c}] = ${String(given[c])} is ${String(v)} in float32 (so ${name}[${c}] = ${String(v)} where it is computed): ` +
            `APALU needs every ${name} finite and > 0 after rounding to float32, i.e. between about 1.4e-45 and 3.4e38.`,
        );
      }
    }
  }
  return { channels, a: a32, b: b32 };
}

/** Checks that `length` elements fit the layout C·S exactly and returns it resolved. */
export function validateLayout(length: number, channels: number, inner: number | undefined): ResolvedLayout {
  const s = inner ?? 1;
  if (!(Number.isSafeInteger(s) && s >= 1)) {
    throw new ApaluInputError(
      'E_LAYOUT',
      `inner = ${String(inner)}: the inner size S must be a positive integer (1 for channels-last data, H·W for channels-first).`,
    );
  }
  if (length % (channels * s) !== 0) {
    throw new ApaluInputError(
      'E_LAYOUT',
      `x.length = ${length} is not a multiple of C·S = ${channels}·${s} = ${channels * s}: ` +
        'a.length is the channel count C and inner the inner size S; check the layout (channels-last: inner = 1; channels-first: inner = H·W).',
    );
  }
  return { channels, inner: s };
}

/** Validates everything a forward or backward call needs, before any output is written. */
export function validateCall(x: unknown, a: ParamArray, b: ParamArray, inner: number | undefined, dy?: unknown): ResolvedLayout {
  assertFloatArray('x', x);
  for (const [name, v] of [['x', x], ['dy', dy], ['a', a], ['b', b]] as const) assertReadable(name, v);
  const channels = validateParams(a, b);
  const layout = validateLayout(x.length, channels, inner);
  if (dy !== undefined) {
    assertFloatArray('dy', dy);
    if (dy.length !== x.length) {
      throw new ApaluInputError('E_LENGTH', `dy.length = ${dy.length} but x.length = ${x.length}: the upstream gradient must match x element for element.`);
    }
  }
  return layout;
}

function assertFloat32(pass: 'forward' | 'backward', name: string, value: unknown): asserts value is Float32Array {
  if (value instanceof Float32Array) return;
  const missing = value === undefined || value === null;
  throw new ApaluInputError(
    'E_TYPE',
    missing
      ? `${name} is ${String(value)}: ${pass}() needs ${name} as a Float32Array (${pass === 'backward' ? 'backward(x, dy, a, b, layout?)' : 'forward(x, a, b, layout?)'}).`
      : `${name} is ${describe(value)}: a backend's ${pass}() takes ${name} as a Float32Array and returns float32; convert it with Float32Array.from(${name}).`,
  );
}

/**
 * The checks of a backend's `forward(x, a, b, layout?)` (the call contract in SPEC.md): x a live
 * Float32Array, a and b live, finite and > 0, x.length a multiple of C·S. Run it before any output
 * is written or any resource allocated.
 */
export function validateForwardCall(x: unknown, a: ParamArray, b: ParamArray, layout?: { inner?: number }): ResolvedLayout {
  assertFloat32('forward', 'x', x);
  return validateCall(x, a, b, layout?.inner);
}

/** The checks of a backend's `backward(x, dy, a, b, layout?)`: `validateForwardCall`'s, and dy a live Float32Array of x's length. */
export function validateBackwardCall(x: unknown, dy: unknown, a: ParamArray, b: ParamArray, layout?: { inner?: number }): ResolvedLayout {
  assertFloat32('backward', 'x', x);
  assertFloat32('backward', 'dy', dy);
  return validateCall(x, a, b, layout?.inner, dy);
}
