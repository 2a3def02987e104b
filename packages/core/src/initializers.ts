/** Parameter initializers for a and b: seeded uniform, constant, and fitTo, which fits APALU to relu, elu, gelu and the like. */
import { ApaluInputError } from './errors.js';
import { openUnit, splitmix32 } from './random.js';
import { APALU_K, apalu } from './scalar.js';
import { erf } from './special.js';

/** Produces `count` parameter values; calling it twice gives the same values. */
export interface ParamInitializer {
  (count: number): Float32Array;
  (count: number, dtype: 'float32'): Float32Array;
  (count: number, dtype: 'float64'): Float64Array;
  /** Plain-data description, enough to rebuild the initializer (for serialisation). */
  readonly config: Readonly<Record<string, number | string>>;
}

function checkCount(count: number): void {
  if (!(Number.isSafeInteger(count) && count >= 0)) {
    throw new ApaluInputError('E_COUNT', `count = ${String(count)}: the number of parameters must be a non-negative integer (the channel count C).`);
  }
}

function makeInitializer(config: Record<string, number | string>, fill: (out: Float32Array | Float64Array) => void): ParamInitializer {
  const init = (count: number, dtype: 'float32' | 'float64' = 'float32') => {
    checkCount(count);
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ApaluInputError('E_TYPE', `dtype = ${String(dtype)}: use 'float32' or 'float64'.`);
    }
    const out = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
    fill(out);
    return out;
  };
  return Object.assign(init, { config: Object.freeze({ ...config }) }) as ParamInitializer;
}

/**
 * Uniform values in the open interval (min, max), seeded and identical on every platform.
 * The paper initialises a and b from uniform(0, 2).
 */
export function uniform(min = 0, max = 2, seed = 0): ParamInitializer {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max > min)) {
    throw new ApaluInputError(
      'E_RANGE',
      `uniform(${String(min)}, ${String(max)}): need 0 ≤ min < max, both finite, so every value is > 0 (the paper uses uniform(0, 2)).`,
    );
  }
  if (!Number.isInteger(seed)) {
    throw new ApaluInputError('E_SEED', `seed = ${String(seed)}: the seed must be an integer (it is used modulo 2^32).`);
  }
  return makeInitializer({ name: 'uniform', min, max, seed }, (out) => {
    const float32 = out instanceof Float32Array;
    const next = splitmix32(seed);
    for (let i = 0; i < out.length; i++) {
      let v = min + (max - min) * openUnit(next);
      // Rounding (to float32, or of the float64 sum) may land on an end point: step to the
      // nearest value of the output type strictly inside the interval.
      if (float32) v = Math.fround(v);
      if (v <= min) v = float32 ? above32(min) : above64(min);
      if (v >= max) v = float32 ? below32(max) : below64(max);
      if (!(v > min && v < max)) {
        throw new ApaluInputError(
          'E_RANGE',
          `uniform(${String(min)}, ${String(max)}): no ${float32 ? 'float32' : 'float64'} lies strictly between min and max; widen the interval.`,
        );
      }
      out[i] = v;
    }
  });
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The smallest float32 > v (v ≥ 0 finite, −0 included). */
function above32(v: number): number {
  if (v === 0) return 1.401298464324817e-45; // also for −0, whose bits + 1 would be negative
  f32[0] = v; // rounds to nearest: may be below, at or above v
  if ((f32[0] as number) > v) return f32[0] as number;
  u32[0] = (u32[0] as number) + 1; // v > 0: +1 on the bits is the next float32 up
  return f32[0] as number;
}

/** The largest float32 < v (v > 0 finite); 0 when v is at most the smallest subnormal. */
function below32(v: number): number {
  f32[0] = v;
  if ((f32[0] as number) < v) return f32[0] as number;
  if ((f32[0] as number) === 0) return 0;
  u32[0] = (u32[0] as number) - 1;
  return f32[0] as number;
}

/** The smallest float64 > v (v ≥ 0 finite, −0 included). */
function above64(v: number): number {
  if (v === 0) return Number.MIN_VALUE; // also for −0
  f64[0] = v;
  u64[0] = (u64[0] as bigint) + 1n;
  return f64[0] as number;
}

/** The largest float64 < v (v > 0 finite). */
function below64(v: number): number {
  f64[0] = v;
  u64[0] = (u64[0] as bigint) - 1n;
  return f64[0] as number;
}

/** Every value equal to v (finite, > 0). */
export function constant(value: number): ParamInitializer {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ApaluInputError('E_PARAM', `constant(${String(value)}): APALU parameters must be finite and > 0; e.g. constant(1).`);
  }
  return makeInitializer({ name: 'constant', value }, (out) => out.fill(value));
}

/** Activations `fitTo` can imitate. */
export type KnownActivation = 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'silu';

export interface FitOptions {
  /** Negative slope of leakyRelu (default 0.01, as in PyTorch and the Deep SVDD paper) or α of elu (default 1). */
  alpha?: number;
  /** Lower bound for a and b: the SPEC needs them > 0 even where the best fit is 0 (relu's b). Default 1e-3. */
  minParam?: number;
  /** Quadrature points on the range (default 4001). */
  samples?: number;
}

export interface FitResult {
  a: number;
  b: number;
  /** Root-mean-square error of the fitted APALU against the target over the range. */
  rmse: number;
}

const TARGETS: Record<KnownActivation, (x: number, alpha: number) => number> = {
  relu: (x) => Math.max(0, x),
  leakyRelu: (x, alpha) => (x >= 0 ? x : alpha * x),
  elu: (x, alpha) => (x >= 0 ? x : alpha * Math.expm1(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  silu: (x) => x / (1 + Math.exp(-x)),
};

const DEFAULT_ALPHA: Record<KnownActivation, number> = { relu: 0, leakyRelu: 0.01, elu: 1, gelu: 0, silu: 0 };

/**
 * The (a, b) whose APALU is closest to a known activation in least squares (L2 over the
 * range, Simpson quadrature) — the way Padé activation units are initialised. f is linear
 * in a on x ≥ 0 and in b on x < 0, so each is a closed-form projection.
 */
export function fitTo(name: KnownActivation, range: readonly [number, number] = [-4, 4], options: FitOptions = {}): FitResult {
  // Own keys only: 'constructor', 'toString' and other Object.prototype names are not activations.
  const target = Object.hasOwn(TARGETS, name) ? TARGETS[name] : undefined;
  if (target === undefined) {
    throw new ApaluInputError('E_ACTIVATION', `fitTo('${String(name)}'): unknown activation; use one of ${Object.keys(TARGETS).join(', ')}.`);
  }
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < 0 && hi > 0)) {
    throw new ApaluInputError(
      'E_RANGE',
      `fitTo range [${String(lo)}, ${String(hi)}]: need finite lo < 0 < hi, since a is fitted on x ≥ 0 and b on x < 0.`,
    );
  }
  const alpha = options.alpha ?? DEFAULT_ALPHA[name];
  const minParam = options.minParam ?? 1e-3;
  const samples = options.samples ?? 4001;
  if (!(Number.isFinite(alpha) && alpha >= 0)) throw new ApaluInputError('E_PARAM', `alpha = ${String(alpha)}: must be finite and ≥ 0.`);
  if (!(Number.isFinite(minParam) && minParam > 0)) throw new ApaluInputError('E_PARAM', `minParam = ${String(minParam)}: must be finite and > 0.`);
  if (!(Number.isSafeInteger(samples) && samples >= 3)) throw new ApaluInputError('E_COUNT', `samples = ${String(samples)}: must be an integer ≥ 3.`);

  // Two Simpson grids meeting at 0, so the kink of f and of the targets falls on a node.
  const side = (from: number, to: number, basis: (x: number) => number) => {
    const n = (samples - 1) % 2 === 0 ? samples - 1 : samples;
    const h = (to - from) / n;
    let gt = 0;
    let gg = 0;
    for (let i = 0; i <= n; i++) {
      const x = from + i * h;
      const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
      const g = basis(x);
      gt += w * g * target(x, alpha);
      gg += w * g * g;
    }
    return gg > 0 ? gt / gg : minParam;
  };
  const a = Math.max(minParam, side(0, hi, (x) => x * (1 + 1 / (1 + Math.exp(-APALU_K * x)))));
  const b = Math.max(minParam, side(lo, 0, (x) => Math.expm1(x)));

  let se = 0;
  const n = samples;
  for (let i = 0; i < n; i++) {
    const x = lo + ((hi - lo) * i) / (n - 1);
    const d = apalu(x, a, b) - target(x, alpha);
    se += d * d;
  }
  return { a, b, rmse: Math.sqrt(se / n) };
}
