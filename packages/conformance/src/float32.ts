/** Float32 bit helpers: values from bit patterns, ULP distance, and the composed-class error ratio. */
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const u32 = new Uint32Array(f32.buffer);

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The float32 whose bit pattern is `bits`. */
export function fromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0] as number;
}

/**
 * Position of a float32 on the number line of representable values: consecutive floats
 * differ by 1, +0 and −0 share 0, and +∞ comes right after the largest finite float.
 */
function ordinal(value: number): number {
  f32[0] = value;
  const bits = i32[0] as number;
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

/**
 * Distance in float32 ULPs between `got` and the reference `want` (already rounded to
 * float32). NaN matches only NaN; any other mismatch with NaN is infinitely far.
 */
export function ulpDistance(got: number, want: number): number {
  const gotNaN = Number.isNaN(got);
  const wantNaN = Number.isNaN(want);
  if (gotNaN || wantNaN) return gotNaN && wantNaN ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(ordinal(got) - ordinal(want));
}

/**
 * The composed-class error as a fraction of its allowance max(5e-6, 1e-5·|want|) (the
 * XNNPACK unary-kernel tolerance); ≤ 1 passes. Infinities must match exactly.
 */
export function composedRatio(got: number, want: number): number {
  const gotNaN = Number.isNaN(got);
  const wantNaN = Number.isNaN(want);
  if (gotNaN || wantNaN) return gotNaN && wantNaN ? 0 : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(got - want) / Math.max(5e-6, 1e-5 * Math.abs(want));
}
