/** The value cases of the kit: deterministic inputs (x, dy, a, b, layout) from special values to every SPEC magnitude and large sizes. */
import { splitmix32, uniform } from '@apalu/core';
import { FLOAT32_MAX, fromBits } from './float32.js';

/** One input set for forward and backward (SPEC layout: C = a.length channels, inner size S). */
export interface CaseInput {
  x: Float32Array;
  /** Upstream gradient for the general backward check (uniform in [−1, 1]). */
  dy: Float32Array;
  a: Float32Array;
  b: Float32Array;
  inner: number;
}

export interface ConformanceCase {
  name: string;
  description: string;
  /** Only run when the `large` option is set (16M elements). */
  large?: boolean;
  build(): CaseInput;
}

export interface CaseSelection {
  /** Add the 16M-element case. */
  large?: boolean;
}

const MIN_SUBNORMAL = fromBits(0x00000001);
const MAX_SUBNORMAL = fromBits(0x007fffff);
const MIN_NORMAL = fromBits(0x00800000);

/** The magnitudes every backend must be tried on (@apalu/core's SPEC.md, "Inputs every backend is tried on"), both signs. */
export const SPEC_MAGNITUDES = [
  1e-45, 1e-38, 1e-8, 1e-7, 1e-3, 0.5, 1, 10, 17, 20, 87, 88.7, 89, 1e4, 1e38, 3.4e38,
] as const;

function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function unitStream(name: string): () => number {
  const next = splitmix32(seedOf(name));
  return () => ((next() >>> 8) + 0.5) / 16777216;
}

function params(name: string, channels: number): { a: Float32Array; b: Float32Array } {
  const seed = seedOf(name);
  return { a: uniform(0.1, 2, seed)(channels), b: uniform(0.1, 2, seed + 1)(channels) };
}

function upstream(name: string, n: number): Float32Array {
  const u = unitStream(`${name}/dy`);
  const dy = new Float32Array(n);
  for (let i = 0; i < n; i++) dy[i] = 2 * u() - 1;
  return dy;
}

type Sampler = (u: () => number, i: number) => number;

const uniformOn =
  (lo: number, hi: number): Sampler =>
  (u) =>
    lo + (hi - lo) * u();
/** Magnitudes 10^U(−45, 38.53) with a random sign: every binade from subnormals to FLT_MAX. */
const logUniform: Sampler = (u) => (u() < 0.5 ? -1 : 1) * Math.min(FLOAT32_MAX, 10 ** (-45 + 83.53 * u()));
const negativeNearZero: Sampler = (u) => -(10 ** (-45 + 45 * u()));
const mixed: Sampler = (u, i) => (i % 2 === 0 ? uniformOn(-20, 20)(u, i) : logUniform(u, i));

function sampled(name: string, description: string, n: number, channels: number, inner: number, sample: Sampler): ConformanceCase {
  return {
    name,
    description,
    build() {
      const u = unitStream(name);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = sample(u, i);
      return { x, dy: upstream(name, n), ...params(name, channels), inner };
    },
  };
}

function listed(name: string, description: string, values: readonly number[], a: readonly number[], b: readonly number[]): ConformanceCase {
  return {
    name,
    description,
    build() {
      // Every value appears once in every channel (channels-last, S = 1).
      const x = new Float32Array(values.length * a.length);
      values.forEach((v, j) => x.fill(v, j * a.length, (j + 1) * a.length));
      return { x, dy: upstream(name, x.length), a: Float32Array.from(a), b: Float32Array.from(b), inner: 1 };
    },
  };
}

/**
 * Channels-last (S = 1) data whose channels hold different values: `columns[c]` lists the
 * values of channel c, all columns the same length. Lets a case keep +∞ and −∞ apart, so the
 * sums of each channel stay finite on one side and are checked value by value.
 */
function perChannel(name: string, description: string, columns: readonly (readonly number[])[], a: readonly number[], b: readonly number[]): ConformanceCase {
  return {
    name,
    description,
    build() {
      const channels = columns.length;
      const rows = columns[0]?.length ?? 0;
      if (channels !== a.length || channels !== b.length || columns.some((col) => col.length !== rows)) {
        throw new Error(`case ${name}: ${channels} columns of equal length needed, one per channel`);
      }
      const x = new Float32Array(rows * channels);
      for (let j = 0; j < rows; j++) for (let c = 0; c < channels; c++) x[j * channels + c] = columns[c]![j]!;
      return { x, dy: upstream(name, x.length), a: Float32Array.from(a), b: Float32Array.from(b), inner: 1 };
    },
  };
}

/** Values that go with ±∞ in the `infinities` case: ±0, positive subnormals, ordinary values. */
const BESIDE_INFINITIES = [0, -0, MIN_SUBNORMAL, MAX_SUBNORMAL, 1e-3, -1e-3, 0.5, -0.5, 1, -1, 3, -3, 20, -20];

/**
 * Exponent fields at the edges of float32 (zero/subnormal, smallest normal, largest finite,
 * ∞/NaN) and mantissas at the edges (0, 1, the quiet bit, all ones).
 */
const EDGE_EXPONENTS = [0x00, 0x01, 0xfe, 0xff] as const;
const EDGE_MANTISSAS = [0, 1, 0x400000, 0x7fffff] as const;

/**
 * Random float32 bit patterns: raw 32-bit generator output, so every sign, exponent, mantissa
 * and low byte occurs. One element in eight gets an edge exponent, half of those an edge
 * mantissa too, so ±0, ±∞, quiet and signalling NaNs, subnormals and FLT_MAX are all present
 * (2^-31 per element would leave ±∞ out of a few thousand). Bits are written as they are.
 */
function randomBits(name: string, description: string, n: number): ConformanceCase {
  return {
    name,
    description,
    build() {
      const next = splitmix32(seedOf(name));
      const x = new Float32Array(n);
      const bits = new Uint32Array(x.buffer);
      for (let i = 0; i < n; i++) {
        const raw = next();
        const pick = next();
        if (pick >>> 29 === 0) {
          const exponent = EDGE_EXPONENTS[(pick >>> 1) & 3]!;
          const mantissa = (pick >>> 3) & 1 ? EDGE_MANTISSAS[(pick >>> 4) & 3]! : raw & 0x7fffff;
          bits[i] = (((pick & 1) << 31) | (exponent << 23) | mantissa) >>> 0;
        } else {
          bits[i] = raw;
        }
      }
      return { x, dy: upstream(name, n), ...params(name, 1), inner: 1 };
    },
  };
}

/** The SPEC input set as named cases, in a fixed order. */
export function conformanceCases(selection: CaseSelection = {}): ConformanceCase[] {
  const cases: ConformanceCase[] = [
    listed(
      'special-values',
      'NaN, ±∞, ±0, the smallest and largest subnormals and the smallest normal, both signs',
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, MIN_SUBNORMAL, -MIN_SUBNORMAL, 1e-40, -1e-40, MAX_SUBNORMAL, -MAX_SUBNORMAL, MIN_NORMAL, -MIN_NORMAL],
      [0.7, 1.5],
      [1.3, 0.2],
    ),
    perChannel(
      'infinities',
      '±∞ without NaN (+∞ in channel 0, −∞ in channel 1, both and negative subnormals in channel 2) beside ±0, subnormals and ordinary values: da, db are compared value by value, so a masked sum whose 0·∞ gives NaN fails',
      [
        [Number.POSITIVE_INFINITY, ...BESIDE_INFINITIES, 2],
        [Number.NEGATIVE_INFINITY, ...BESIDE_INFINITIES, -2],
        [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, ...BESIDE_INFINITIES.map((v) => (v === MIN_SUBNORMAL || v === MAX_SUBNORMAL ? -v : v))],
      ],
      [0.7, 1.5, 0.25],
      [1.3, 0.2, 1.9],
    ),
    listed('huge-positive', 'a = 0.25 and x up to FLT_MAX: a·x·(1+σ) without spurious overflow (3e38 → 1.5e38)', [3e38, 3.4e38, FLOAT32_MAX, 1e38, 1e30, 1e20], [0.25], [1]),
    listed('magnitudes', '±[1e-45 … 3.4e38] from the SPEC.md of @apalu/core in three channels with different a, b', [...SPEC_MAGNITUDES, ...SPEC_MAGNITUDES.map((v) => -v)], [0.25, 1, 1.9], [0.3, 1, 1.7]),
    sampled('uniform-20', 'uniform samples on [−20, 20]', 4099, 1, 1, uniformOn(-20, 20)),
    sampled('log-uniform', 'log-uniform magnitudes 1e-45 … 3.4e38, both signs', 4099, 1, 1, logUniform),
    sampled('near-zero-negative', 'x in (−1, 0) down to subnormals: needs expm1-quality arithmetic', 4099, 1, 1, negativeNearZero),
    randomBits('random-bits', 'random float32 bit patterns (raw 32-bit generator output; one in eight with an edge exponent, so ±0, ±∞, NaNs and subnormals occur)', 4099),
  ];
  for (const n of [0, 1, 3, 4, 5, 1023]) {
    cases.push(sampled(`length-${n}`, `${n} elements: tails of SIMD widths and workgroup sizes`, n, 1, 1, mixed));
  }
  for (const channels of [1, 3, 64]) {
    for (const inner of [1, 7]) {
      const block = channels * inner;
      const n = block * Math.max(1, Math.ceil(1023 / block));
      cases.push(
        sampled(`layout-C${channels}-S${inner}`, `C = ${channels} channels, inner size S = ${inner}, ${n} elements`, n, channels, inner, uniformOn(-6, 6)),
      );
    }
  }
  cases.push(sampled('length-1M', '1 << 20 elements in 64 channels', 1 << 20, 64, 1, mixed));
  if (selection.large) {
    cases.push({ ...sampled('length-16M', '16 · 2^20 elements in 64 channels, S = 4', 16 << 20, 64, 4, mixed), large: true });
  }
  return cases;
}
