/** APALU forward, backward and the da, db accumulators in WGSL for every kernel: double-float math on raw float32 bits, exact on GPUs that flush subnormals. */
import { APALU_K } from '@apalu/core';

/**
 * A float32 constant as shader source text (WGSL or GLSL) that the compiler reads back as exactly
 * the same float32. @apalu/tfjs's GLSL port of this math writes its constants with it too.
 */
export function shaderFloat(value: number): string {
  const v = Math.fround(value);
  return Number.isInteger(v) ? `${v}.0` : `${v}`;
}
const f32 = shaderFloat;

// ln 2 in three parts: n·LN2_HI is exact for |n| < 4096 (12 significant bits).
const LN2_HI = 0.693115234375;
const LN2_MID = Math.fround(Math.LN2 - LN2_HI);
const LN2_LO = Math.fround(Math.LN2 - LN2_HI - LN2_MID);
// k = 1.702 is not a float32: k·x is formed as a double-float from two parts.
const K_HI = Math.fround(APALU_K);
const K_LO = Math.fround(APALU_K - K_HI);

/** The split float32 constants above, shared with @apalu/tfjs's GLSL port of this math so the two cannot drift. */
export const APALU_MATH_CONSTANTS = Object.freeze({ LN2_HI, LN2_MID, LN2_LO, K_HI, K_LO });

/**
 * APALU in WGSL, shared by every kernel of this package (and reusable by other engines).
 *
 * Why it looks like this:
 * - WGSL's exp is only 3 + 2|x| ULP and its division 2.5 ULP; only f32 + − × are correctly
 *   rounded. Everything here is built from those: double-float (hi + lo) error-free
 *   transformations, a Cody–Waite reduced exp/expm1, one Newton step after each division.
 *   The Dekker split masks bits instead of multiplying by 4097, so a compiler that fuses
 *   a·b + c into an FMA cannot break it.
 * - Inputs and outputs are raw float32 bits (u32). Numbers are decoded into a mantissa in
 *   [1, 2) and an integer exponent, the arithmetic runs on normal numbers only, and results
 *   are rounded and re-assembled with integer operations (`pack`). So subnormal inputs and
 *   outputs are exact even on GPUs that flush subnormals (SwiftShader, most drivers), and
 *   NaN/±∞ never go through arithmetic that a compiler might assume finite.
 * - Results are rounded once from a double-float, so forward and ∂f/∂x stay near 0.5 ULP.
 */
export const WGSL_APALU_MATH = /* wgsl */ `
const APALU_SIGN: u32 = 0x80000000u;
const APALU_INF: u32 = 0x7f800000u;
const APALU_QNAN: u32 = 0x7fc00000u;
const APALU_LOG2E: f32 = ${f32(Math.LOG2E)};
const APALU_LN2_HI: f32 = ${f32(LN2_HI)};
const APALU_LN2_MID: f32 = ${f32(LN2_MID)};
const APALU_LN2_LO: f32 = ${f32(LN2_LO)};
const APALU_K_HI: f32 = ${f32(K_HI)};
const APALU_K_LO: f32 = ${f32(K_LO)};
// Accumulator flags for terms that are not finite numbers.
const APALU_F_NAN: u32 = 1u;
const APALU_F_POS: u32 = 2u;
const APALU_F_NEG: u32 = 4u;

// ---- double-float arithmetic: value = x + y, |y| ≤ ulp(x)/2 ----
// Some compilers (SwiftShader's, for one) apply fast-math algebra and would fold
// (a + b) − a into b, which erases every rounding error these functions exist to capture.
// apalu_opaque hides a rounded value behind an integer XOR with a zero the compiler cannot
// see (set apalu_zero from run-time data, e.g. num_workgroups.z − 1, at the top of main).
var<private> apalu_zero: u32;
fn apalu_opaque(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) ^ apalu_zero);
}
fn apalu_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = apalu_opaque(a + b);
  let bb = apalu_opaque(s - a);
  return vec2<f32>(s, (a - (s - bb)) + (b - bb));
}
fn apalu_fast_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = apalu_opaque(a + b);
  return vec2<f32>(s, b - (s - a));
}
fn apalu_split_hi(a: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
}
fn apalu_two_prod(a: f32, b: f32) -> vec2<f32> {
  let p = apalu_opaque(a * b);
  let ah = apalu_split_hi(a);
  let al = a - ah;
  let bh = apalu_split_hi(b);
  let bl = b - bh;
  return vec2<f32>(p, ((ah * bh - p) + ah * bl + al * bh) + al * bl);
}
fn apalu_df_mul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let p = apalu_two_prod(a.x, b.x);
  return apalu_fast_two_sum(p.x, p.y + (a.x * b.y + a.y * b.x));
}
fn apalu_df_mul_f(a: vec2<f32>, b: f32) -> vec2<f32> {
  let p = apalu_two_prod(a.x, b);
  return apalu_fast_two_sum(p.x, p.y + a.y * b);
}
fn apalu_pow2(n: i32) -> f32 {
  // 2^n for n in [-126, 127]
  return bitcast<f32>(u32(n + 127) << 23u);
}

// ---- float32 bits <-> (mantissa, exponent) ----
struct ApaluNum { m: f32, e: i32 }  // value = m·2^e, 1 ≤ |m| < 2

// Finite, nonzero bits (subnormals included) as a signed mantissa in [1, 2) and an exponent.
fn apalu_decode(bits: u32) -> ApaluNum {
  let biased = (bits >> 23u) & 0xffu;
  var frac = bits & 0x7fffffu;
  var e = i32(biased) - 127;
  if (biased == 0u) {
    let sh = countLeadingZeros(frac) - 8u;
    frac = (frac << sh) & 0x7fffffu;
    e = -126 - i32(sh);
  }
  return ApaluNum(bitcast<f32>((bits & APALU_SIGN) | 0x3f800000u | frac), e);
}

// The float32 bits nearest to (v.x + v.y)·2^e, ties to even; overflow gives ±∞ and tiny
// results are rounded onto the subnormal grid with integer operations (never flushed).
fn apalu_pack(v: vec2<f32>, e: i32) -> u32 {
  let r = apalu_opaque(v.x + v.y);
  let rb = bitcast<u32>(r);
  let sign = rb & APALU_SIGN;
  if ((rb & 0x7fffffffu) == 0u) { return sign; }
  let d = apalu_decode(rb);
  let frac = bitcast<u32>(d.m) & 0x7fffffu;
  let biased = d.e + 127 + e;
  if (biased >= 255) { return sign | APALU_INF; }
  if (biased >= 1) { return sign | (u32(biased) << 23u) | frac; }
  let sh = u32(1 - biased);
  if (sh > 24u) { return sign; }
  let m = frac | 0x800000u;
  let q = m >> sh;
  let rem = m & ((1u << sh) - 1u);
  let half = 1u << (sh - 1u);
  // What r dropped from v decides exact halves.
  let rest = (v.x - r) + v.y;
  let restb = bitcast<u32>(rest);
  var up = rem > half;
  if (rem == half) {
    if ((restb & 0x7fffffffu) == 0u) { up = (q & 1u) == 1u; } else { up = (restb & APALU_SIGN) == sign; }
  }
  return sign | (q + select(0u, 1u, up));
}

// ---- the two branches of APALU ----
struct ApaluPos { u: vec2<f32>, t: vec2<f32> }  // u = 1 + σ(kx), t = ∂f/∂x / a

// For x in [2^-60, 47): σ(kx) from e^(−kx) (float32 quality is enough: u moves by at most a
// sixth of e's relative error) and one Newton-corrected division.
fn apalu_pos(x: f32) -> ApaluPos {
  let p = apalu_two_prod(x, APALU_K_HI);
  let y = apalu_fast_two_sum(p.x, p.y + x * APALU_K_LO);
  let n = round(y.x * APALU_LOG2E);
  let r = (n * APALU_LN2_HI - y.x) + (n * APALU_LN2_MID - y.y);
  let er = 1.0 + r * (1.0 + r * (0.5 + r * (${f32(1 / 6)} + r * (${f32(1 / 24)} + r * (${f32(1 / 120)} + r * (${f32(1 / 720)} + r * ${f32(1 / 5040)}))))));
  let e = er * apalu_pow2(-i32(n));
  let d = apalu_two_sum(1.0, e);
  let q = 1.0 / d.x;
  let pq = apalu_two_prod(d.x, q);
  let rho = ((1.0 - pq.x) - pq.y) - d.y * q;
  let u0 = apalu_two_sum(1.0, q);
  let u = apalu_two_sum(u0.x, u0.y + q * rho);
  // k·x·σ·(1 − σ), with 1 − σ = e·σ computed without cancellation
  let slope = y.x * e * q * q;
  let t0 = apalu_two_sum(u.x, slope);
  return ApaluPos(u, apalu_fast_two_sum(t0.x, t0.y + u.y));
}

struct ApaluNeg { n: i32, m: vec2<f32> }  // e^x = 2^n·(1 + m)

// For x in [-400, -2^-25]: Cody–Waite reduction x = n·ln2 + r, |r| ≤ 0.35, and
// expm1(r) = r + r²/2 (double-float) + r³·P(r) (float32 is enough for that small tail).
fn apalu_neg(x: f32) -> ApaluNeg {
  let n = round(x * APALU_LOG2E);
  let t = x - n * APALU_LN2_HI;
  let pm = apalu_two_prod(n, APALU_LN2_MID);
  let r0 = apalu_two_sum(t, -pm.x);
  let r = apalu_fast_two_sum(r0.x, (r0.y - pm.y) - n * APALU_LN2_LO);
  let rh = r.x;
  let q2 = apalu_two_prod(rh, rh);
  let h = apalu_two_sum(rh, 0.5 * q2.x);
  let poly = ${f32(1 / 6)} + rh * (${f32(1 / 24)} + rh * (${f32(1 / 120)} + rh * (${f32(1 / 720)} + rh * (${f32(1 / 5040)} + rh * (${f32(1 / 40320)} + rh * ${f32(1 / 362880)})))));
  let tail = rh * q2.x * poly + (0.5 * q2.y + r.y * (1.0 + rh));
  return ApaluNeg(i32(n), apalu_fast_two_sum(h.x, h.y + tail));
}

struct ApaluScaled { v: vec2<f32>, e: i32 }  // value = (v.x + v.y)·2^e

// e^x for finite x < 0 (x not tiny), as a double-float mantissa and a power of two.
fn apalu_exp_parts(nr: ApaluNeg) -> ApaluScaled {
  let g = apalu_two_sum(1.0, nr.m.x);
  return ApaluScaled(apalu_fast_two_sum(g.x, g.y + nr.m.y), nr.n);
}

// expm1(x) for x in [-80, -2^-25] from its reduction.
fn apalu_expm1_parts(nr: ApaluNeg) -> vec2<f32> {
  if (nr.n == 0) { return nr.m; }
  let g = apalu_exp_parts(nr);
  let s = apalu_pow2(g.e);
  let hi = g.v.x * s;
  let d = apalu_two_sum(-1.0, hi);
  return apalu_fast_two_sum(d.x, d.y + g.v.y * s);
}

// ---- accumulators for the per-channel sums ----
// s: terms ≥ 2^-60 as a double-float, stored scaled down by 2^-40 so that partial sums of
// terms near FLT_MAX never overflow (FLT_MAX + FLT_MAX − FLT_MAX is FLT_MAX, as in float64);
// t: smaller terms scaled up by 2^100, so subnormal terms add up exactly even where the GPU
// flushes subnormals; f: flags for ±∞ and NaN terms (a single term ≥ 2^128 counts as ±∞).
struct ApaluAcc { s: vec2<f32>, t: vec2<f32>, f: u32 }

fn apalu_df_add(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let s = apalu_two_sum(a.x, b.x);
  return apalu_two_sum(s.x, s.y + (a.y + b.y));
}

fn apalu_acc_add_df(acc: ptr<function, ApaluAcc>, v: vec2<f32>) {
  // The larger operand first: two_sum's s − a can overflow for operands near FLT_MAX of
  // opposite signs, fast_two_sum's s − big is exact.
  let acc_big = abs((*acc).s.x) >= abs(v.x);
  let s = apalu_fast_two_sum(select(v.x, (*acc).s.x, acc_big), select((*acc).s.x, v.x, acc_big));
  (*acc).s = apalu_two_sum(s.x, s.y + ((*acc).s.y + v.y));
}

// Adds (v.x + v.y)·2^e, a finite term in mantissa form.
fn apalu_acc_add(acc: ptr<function, ApaluAcc>, v: vec2<f32>, e: i32) {
  let r = apalu_opaque(v.x + v.y);
  let rest = vec2<f32>((v.x - r) + v.y, 0.0);
  let biased = i32((bitcast<u32>(r) >> 23u) & 0xffu) + e;   // the term's own biased exponent
  if (biased < 67) {
    let scaled = vec2<f32>(bitcast<f32>(apalu_pack(vec2<f32>(r, 0.0), e + 100)), bitcast<f32>(apalu_pack(rest, e + 100)));
    (*acc).t = apalu_df_add((*acc).t, scaled);
    return;
  }
  if (biased >= 255) {
    (*acc).f |= select(APALU_F_POS, APALU_F_NEG, bitcast<u32>(r) >= APALU_SIGN);
    return;
  }
  if (e >= -86 && e <= 167) {
    // The usual case: r·2^(e−40) is exact; rest·2^(e−40) can lose bits only below 2^-126, < 2^-50 of the term.
    let sc = apalu_pow2(e - 40);
    apalu_acc_add_df(acc, vec2<f32>(r * sc, rest.x * sc));
    return;
  }
  apalu_acc_add_df(acc, vec2<f32>(bitcast<f32>(apalu_pack(vec2<f32>(r, 0.0), e - 40)), bitcast<f32>(apalu_pack(rest, e - 40))));
}

// Adds a finite float32 given as bits (subnormals included).
fn apalu_acc_add_bits(acc: ptr<function, ApaluAcc>, bits: u32) {
  if ((bits & 0x7fffffffu) == 0u) { return; }
  let d = apalu_decode(bits);
  apalu_acc_add(acc, vec2<f32>(d.m, 0.0), d.e);
}

fn apalu_acc_merge(acc: ptr<function, ApaluAcc>, other: ApaluAcc) {
  (*acc).f |= other.f;
  (*acc).t = apalu_df_add((*acc).t, other.t);
  apalu_acc_add_df(acc, other.s);
}

// The float32 bits of a finished sum.
fn apalu_acc_result(acc: ApaluAcc) -> u32 {
  if ((acc.f & APALU_F_NAN) != 0u || (acc.f & (APALU_F_POS | APALU_F_NEG)) == (APALU_F_POS | APALU_F_NEG)) { return APALU_QNAN; }
  if ((acc.f & APALU_F_POS) != 0u) { return APALU_INF; }
  if ((acc.f & APALU_F_NEG) != 0u) { return APALU_SIGN | APALU_INF; }
  if ((bitcast<u32>(acc.t.x) & 0x7fffffffu) == 0u) { return apalu_pack(acc.s, 40); }
  if (((bitcast<u32>(acc.s.x) >> 23u) & 0xffu) < 67u) {
    // |sum of s| < 2^-20: add both at the small scale and round once onto the (subnormal) grid.
    let up = vec2<f32>(bitcast<f32>(apalu_pack(vec2<f32>(acc.s.x, 0.0), 140)), bitcast<f32>(apalu_pack(vec2<f32>(acc.s.y, 0.0), 140)));
    return apalu_pack(apalu_df_add(acc.t, up), -100);
  }
  return apalu_pack(vec2<f32>(acc.s.x, acc.s.y + bitcast<f32>(apalu_pack(acc.t, -140))), 40);
}

// ---- f(x) ----
// f(x) = a·x·(1 + σ(kx)) for x ≥ 0, b·expm1(x) for x < 0; arguments and result are float32 bits.
fn apalu_forward(xb: u32, ab: u32, bb: u32) -> u32 {
  let ax = xb & 0x7fffffffu;
  if (ax > APALU_INF) { return xb | 0x00400000u; }
  if (ax == 0u) { return xb; }
  let neg = xb >= APALU_SIGN;
  if (ax == APALU_INF) { return select(APALU_INF, bb | APALU_SIGN, neg); }
  let x = apalu_decode(xb);
  if (!neg) {
    let pa = apalu_decode(ab);
    var u = vec2<f32>(1.5, 0.0);
    if (ax >= 0x423c0000u) { u = vec2<f32>(2.0, 0.0); }                        // x ≥ 47: σ = 1
    else if (ax >= 0x21800000u) { u = apalu_pos(bitcast<f32>(xb)).u; }          // x ≥ 2^-60
    return apalu_pack(apalu_df_mul(apalu_two_prod(x.m, pa.m), u), x.e + pa.e);
  }
  let pb = apalu_decode(bb);
  if (ax < 0x33000000u) {
    // |x| < 2^-25: expm1(x) = x·(1 + x/2) to 2^-50 (x/2 may flush to 0 on such GPUs; harmless)
    let em1 = apalu_fast_two_sum(x.m, x.m * (0.5 * bitcast<f32>(xb)));
    return apalu_pack(apalu_df_mul_f(em1, pb.m), x.e + pb.e);
  }
  if (ax >= 0x42a00000u) { return bb | APALU_SIGN; }                              // x ≤ -80: f = −b
  let em1 = apalu_expm1_parts(apalu_neg(bitcast<f32>(xb)));
  return apalu_pack(apalu_df_mul_f(em1, pb.m), pb.e);
}

// ---- backward: returns the bits of dy·∂f/∂x and adds dy·∂f/∂a, dy·∂f/∂b to the sums ----
fn apalu_backward(xb: u32, gb: u32, ab: u32, bb: u32, acc_a: ptr<function, ApaluAcc>, acc_b: ptr<function, ApaluAcc>) -> u32 {
  let ax = xb & 0x7fffffffu;
  let ag = gb & 0x7fffffffu;
  let gsign = gb & APALU_SIGN;
  if (ax > APALU_INF) {
    (*acc_a).f |= APALU_F_NAN;
    (*acc_b).f |= APALU_F_NAN;
    return APALU_QNAN;
  }
  // x ≥ 0 (both zeros included) uses the a-branch.
  let on_a = xb < APALU_SIGN || ax == 0u;
  let gflag = select(APALU_F_POS, APALU_F_NEG, gsign != 0u);      // sign of dy as ±∞
  let ngflag = select(APALU_F_NEG, APALU_F_POS, gsign != 0u);     // sign of −dy as ±∞
  if (ag > APALU_INF) {
    if (on_a) { (*acc_a).f |= APALU_F_NAN; } else { (*acc_b).f |= APALU_F_NAN; }
    return APALU_QNAN;
  }
  if (!on_a && ax == APALU_INF) {
    // x = −∞: ∂f/∂x = 0, ∂f/∂b = −1
    if (ag == APALU_INF) { (*acc_b).f |= ngflag; return APALU_QNAN; }
    apalu_acc_add_bits(acc_b, gb ^ APALU_SIGN);
    return gsign;
  }
  if (ag == APALU_INF) {
    // ∂f/∂x > 0 for every other x
    if (on_a) { (*acc_a).f |= select(gflag, APALU_F_NAN, ax == 0u); } else { (*acc_b).f |= ngflag; }
    return gsign | APALU_INF;
  }
  if (ag == 0u) {
    if (ax == APALU_INF) { (*acc_a).f |= APALU_F_NAN; }   // 0·∞
    return gsign;
  }
  let g = apalu_decode(gb);
  if (on_a) {
    let pa = apalu_decode(ab);
    var u = vec2<f32>(1.5, 0.0);
    var t = vec2<f32>(1.5, 0.0);
    if (ax >= 0x423c0000u) { u = vec2<f32>(2.0, 0.0); t = u; }
    else if (ax >= 0x21800000u) { let p = apalu_pos(bitcast<f32>(xb)); u = p.u; t = p.t; }
    if (ax == APALU_INF) { (*acc_a).f |= gflag; }
    else if (ax != 0u) {
      let xd = apalu_decode(xb);
      apalu_acc_add(acc_a, apalu_df_mul(apalu_two_prod(g.m, xd.m), u), g.e + xd.e);
    }
    return apalu_pack(apalu_df_mul(apalu_two_prod(g.m, pa.m), t), g.e + pa.e);
  }
  let pb = apalu_decode(bb);
  let xd = apalu_decode(xb);
  let gm = apalu_two_prod(g.m, pb.m);
  if (ax < 0x33000000u) {
    let em1 = apalu_fast_two_sum(xd.m, xd.m * (0.5 * bitcast<f32>(xb)));
    apalu_acc_add(acc_b, apalu_df_mul_f(em1, g.m), xd.e + g.e);
    return apalu_pack(apalu_df_mul(gm, vec2<f32>(1.0, bitcast<f32>(xb))), g.e + pb.e);
  }
  if (ax >= 0x43c80000u) {
    // x ≤ -400: e^x·dy·b underflows for every finite dy, b
    apalu_acc_add_bits(acc_b, gb ^ APALU_SIGN);
    return gsign;
  }
  let nr = apalu_neg(bitcast<f32>(xb));
  if (ax >= 0x42a00000u) {
    apalu_acc_add_bits(acc_b, gb ^ APALU_SIGN);
  } else {
    apalu_acc_add(acc_b, apalu_df_mul_f(apalu_expm1_parts(nr), g.m), g.e);
  }
  let ex = apalu_exp_parts(nr);
  return apalu_pack(apalu_df_mul(gm, ex.v), g.e + pb.e + ex.e);
}
`;
