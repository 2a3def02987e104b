/** APALU in GLSL ES 3.00 for the webgl kernels: the strict double-float version and the fast (composed-class) one. */
import { APALU_K } from '@apalu/core';
import { APALU_MATH_CONSTANTS, shaderFloat as f32 } from '@apalu/webgpu';

// The float32 constants (ln 2 in three parts, k as hi + lo) and their source text come from
// @apalu/webgpu's WGSL math, so both ports use the same ones; README "Why webgl-math.ts repeats
// @apalu/webgpu's WGSL" says what else the two share and how their drift is caught.
const { LN2_HI, LN2_MID, LN2_LO, K_HI, K_LO } = APALU_MATH_CONSTANTS;

/**
 * APALU in GLSL ES 3.00 (WebGL2), the same algorithm as @apalu/webgpu's WGSL: double-float
 * (hi + lo) error-free transformations built from float32 + − × only, a Cody–Waite reduced
 * exp/expm1, one Newton step after the division, and results rounded once from a double-float
 * with integer operations on the float32 bits (so subnormal results are exact even where the
 * GPU flushes subnormal arithmetic, and NaN/±∞ never go through arithmetic).
 *
 * It is IEEE float32 accurate only where `highp float` is IEEE float32 with correctly rounded
 * + − × (and no fast-math folding across `apalu_opaque`): the webgl kernels run a probe before
 * they call themselves strict (see `webglAccuracy`).
 *
 * `apaluZero` is an int uniform that is always 0: XOR-ing a rounded value's bits with it hides
 * the value from compilers that would fold (a + b) − a into b.
 */
export const GLSL_APALU_MATH = /* glsl */ `
const uint APALU_SIGN = 0x80000000u;
const uint APALU_INF = 0x7f800000u;
const uint APALU_QNAN = 0x7fc00000u;
const float APALU_LOG2E = ${f32(Math.LOG2E)};
const float APALU_LN2_HI = ${f32(LN2_HI)};
const float APALU_LN2_MID = ${f32(LN2_MID)};
const float APALU_LN2_LO = ${f32(LN2_LO)};
const float APALU_K_HI = ${f32(K_HI)};
const float APALU_K_LO = ${f32(K_LO)};

float apalu_opaque(float v) {
  return uintBitsToFloat(floatBitsToUint(v) ^ uint(apaluZero));
}
vec2 apalu_two_sum(float a, float b) {
  float s = apalu_opaque(a + b);
  float bb = apalu_opaque(s - a);
  return vec2(s, (a - (s - bb)) + (b - bb));
}
vec2 apalu_fast_two_sum(float a, float b) {
  float s = apalu_opaque(a + b);
  return vec2(s, b - (s - a));
}
float apalu_split_hi(float a) {
  return uintBitsToFloat(floatBitsToUint(a) & 0xfffff000u);
}
vec2 apalu_two_prod(float a, float b) {
  float p = apalu_opaque(a * b);
  float ah = apalu_split_hi(a);
  float al = a - ah;
  float bh = apalu_split_hi(b);
  float bl = b - bh;
  return vec2(p, ((ah * bh - p) + ah * bl + al * bh) + al * bl);
}
vec2 apalu_df_mul(vec2 a, vec2 b) {
  vec2 p = apalu_two_prod(a.x, b.x);
  return apalu_fast_two_sum(p.x, p.y + (a.x * b.y + a.y * b.x));
}
vec2 apalu_df_mul_f(vec2 a, float b) {
  vec2 p = apalu_two_prod(a.x, b);
  return apalu_fast_two_sum(p.x, p.y + a.y * b);
}
float apalu_pow2(int n) {
  // 2^n for n in [-126, 127]
  return uintBitsToFloat(uint(n + 127) << 23u);
}

// Finite, nonzero bits (subnormals included) as a signed mantissa in [1, 2) (m) and an exponent (e).
void apalu_decode(uint bits, out float m, out int e) {
  uint biased = (bits >> 23u) & 0xffu;
  uint frac = bits & 0x7fffffu;
  e = int(biased) - 127;
  if (biased == 0u) {
    // A subnormal: its fraction converts to float exactly (< 2^23); read the exponent off that.
    uint fb = floatBitsToUint(float(frac));
    e = int(fb >> 23u) - 127 - 149;
    frac = fb & 0x7fffffu;
  }
  m = uintBitsToFloat((bits & APALU_SIGN) | 0x3f800000u | frac);
}

// The float32 bits nearest to (v.x + v.y)·2^e, ties to even; overflow gives ±∞ and tiny
// results are rounded onto the subnormal grid with integer operations (never flushed).
uint apalu_pack(vec2 v, int e) {
  float r = apalu_opaque(v.x + v.y);
  uint rb = floatBitsToUint(r);
  uint sign = rb & APALU_SIGN;
  if ((rb & 0x7fffffffu) == 0u) { return sign; }
  float dm; int de;
  apalu_decode(rb, dm, de);
  uint frac = floatBitsToUint(dm) & 0x7fffffu;
  int biased = de + 127 + e;
  if (biased >= 255) { return sign | APALU_INF; }
  if (biased >= 1) { return sign | (uint(biased) << 23u) | frac; }
  uint sh = uint(1 - biased);
  if (sh > 24u) { return sign; }
  uint m = frac | 0x800000u;
  uint q = m >> sh;
  uint rem = m & ((1u << sh) - 1u);
  uint half_ = 1u << (sh - 1u);
  float rest = (v.x - r) + v.y;
  uint restb = floatBitsToUint(rest);
  bool up = rem > half_;
  if (rem == half_) {
    if ((restb & 0x7fffffffu) == 0u) { up = (q & 1u) == 1u; } else { up = (restb & APALU_SIGN) == sign; }
  }
  return sign | (q + (up ? 1u : 0u));
}

// For x in [2^-60, 47): u = 1 + σ(kx) and t = ∂f/∂x / a, as double-floats.
void apalu_pos(float x, out vec2 u, out vec2 t) {
  vec2 p = apalu_two_prod(x, APALU_K_HI);
  vec2 y = apalu_fast_two_sum(p.x, p.y + x * APALU_K_LO);
  float n = floor(y.x * APALU_LOG2E + 0.5);
  float r = (n * APALU_LN2_HI - y.x) + (n * APALU_LN2_MID - y.y);
  float er = 1.0 + r * (1.0 + r * (0.5 + r * (${f32(1 / 6)} + r * (${f32(1 / 24)} + r * (${f32(1 / 120)} + r * (${f32(1 / 720)} + r * ${f32(1 / 5040)}))))));
  float e = er * apalu_pow2(-int(n));
  vec2 d = apalu_two_sum(1.0, e);
  float q = 1.0 / d.x;
  vec2 pq = apalu_two_prod(d.x, q);
  float rho = ((1.0 - pq.x) - pq.y) - d.y * q;
  vec2 u0 = apalu_two_sum(1.0, q);
  u = apalu_two_sum(u0.x, u0.y + q * rho);
  float slope = y.x * e * q * q;
  vec2 t0 = apalu_two_sum(u.x, slope);
  t = apalu_fast_two_sum(t0.x, t0.y + u.y);
}

// For x in [-400, -2^-25]: e^x = 2^n·(1 + m), m a double-float.
void apalu_neg(float x, out int nOut, out vec2 m) {
  float n = floor(x * APALU_LOG2E + 0.5);
  float t = x - n * APALU_LN2_HI;
  vec2 pm = apalu_two_prod(n, APALU_LN2_MID);
  vec2 r0 = apalu_two_sum(t, -pm.x);
  vec2 r = apalu_fast_two_sum(r0.x, (r0.y - pm.y) - n * APALU_LN2_LO);
  float rh = r.x;
  vec2 q2 = apalu_two_prod(rh, rh);
  vec2 h = apalu_two_sum(rh, 0.5 * q2.x);
  float poly = ${f32(1 / 6)} + rh * (${f32(1 / 24)} + rh * (${f32(1 / 120)} + rh * (${f32(1 / 720)} + rh * (${f32(1 / 5040)} + rh * (${f32(1 / 40320)} + rh * ${f32(1 / 362880)})))));
  float tail = rh * q2.x * poly + (0.5 * q2.y + r.y * (1.0 + rh));
  nOut = int(n);
  m = apalu_fast_two_sum(h.x, h.y + tail);
}

// e^x's mantissa part (the power of two is 2^n).
vec2 apalu_exp_mant(vec2 m) {
  vec2 g = apalu_two_sum(1.0, m.x);
  return apalu_fast_two_sum(g.x, g.y + m.y);
}

// expm1(x) for x in [-80, -2^-25] from its reduction.
vec2 apalu_expm1(int n, vec2 m) {
  if (n == 0) { return m; }
  vec2 g = apalu_exp_mant(m);
  float s = apalu_pow2(n);
  vec2 d = apalu_two_sum(-1.0, g.x * s);
  return apalu_fast_two_sum(d.x, d.y + g.y * s);
}

// f(x) = a·x·(1 + σ(kx)) for x ≥ 0, b·expm1(x) for x < 0; arguments and result are float32 bits.
uint apalu_forward(uint xb, uint ab, uint bb) {
  uint ax = xb & 0x7fffffffu;
  if (ax > APALU_INF) { return xb | 0x00400000u; }
  if (ax == 0u) { return xb; }
  bool neg = xb >= APALU_SIGN;
  if (ax == APALU_INF) { return neg ? (bb | APALU_SIGN) : APALU_INF; }
  float xm; int xe;
  apalu_decode(xb, xm, xe);
  if (!neg) {
    float am; int ae;
    apalu_decode(ab, am, ae);
    vec2 u = vec2(1.5, 0.0);
    vec2 t;
    if (ax >= 0x423c0000u) { u = vec2(2.0, 0.0); }
    else if (ax >= 0x21800000u) { apalu_pos(uintBitsToFloat(xb), u, t); }
    return apalu_pack(apalu_df_mul(apalu_two_prod(xm, am), u), xe + ae);
  }
  float bm; int be;
  apalu_decode(bb, bm, be);
  if (ax < 0x33000000u) {
    vec2 em1 = apalu_fast_two_sum(xm, xm * (0.5 * uintBitsToFloat(xb)));
    return apalu_pack(apalu_df_mul_f(em1, bm), xe + be);
  }
  if (ax >= 0x42a00000u) { return bb | APALU_SIGN; }
  int n; vec2 m;
  apalu_neg(uintBitsToFloat(xb), n, m);
  return apalu_pack(apalu_df_mul_f(apalu_expm1(n, m), bm), be);
}

// dy·∂f/∂x as float32 bits.
uint apalu_dx(uint xb, uint gb, uint ab, uint bb) {
  uint ax = xb & 0x7fffffffu;
  uint ag = gb & 0x7fffffffu;
  uint gsign = gb & APALU_SIGN;
  if (ax > APALU_INF || ag > APALU_INF) { return APALU_QNAN; }
  bool on_a = xb < APALU_SIGN || ax == 0u;
  if (!on_a && ax == APALU_INF) { return ag == APALU_INF ? APALU_QNAN : gsign; }
  if (ag == APALU_INF) { return gsign | APALU_INF; }
  if (ag == 0u) { return gsign; }
  float gm; int ge;
  apalu_decode(gb, gm, ge);
  if (on_a) {
    float am; int ae;
    apalu_decode(ab, am, ae);
    vec2 u = vec2(1.5, 0.0);
    vec2 t = vec2(1.5, 0.0);
    if (ax >= 0x423c0000u) { t = vec2(2.0, 0.0); }
    else if (ax >= 0x21800000u) { apalu_pos(uintBitsToFloat(xb), u, t); }
    return apalu_pack(apalu_df_mul(apalu_two_prod(gm, am), t), ge + ae);
  }
  float bm; int be;
  apalu_decode(bb, bm, be);
  vec2 gb2 = apalu_two_prod(gm, bm);
  if (ax < 0x33000000u) {
    return apalu_pack(apalu_df_mul(gb2, vec2(1.0, uintBitsToFloat(xb))), ge + be);
  }
  if (ax >= 0x43c80000u) { return gsign; }
  int n; vec2 m;
  apalu_neg(uintBitsToFloat(xb), n, m);
  return apalu_pack(apalu_df_mul(gb2, apalu_exp_mant(m)), ge + be + n);
}

// One per-element term of the parameter gradients as a double-float value·2^e, or a special:
// which = 0: dy·∂f/∂a = dy·x·(1 + σ(kx)) where x ≥ 0; which = 1: dy·∂f/∂b = dy·expm1(x) where x < 0.
// Returns 0 for a finite term (in v, e), 1 for none (0), 2 for a non-finite term (bits in special).
int apalu_term(int which, uint xb, uint gb, out vec2 v, out int e, out uint special) {
  v = vec2(0.0); e = 0; special = 0u;
  uint ax = xb & 0x7fffffffu;
  uint ag = gb & 0x7fffffffu;
  uint gsign = gb & APALU_SIGN;
  bool on_a = xb < APALU_SIGN || ax == 0u;
  if (ax > APALU_INF || ag > APALU_INF) {
    // NaN x reaches both sums; NaN dy only the branch x is on.
    if (ax > APALU_INF || (which == 0) == on_a) { special = APALU_QNAN; return 2; }
    return 1;
  }
  if ((which == 0) != on_a) { return 1; }
  if (which == 0) {
    if (ax == 0u) { if (ag == APALU_INF) { special = APALU_QNAN; return 2; } return 1; }
    if (ag == 0u) { if (ax == APALU_INF) { special = APALU_QNAN; return 2; } return 1; }
    if (ax == APALU_INF || ag == APALU_INF) { special = gsign | APALU_INF; return 2; }
    float gm; int ge; float xm; int xe;
    apalu_decode(gb, gm, ge);
    apalu_decode(xb, xm, xe);
    vec2 u = vec2(1.5, 0.0);
    vec2 t;
    if (ax >= 0x423c0000u) { u = vec2(2.0, 0.0); }
    else if (ax >= 0x21800000u) { apalu_pos(uintBitsToFloat(xb), u, t); }
    v = apalu_df_mul(apalu_two_prod(gm, xm), u);
    e = ge + xe;
    return 0;
  }
  // x < 0: the term is dy·expm1(x), −dy for x = −∞.
  if (ag == APALU_INF) { special = (gsign ^ APALU_SIGN) | APALU_INF; return 2; }
  if (ag == 0u) { return 1; }
  float gm; int ge;
  apalu_decode(gb, gm, ge);
  if (ax >= 0x42a00000u) { v = vec2(-gm, 0.0); e = ge; return 0; }   // expm1(x) = −1 in float32
  float xm; int xe;
  apalu_decode(xb, xm, xe);
  if (ax < 0x33000000u) {
    vec2 em1 = apalu_fast_two_sum(xm, xm * (0.5 * uintBitsToFloat(xb)));
    v = apalu_df_mul_f(em1, gm);
    e = xe + ge;
    return 0;
  }
  int n; vec2 m;
  apalu_neg(uintBitsToFloat(xb), n, m);
  v = apalu_df_mul_f(apalu_expm1(n, m), gm);
  e = ge;
  return 0;
}
`;

/**
 * precision 'fast': APALU from GLSL's own exp and float32 arithmetic (the composed class, like
 * tf.elu on webgl): a short polynomial for expm1 near 0⁻ so f does not cancel there, NaN kept.
 */
export const GLSL_APALU_FAST = /* glsl */ `
const float APALU_K = ${f32(APALU_K)};
// expm1 for x in (−0.25, 0]: the series to x^7/5040 (truncation < 1e-9 relative there); below
// −0.25, e^(x/2)·e^(x/2) − 1 loses at most a few float32 ULPs of 1 against |expm1| > 0.22.
float apalu_fast_expm1(float x) {
  return x * (1.0 + x * (0.5 + x * (${f32(1 / 6)} + x * (${f32(1 / 24)} + x * (${f32(1 / 120)} + x * (${f32(1 / 720)} + x * ${f32(1 / 5040)}))))));
}
// One exp per element whichever the branch (lanes of a SIMD group that take different
// branches then share it): e^(−kx) for x ≥ 0, e^(x/2) for x < 0.
float apalu_fast_exp(float x) {
  return exp(x >= 0.0 ? -APALU_K * x : 0.5 * x);
}
float apalu_fast_forward(float x, float a, float b) {
  if (isnan(x)) { return x; }
  float e = apalu_fast_exp(x);
  // Products ordered as the composed path orders them, so none overflows where f is finite.
  if (x >= 0.0) { return (a * x) * (1.0 + 1.0 / (1.0 + e)); }
  return b * (x > -0.25 ? apalu_fast_expm1(x) : e * e - 1.0);
}
float apalu_fast_dx(float x, float dy, float a, float b) {
  if (isnan(x) || isnan(dy)) { return x + dy; }
  float e = apalu_fast_exp(x);
  if (x >= 0.0) {
    float s = 1.0 / (1.0 + e);
    // k·x·σ·(1 − σ) with 1 − σ = e·σ; 0 once e underflows (x = +∞ included).
    float slope = e == 0.0 ? 0.0 : APALU_K * x * s * (e * s);
    return (dy * a) * (1.0 + s + slope);
  }
  // b·e^x as (dy·e^(x/2))·(b·e^(x/2)): a large b still meets an e^x that is subnormal on its own.
  return (dy * e) * (b * e);
}
// The da term dy·∂f/∂a (x ≥ 0) and the db term dy·∂f/∂b (x < 0) of one element; 0 off the branch.
vec2 apalu_fast_terms(float x, float dy) {
  if (isnan(x)) { return vec2(x); }
  float e = apalu_fast_exp(x);
  if (x >= 0.0) { return vec2((x * dy) * (1.0 + 1.0 / (1.0 + e)), 0.0); }
  return vec2(0.0, dy * (x > -0.25 ? apalu_fast_expm1(x) : e * e - 1.0));
}
`;
