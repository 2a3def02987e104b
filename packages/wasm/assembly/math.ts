// Exp math shared by every kernel: the constants, the scalar element kernels (the scalar
// build and the SIMD tails), the vector constant packs and the forward's vector kernel.

// Type arguments that pick a loop's compiled copy: each strategy is one generic function,
// instantiated once per combination, and isFloat<T>() gives its `fast` (P: Strict or Fast)
// and `check` (D: Apart or InPlace, dx overlapping x or dy) flags as compile-time constants.
export type Strict = i32;
export type Fast = f32;
export type Apart = i32;
export type InPlace = f32;

// ---- constants -----------------------------------------------------------------------
export const MINUS_K: f32 = -1.702;
export const LOG2E: f32 = 1.44269502;
// Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (XNNPACK's trick);
// the extra 127 is the float32 exponent bias, so `bits << 23` is 2^n directly.
export const MAGIC_BIASED: f32 = 12583039.0;
// ln 2 split in two (Cody–Waite): n·LN2_HI is exact for |n| < 2^9.
export const LN2_HI: f32 = 0.693145751953125;
export const LN2_LO: f32 = 1.42860677e-6;
// expm1(r) ≈ r + r²·(C2 + C3 r + C4 r² + C5 r³ + C6 r⁴) on |r| ≤ ln2/2: a relative minimax fit
// (float32 coefficients) whose error in exact arithmetic is at most 1.8e-8 = 0.30·2^−24 of
// expm1(r) (2·10^6 points on the interval, against float64 expm1); the float32 evaluation adds
// its own roundings, and the end-to-end bound (≤ 2 ULP) is what the exhaustive run checks.
export const C2: f32 = 0.4999999701976776;
export const C3: f32 = 0.16666539013385773;
export const C4: f32 = 0.04166722297668457;
export const C5: f32 = 0.008367180824279785;
export const C6: f32 = 0.0013882395578548312;
// precision 'fast' (the composed class, |err| ≤ max(5e-6, 1e-5·|ref|)): ln 2 in one float32,
// so r = t − n·LN2 carries the rounding of n·LN2 (≤ 2^−24·|n·ln 2|: 1.2e-7 at |n| ≤ 4, up
// to 3.8e-6 at n = −126, where e^t < 1e-37 hides it), and a degree-5 fit, relative error
// 4.5e-7 = 7.6·2^−24 (fitted like C2…C6; float32 products throughout).
export const LN2: f32 = 0.6931471824645996;
export const F2: f32 = 0.49999403953552246;
export const F3: f32 = 0.16666831076145172;
export const F4: f32 = 0.0418725423514843;
export const F5: f32 = 0.008338060230016708;
// Forward: below −87 the exponential no longer changes any float32 result and 2^n must
// stay a normal float32. Backward: dx = dy·b·e^x, and |dy·b| reaches FLT_MAX² ≈ 2^256, so
// e^x decides float32 results down to x ≈ −281 (2^256·e^x < 2^−150): the strict clamp sits
// at −300 (e^−300 = 2^−432.8; |n| < 2^9 keeps n·LN2_HI exact) and dx's 2^n is a float64.
export const FWD_CLAMP: f32 = -87.0;
export const BWD_CLAMP: f32 = -300.0;
// 'fast' keeps −150: its one-part ln 2 would cost 1.5e-5 relative at n = −433, and every
// x < FAST_DEEP lane takes the strict value instead (deepDx), so the clamp never shows.
export const BWD_CLAMP_FAST: f32 = -150.0;
// Backward, float32 side (σ, the ∂b term expm1 = (2^n − 1) + 2^n·p): 2^n is built as
// 2^(n+100) from the magic's bits (normal for n ≥ −226: the bits are first raised to
// EXP_FLOOR_BITS, n = −226, whose 2^n rounds to float32 0 like every n ≤ −150) and scaled
// back by 2^−100, so b·e^x keeps its float32 subnormal values.
export const MAGIC_BWD: f32 = 12583139.0; // 1.5·2^23 + 127 + 100
export const EXP_FLOOR_BITS: i32 = 0x4b400001; // MAGIC_BWD's bits for n = −226 (n + 227 = 1)
export const DOWN: f32 = 7.888609052210118e-31; // 2^−100
// Backward, dx's float64 product: 2^n exactly, for every n ≥ −433, from the same bits:
// (bits + EXP64_BIAS) << 52 leaves n + 1023, the float64 exponent (the magic's upper bits
// shift out). The SIMD code shifts by 20 within each float64's upper 32 bits instead.
export const EXP64_BIAS: i32 = 796; // 1023 − 227
export const ONE64_HI: i32 = 0x3ff00000; // upper 32 bits of the float64 1.0 (x ≥ 0 lanes' scale)
// 'fast': below −87 the float32 e^x is subnormal (or 0 below −104) and dy·(b·e) loses all
// precision under a huge dy·b; such lanes take the strict value (deepDx, off the hot path).
export const FAST_DEEP: f32 = -87.0;
export const HUGE_TERM_BITS: i32 = 0x7d800000; // 2^124

// ---- scalar element kernels (also the SIMD build's tails) -----------------------------

/** Polynomial part: returns r, leaves r²·Q(r) in gRQ. */
export let gRQ: f32 = 0;
export let gN: f32 = 0;

@inline export function reduce(t: f32, magic: f32): f32 {
  const vn = t * LOG2E + magic;
  gN = vn;
  const nf = vn - magic;
  let r = t - nf * LN2_HI;
  r = r - nf * LN2_LO;
  // Estrin's scheme (shorter dependency chain than Horner; the SIMD code has the same order).
  const r2 = r * r;
  const q01 = C3 * r + C2;
  const q23 = C5 * r + C4;
  const q = (C6 * r2 + q23) * r2 + q01;
  gRQ = r2 * q;
  return r;
}

@inline export function forwardScalar(x: f32, a: f32, b: f32): f32 {
  const neg = x < 0;
  const kx = x * MINUS_K;
  let t = select<f32>(kx, x, kx < x);
  t = select<f32>(FWD_CLAMP, t, t < FWD_CLAMP);
  const r = reduce(t, MAGIC_BIASED);
  const s = reinterpret<f32>(reinterpret<i32>(gN) << 23);
  const p = r + gRQ;
  const sp = s * p;
  const negv = b * ((s - <f32>1) + sp);
  const d = (<f32>1 + s) + sp;
  const ax = a * x;
  const pos = ax + ax * (<f32>1 / d);
  return select<f32>(negv, pos, neg);
}

export let gTermA: f64 = 0;
export let gTermB: f64 = 0;

/**
 * dy·∂f/∂x, with dy·∂f/∂a in gTermA and dy·∂f/∂b in gTermB (the other one is 0). float32
 * up to the last products, which are exact in float64 and rounded once.
 */
@inline export function backwardScalar(x: f32, dy: f32, a: f32, b: f32): f32 {
  const neg = x < 0;
  const kx = x * MINUS_K;
  let t = select<f32>(kx, x, kx < x);
  t = select<f32>(BWD_CLAMP, t, t < BWD_CLAMP);
  const r = reduce(t, MAGIC_BWD);
  const p = r + gRQ;
  const bits = reinterpret<i32>(gN);
  const sS = reinterpret<f32>(max<i32>(bits, EXP_FLOOR_BITS) << 23);
  const spS = sS * p;
  const s = sS * DOWN;
  const sp = spS * DOWN;
  const e = s + sp;
  const em1 = (s - <f32>1) + sp;
  const sig = <f32>1 / ((<f32>1 + s) + sp);
  const w = <f32>1 - t * e * sig;
  const v = select<f32>(p, sig, neg);
  const u = select<f32>(1, w, neg);
  const coef = select<f32>(b, a, neg);
  // 2^n exactly (x < 0), or 1; 0 at x = −∞, where ∂f/∂x = b·e^−∞ = 0: dx = dy·0 (NaN for an
  // infinite dy, as the reference), not the clamp's dy·b·e^−300 (±∞ for an infinite dy).
  const scale = select<f64>(select<f64>(0, reinterpret<f64>(<i64>(bits + EXP64_BIAS) << 52), x == -Infinity), 1, neg);
  // float64 terms: x·(1 + σ) must not overflow float32 for x near FLT_MAX.
  gTermA = select<f64>(0, <f64>dy * (<f64>x * (1 + <f64>sig)), neg);
  gTermB = select<f64>(<f64>dy * <f64>em1, 0, neg);
  return <f32>((<f64>dy * <f64>coef) * (1 + <f64>v * <f64>u) * scale);
}

// ---- SIMD element kernels (no v128 globals: the scalar build must not see the type) ---

// Vector constants travel in packs of four lanes, built once per loop before it starts and
// broadcast lane by lane where used (one shuffle, `vpshufd`). V8 12+ (Node 24, current
// Chrome) rebuilds a v128 constant at every use (movq, vmovq, vpunpcklqdq) where V8 11
// (Node 20) hoisted it out of the loop (BENCH-NOTES.md, "packs"). Each pack is OR-ed with a zero that
// binaryen cannot prove zero (built from a length, never negative), or it would fold the
// constants back into every use.
//   K0: −k, the exponent argument's clamp, log2 e, the rounding magic (which 2^n encodes)
//   K1: ln 2 (two parts; 'fast': one, and 0), the polynomial's first two coefficients
//   K2: the polynomial's next three ('fast': two, and 0), 1
//   K3 (backward): 2^−100, FAST_DEEP, 2^124's bits (huge terms), FLT_MAX's bits (overflowed sums)
//   K4 (backward, i32 lanes): the float64 1.0 (lanes 0, 1; lane 1 alone: ONE64_HI),
//      EXP_FLOOR_BITS, EXP64_BIAS << 20

/** An all-zero vector binaryen cannot fold (`count` is never negative). */
@inline export function opaqueZero(count: i32): v128 {
  return i32x4.splat(-<i32>(count < 0));
}
@inline export function packK0(z: v128, backward: bool, fast: bool): v128 {
  // The backward clamps at −300 (strict) and −150 ('fast', whose lanes below FAST_DEEP take the
  // strict value), 2^n built scaled (expPow): at −87 'fast' took e^x as e^−87 below it, which a
  // huge dy·b made visible (x = −100, dy = 1e33: dx 1.6e-5, not 3.7e-11).
  if (!backward) return v128.or(f32x4(MINUS_K, FWD_CLAMP, LOG2E, MAGIC_BIASED), z);
  return v128.or(fast ? f32x4(MINUS_K, BWD_CLAMP_FAST, LOG2E, MAGIC_BWD) : f32x4(MINUS_K, BWD_CLAMP, LOG2E, MAGIC_BWD), z);
}
@inline export function packK1(z: v128, fast: bool): v128 {
  return v128.or(fast ? f32x4(LN2, 0, F2, F3) : f32x4(LN2_HI, LN2_LO, C2, C3), z);
}
@inline export function packK2(z: v128, fast: bool): v128 {
  return v128.or(fast ? f32x4(F4, F5, 0, 1) : f32x4(C4, C5, C6, 1), z);
}
@inline export function packK3(z: v128): v128 {
  return v128.or(i32x4(reinterpret<i32>(DOWN), reinterpret<i32>(FAST_DEEP), HUGE_TERM_BITS, 0x7f7fffff), z);
}
@inline export function packK4(z: v128): v128 {
  return v128.or(i32x4(0, ONE64_HI, EXP_FLOOR_BITS, EXP64_BIAS << 20), z);
}
/** Lane i of a pack in every lane. */
@inline export function lane0(k: v128): v128 {
  return i32x4.shuffle(k, k, 0, 0, 0, 0);
}
@inline export function lane1(k: v128): v128 {
  return i32x4.shuffle(k, k, 1, 1, 1, 1);
}
@inline export function lane2(k: v128): v128 {
  return i32x4.shuffle(k, k, 2, 2, 2, 2);
}
@inline export function lane3(k: v128): v128 {
  return i32x4.shuffle(k, k, 3, 3, 3, 3);
}
/** The float64 in lanes 0, 1 of K4 (1.0) in both float64 lanes. */
@inline export function f64lane0(k: v128): v128 {
  return i32x4.shuffle(k, k, 0, 1, 0, 1);
}

// Shared by forwardVec and backwardVec: e^t = 2^n·(1 + p(r)) with Cody–Waite reduction.

/** t = x < 0 ? x : −k·x, i.e. the smaller of the two, clamped below; pmin/pmax keep a NaN x. */
@inline export function expArgVec(x: v128, K0: v128): v128 {
  return f32x4.pmax(f32x4.pmin(x, f32x4.mul(x, lane0(K0))), lane1(K0));
}

/** round(t·log2 e) carried in the low bits of a float biased by the magic (2^n comes from its bits). */
@inline export function expScaleVec(t: v128, K0: v128): v128 {
  return f32x4.add(f32x4.mul(t, lane2(K0)), lane3(K0));
}

/** p with e^r = 1 + p, r = t − n·ln 2 (two-part ln 2), degree-6 polynomial. */
@inline export function expPolyVec(t: v128, vn: v128, K0: v128, K1: v128, K2: v128): v128 {
  const nf = f32x4.sub(vn, lane3(K0));
  let r = f32x4.sub(t, f32x4.mul(nf, lane0(K1)));
  r = f32x4.sub(r, f32x4.mul(nf, lane1(K1)));
  // Estrin's scheme: the out-of-order core overlaps (C2 + C3 r), (C4 + C5 r) and r², where
  // Horner's chain of five dependent multiply-adds kept it waiting (BENCH-NOTES.md, "packs").
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(lane3(K1), r), lane2(K1));
  const q23 = f32x4.add(f32x4.mul(lane1(K2), r), lane0(K2));
  const q = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(lane2(K2), r2), q23), r2), q01);
  return f32x4.add(r, f32x4.mul(r2, q));
}

/** expPolyVec for precision 'fast' (K1, K2 of a fast pack): one-part ln 2, degree 5 (composed class). */
@inline export function expPolyVecFast(t: v128, vn: v128, K0: v128, K1: v128, K2: v128): v128 {
  const nf = f32x4.sub(vn, lane3(K0));
  const r = f32x4.sub(t, f32x4.mul(nf, lane0(K1)));
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(lane3(K1), r), lane2(K1));
  const q23 = f32x4.add(f32x4.mul(lane1(K2), r), lane0(K2));
  return f32x4.add(r, f32x4.mul(r2, f32x4.add(f32x4.mul(q23, r2), q01)));
}

/** f on one vector; fast (a compile-time constant): one-part ln 2 and the degree-5 polynomial, the composed class. */
@inline export function forwardVec(x: v128, a: v128, b: v128, fast: bool, K0: v128, K1: v128, K2: v128): v128 {
  const neg = f32x4.lt(x, f32x4.splat(0));
  const t = expArgVec(x, K0);
  const vn = expScaleVec(t, K0);
  const p = fast ? expPolyVecFast(t, vn, K0, K1, K2) : expPolyVec(t, vn, K0, K1, K2);
  const s = i32x4.shl(vn, 23);
  const one = lane3(K2);
  const sp = f32x4.mul(s, p);
  // x < 0: b·expm1(t), expm1(t) = (s − 1) + s·p with both addends exact: one rounding.
  const negv = f32x4.mul(b, f32x4.add(f32x4.sub(s, one), sp));
  // x ≥ 0: a·x·(1 + σ) = a·x + (a·x)·σ in float32, σ = 1/d, d = 1 + e^(−kx) = (1 + s) + s·p.
  // Five roundings (d, σ, a·x, (a·x)·σ, the sum); σ/(1 + σ) ≤ 1/2 halves the weight of the
  // first two and of the product. Measured ≤ 2 ULP over all 2^32 x (README); it replaced
  // float64 products that cost time and bought no measured ULP (BENCH-NOTES.md, "packs").
  const d = f32x4.add(f32x4.add(one, s), sp);
  const sigma = f32x4.div(one, d);
  const ax = f32x4.mul(a, x);
  return v128.bitselect(negv, f32x4.add(ax, f32x4.mul(ax, sigma)), neg);
}
