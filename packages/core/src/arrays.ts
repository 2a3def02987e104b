/** forward and backward over whole float arrays: APALU per channel in float64, rounded once, with the per-channel da, db sums. */
import { ApaluInputError } from './errors.js';
import { apalu, apaluGrad } from './scalar.js';
import { CompensatedSum } from './sum.js';
import { type FloatArray, type ParamArray, assertFloatArray, validateCall } from './validate.js';

export interface ForwardOptions<T extends FloatArray> {
  /** Inner size S: 1 for channels-last data (default), H·W for channels-first. */
  inner?: number;
  /** Where to write f(x); same type and length as x. May be x itself. */
  out?: T;
}

export interface BackwardOptions {
  /** Inner size S: 1 for channels-last data (default), H·W for channels-first. */
  inner?: number;
}

export interface BackwardResult<T extends FloatArray> {
  /** dy·∂f/∂x, one per element of x. */
  dx: T;
  /** Σ dy·∂f/∂a over each channel, length C. */
  da: T;
  /** Σ dy·∂f/∂b over each channel, length C. */
  db: T;
}

function like<T extends FloatArray>(x: T, length: number): T {
  return (x instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as T;
}

/**
 * f(x) element-wise with per-channel a, b (channel of element i: floor(i / inner) mod C).
 * Computed in float64 and rounded once to x's type, so float32 results are within 0.5 ULP.
 */
export function forward<T extends FloatArray>(x: T, a: ParamArray, b: ParamArray, options: ForwardOptions<T> = {}): T {
  const { channels, inner } = validateCall(x, a, b, options.inner);
  const out = options.out ?? like(x, x.length);
  if (options.out !== undefined) {
    assertFloatArray('out', options.out);
    if (options.out.constructor !== x.constructor || options.out.length !== x.length) {
      // The same codes as every backend's caller-owned outputs: a type mismatch is E_TYPE, a length mismatch E_LENGTH.
      throw new ApaluInputError(
        options.out.constructor !== x.constructor ? 'E_TYPE' : 'E_LENGTH',
        `out is a ${options.out.constructor.name}(${options.out.length}) but x is a ${x.constructor.name}(${x.length}): out must match x in type and length (or be omitted).`,
      );
    }
  }
  const blocks = x.length / inner;
  for (let block = 0, i = 0; block < blocks; block++) {
    const c = block % channels;
    const ac = a[c] as number;
    const bc = b[c] as number;
    for (const end = i + inner; i < end; i++) out[i] = apalu(x[i] as number, ac, bc);
  }
  return out;
}

/**
 * The backward pass: dx = dy·∂f/∂x, and da, db summed per channel with compensated
 * summation (relative error near one rounding, independent of length).
 */
export function backward<T extends FloatArray>(
  x: T,
  dy: T,
  a: ParamArray,
  b: ParamArray,
  options: BackwardOptions = {},
): BackwardResult<T> {
  const { channels, inner } = validateCall(x, a, b, options.inner, dy);
  const dx = like(x, x.length);
  const sumA = Array.from({ length: channels }, () => new CompensatedSum());
  const sumB = Array.from({ length: channels }, () => new CompensatedSum());
  const blocks = x.length / inner;
  for (let block = 0, i = 0; block < blocks; block++) {
    const c = block % channels;
    const ac = a[c] as number;
    const bc = b[c] as number;
    const accA = sumA[c] as CompensatedSum;
    const accB = sumB[c] as CompensatedSum;
    for (const end = i + inner; i < end; i++) {
      const g = dy[i] as number;
      const grad = apaluGrad(x[i] as number, ac, bc);
      dx[i] = g * grad.dx;
      // Each sum runs over its own branch only (x ≥ 0 for a, x < 0 for b), as a masked
      // SIMD kernel computes it: the other branch's exact zeros are not terms.
      if (x[i]! >= 0) accA.add(g * grad.da);
      else if (x[i]! < 0) accB.add(g * grad.db);
      else {
        accA.add(Number.NaN);
        accB.add(Number.NaN);
      }
    }
  }
  const da = like(x, channels);
  const db = like(x, channels);
  for (let c = 0; c < channels; c++) {
    da[c] = (sumA[c] as CompensatedSum).value;
    db[c] = (sumB[c] as CompensatedSum).value;
  }
  return { dx, da, db };
}
