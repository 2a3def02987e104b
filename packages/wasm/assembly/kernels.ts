// APALU kernels in AssemblyScript. One source, two builds: with `--enable simd` the
// ASC_FEATURE_SIMD branches use f32x4 (four elements per step); without it only the
// scalar code is compiled. Both evaluate the same operations in the same order, so the
// SIMD and scalar builds return bit-identical results (the tests check this). Precision
// 'fast' (a second copy of each SIMD loop) exists in the SIMD build only; the scalar code,
// and the SIMD build's tails, are strict at either precision, and so are the backward's dx
// lanes with x < −87 (FAST_DEEP).
//
// The module imports its memory and uses no data segment, stack, allocator or Math
// function: a host (tfjs's wasm backend) can run it inside its own memory. Every
// exported function takes byte addresses into that memory.

// ---- constants -----------------------------------------------------------------------
const MINUS_K: f32 = -1.702;
const LOG2E: f32 = 1.44269502;
// Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (XNNPACK's trick);
// the extra 127 is the float32 exponent bias, so `bits << 23` is 2^n directly.
const MAGIC_BIASED: f32 = 12583039.0;
// ln 2 split in two (Cody–Waite): n·LN2_HI is exact for |n| < 2^9.
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.42860677e-6;
// expm1(r) ≈ r + r²·(C2 + C3 r + C4 r² + C5 r³ + C6 r⁴) on |r| ≤ ln2/2: a relative minimax fit
// (float32 coefficients) whose error in exact arithmetic is at most 1.8e-8 = 0.30·2^−24 of
// expm1(r) (2·10^6 points on the interval, against float64 expm1); the float32 evaluation adds
// its own roundings, and the end-to-end bound (≤ 2 ULP) is what the exhaustive run checks.
const C2: f32 = 0.4999999701976776;
const C3: f32 = 0.16666539013385773;
const C4: f32 = 0.04166722297668457;
const C5: f32 = 0.008367180824279785;
const C6: f32 = 0.0013882395578548312;
// precision 'fast' (the composed class, |err| ≤ max(5e-6, 1e-5·|ref|)): ln 2 in one float32,
// so r = t − n·LN2 carries the rounding of n·LN2 (≤ 2^−24·|n·ln 2|: 1.2e-7 at |n| ≤ 4, up
// to 3.8e-6 at n = −126, where e^t < 1e-37 hides it), and a degree-5 fit, relative error
// 4.5e-7 = 7.6·2^−24 (fitted like C2…C6; float32 products throughout).
const LN2: f32 = 0.6931471824645996;
const F2: f32 = 0.49999403953552246;
const F3: f32 = 0.16666831076145172;
const F4: f32 = 0.0418725423514843;
const F5: f32 = 0.008338060230016708;
// Forward: below −87 the exponential no longer changes any float32 result and 2^n must
// stay a normal float32. Backward: dx = dy·b·e^x, and |dy·b| reaches FLT_MAX² ≈ 2^256, so
// e^x decides float32 results down to x ≈ −281 (2^256·e^x < 2^−150): the strict clamp sits
// at −300 (e^−300 = 2^−432.8; |n| < 2^9 keeps n·LN2_HI exact) and dx's 2^n is a float64.
const FWD_CLAMP: f32 = -87.0;
const BWD_CLAMP: f32 = -300.0;
// 'fast' keeps −150: its one-part ln 2 would cost 1.5e-5 relative at n = −433, and every
// x < FAST_DEEP lane takes the strict value instead (deepDx), so the clamp never shows.
const BWD_CLAMP_FAST: f32 = -150.0;
// Backward, float32 side (σ, the ∂b term expm1 = (2^n − 1) + 2^n·p): 2^n is built as
// 2^(n+100) from the magic's bits (normal for n ≥ −226: the bits are first raised to
// EXP_FLOOR_BITS, n = −226, whose 2^n rounds to float32 0 like every n ≤ −150) and scaled
// back by 2^−100, so b·e^x keeps its float32 subnormal values.
const MAGIC_BWD: f32 = 12583139.0; // 1.5·2^23 + 127 + 100
const EXP_FLOOR_BITS: i32 = 0x4b400001; // MAGIC_BWD's bits for n = −226 (n + 227 = 1)
const DOWN: f32 = 7.888609052210118e-31; // 2^−100
// Backward, dx's float64 product: 2^n exactly, for every n ≥ −433, from the same bits:
// (bits + EXP64_BIAS) << 52 leaves n + 1023, the float64 exponent (the magic's upper bits
// shift out). The SIMD code shifts by 20 within each float64's upper 32 bits instead.
const EXP64_BIAS: i32 = 796; // 1023 − 227
const ONE64_HI: i32 = 0x3ff00000; // upper 32 bits of the float64 1.0 (x ≥ 0 lanes' scale)
// 'fast': below −87 the float32 e^x is subnormal (or 0 below −104) and dy·(b·e) loses all
// precision under a huge dy·b; such lanes take the strict value (deepDx, off the hot path).
const FAST_DEEP: f32 = -87.0;
const HUGE_TERM_BITS: i32 = 0x7d800000; // 2^124

// ---- scalar element kernels (also the SIMD build's tails) -----------------------------

/** Polynomial part: returns r, leaves r²·Q(r) in gRQ. */
let gRQ: f32 = 0;
let gN: f32 = 0;

@inline function reduce(t: f32, magic: f32): f32 {
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

@inline function forwardScalar(x: f32, a: f32, b: f32): f32 {
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

let gTermA: f64 = 0;
let gTermB: f64 = 0;

/**
 * dy·∂f/∂x, with dy·∂f/∂a in gTermA and dy·∂f/∂b in gTermB (the other one is 0). float32
 * up to the last products, which are exact in float64 and rounded once.
 */
@inline function backwardScalar(x: f32, dy: f32, a: f32, b: f32): f32 {
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
// (Node 20) hoisted it out of the loop: written as plain constants the strict forward ran at
// 474 M elements/s on Node 24 against 926 on Node 20. Each pack is OR-ed with a zero that
// binaryen cannot prove zero (built from a length, never negative), or it would fold the
// constants back into every use.
//   K0: −k, the exponent argument's clamp, log2 e, the rounding magic (which 2^n encodes)
//   K1: ln 2 (two parts; 'fast': one, and 0), the polynomial's first two coefficients
//   K2: the polynomial's next three ('fast': two, and 0), 1
//   K3 (backward): 2^−100, FAST_DEEP, 2^124's bits (huge terms), FLT_MAX's bits (overflowed sums)
//   K4 (backward, i32 lanes): the float64 1.0 (lanes 0, 1; lane 1 alone: ONE64_HI),
//      EXP_FLOOR_BITS, EXP64_BIAS << 20

/** An all-zero vector binaryen cannot fold (`count` is never negative). */
@inline function opaqueZero(count: i32): v128 {
  return i32x4.splat(-<i32>(count < 0));
}
@inline function packK0(z: v128, backward: bool, fast: bool): v128 {
  // The backward clamps at −300 (strict) and −150 ('fast', whose lanes below FAST_DEEP take the
  // strict value), 2^n built scaled (expPow): at −87 'fast' took e^x as e^−87 below it, which a
  // huge dy·b made visible (x = −100, dy = 1e33: dx 1.6e-5, not 3.7e-11).
  if (!backward) return v128.or(f32x4(MINUS_K, FWD_CLAMP, LOG2E, MAGIC_BIASED), z);
  return v128.or(fast ? f32x4(MINUS_K, BWD_CLAMP_FAST, LOG2E, MAGIC_BWD) : f32x4(MINUS_K, BWD_CLAMP, LOG2E, MAGIC_BWD), z);
}
@inline function packK1(z: v128, fast: bool): v128 {
  return v128.or(fast ? f32x4(LN2, 0, F2, F3) : f32x4(LN2_HI, LN2_LO, C2, C3), z);
}
@inline function packK2(z: v128, fast: bool): v128 {
  return v128.or(fast ? f32x4(F4, F5, 0, 1) : f32x4(C4, C5, C6, 1), z);
}
@inline function packK3(z: v128): v128 {
  return v128.or(i32x4(reinterpret<i32>(DOWN), reinterpret<i32>(FAST_DEEP), HUGE_TERM_BITS, 0x7f7fffff), z);
}
@inline function packK4(z: v128): v128 {
  return v128.or(i32x4(0, ONE64_HI, EXP_FLOOR_BITS, EXP64_BIAS << 20), z);
}
/** Lane i of a pack in every lane. */
@inline function lane0(k: v128): v128 {
  return i32x4.shuffle(k, k, 0, 0, 0, 0);
}
@inline function lane1(k: v128): v128 {
  return i32x4.shuffle(k, k, 1, 1, 1, 1);
}
@inline function lane2(k: v128): v128 {
  return i32x4.shuffle(k, k, 2, 2, 2, 2);
}
@inline function lane3(k: v128): v128 {
  return i32x4.shuffle(k, k, 3, 3, 3, 3);
}
/** The float64 in lanes 0, 1 of K4 (1.0) in both float64 lanes. */
@inline function f64lane0(k: v128): v128 {
  return i32x4.shuffle(k, k, 0, 1, 0, 1);
}

// Shared by forwardVec and backwardVec: e^t = 2^n·(1 + p(r)) with Cody–Waite reduction.

/** t = x < 0 ? x : −k·x, i.e. the smaller of the two, clamped below; pmin/pmax keep a NaN x. */
@inline function expArgVec(x: v128, K0: v128): v128 {
  return f32x4.pmax(f32x4.pmin(x, f32x4.mul(x, lane0(K0))), lane1(K0));
}

/** round(t·log2 e) carried in the low bits of a float biased by the magic (2^n comes from its bits). */
@inline function expScaleVec(t: v128, K0: v128): v128 {
  return f32x4.add(f32x4.mul(t, lane2(K0)), lane3(K0));
}

/** p with e^r = 1 + p, r = t − n·ln 2 (two-part ln 2), degree-6 polynomial. */
@inline function expPolyVec(t: v128, vn: v128, K0: v128, K1: v128, K2: v128): v128 {
  const nf = f32x4.sub(vn, lane3(K0));
  let r = f32x4.sub(t, f32x4.mul(nf, lane0(K1)));
  r = f32x4.sub(r, f32x4.mul(nf, lane1(K1)));
  // Estrin's scheme: the out-of-order core overlaps (C2 + C3 r), (C4 + C5 r) and r², where
  // Horner's chain of five dependent multiply-adds kept it waiting (+8 % forward).
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(lane3(K1), r), lane2(K1));
  const q23 = f32x4.add(f32x4.mul(lane1(K2), r), lane0(K2));
  const q = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(lane2(K2), r2), q23), r2), q01);
  return f32x4.add(r, f32x4.mul(r2, q));
}

/** expPolyVec for precision 'fast' (K1, K2 of a fast pack): one-part ln 2, degree 5 (composed class). */
@inline function expPolyVecFast(t: v128, vn: v128, K0: v128, K1: v128, K2: v128): v128 {
  const nf = f32x4.sub(vn, lane3(K0));
  const r = f32x4.sub(t, f32x4.mul(nf, lane0(K1)));
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(lane3(K1), r), lane2(K1));
  const q23 = f32x4.add(f32x4.mul(lane1(K2), r), lane0(K2));
  return f32x4.add(r, f32x4.mul(r2, f32x4.add(f32x4.mul(q23, r2), q01)));
}

/** f on one vector; fast (a compile-time constant): one-part ln 2 and the degree-5 polynomial, the composed class. */
@inline function forwardVec(x: v128, a: v128, b: v128, fast: bool, K0: v128, K1: v128, K2: v128): v128 {
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
  // float64 products that cost 30 % of the forward's time and bought no measured ULP.
  const d = f32x4.add(f32x4.add(one, s), sp);
  const sigma = f32x4.div(one, d);
  const ax = f32x4.mul(a, x);
  return v128.bitselect(negv, f32x4.add(ax, f32x4.mul(ax, sigma)), neg);
}

// The backward's element kernel comes in stages, each one vector out: expArgVec, expScaleVec,
// expPoly, expPow (2^n), expPowP (2^n·p), sigmoidVec, then backwardDxVec and backwardTerms.
// backwardVec runs them for one vector; backwardQuad for four in lockstep, one stage for all
// four before the next. V8 12+ (Node 24, Chromium) emits code in the order written, and one
// vector's whole chain (exponential, division, float64 products) before the next kept the
// core waiting on latencies; V8 11 (Node 20) reordered it itself. Measured at 1M with 64
// channels, one thread, the same bits: Node 24 strict 253 → 345 M elements/s, 'fast' 430 →
// 525; Chromium 150 269 → 362, 437 → 552; Node 20 unchanged (strict), 517 → 536 ('fast').
// (The forward, with a shorter chain, measured slower in lockstep on Node 24: it stays per
// vector.) Stages recompute small shared values (2^n from vn's bits); V8 numbers equal pure
// values once, so the code computes them once.

/** p for either precision (fast, a compile-time constant: one-part ln 2 and the degree-5 polynomial). */
@inline function expPoly(t: v128, vn: v128, fast: bool, K0: v128, K1: v128, K2: v128): v128 {
  return fast ? expPolyVecFast(t, vn, K0, K1, K2) : expPolyVec(t, vn, K0, K1, K2);
}

/**
 * vn for expPow and expPowP: strict's n goes down to −433, so its bits are first raised to those
 * of n = −226 (EXP_FLOOR_BITS; 2^n then rounds to float32 0 as for every n ≤ −150); 'fast'
 * (clamp −150: n ≥ −217) needs no floor.
 */
@inline function expFloor(vn: v128, fast: bool, K4: v128): v128 {
  return fast ? vn : i32x4.max_s(vn, lane2(K4));
}

/**
 * 2^n of e^t = 2^n·(1 + p) in float32 (vf: expFloor's): the bits hold 2^(n+100) (MAGIC_BWD),
 * scaled back by 2^−100 so that b·e^x keeps its float32 subnormal values.
 */
@inline function expPow(vf: v128, fast: bool, K3: v128): v128 {
  return f32x4.mul(i32x4.shl(vf, 23), lane0(K3));
}

/** 2^n·p (exact in float32 up to one rounding), scaled like expPow. */
@inline function expPowP(vf: v128, p: v128, fast: bool, K3: v128): v128 {
  return f32x4.mul(f32x4.mul(i32x4.shl(vf, 23), p), lane0(K3));
}

/** 1/(1 + e^t) from s = 2^n, sp = 2^n·p: σ(kx) where x ≥ 0 (t = −kx), unused where x < 0. */
@inline function sigmoidVec(s: v128, sp: v128, K2: v128): v128 {
  const one = lane3(K2);
  return f32x4.div(one, f32x4.add(f32x4.add(one, s), sp));
}

/**
 * dy·∂f/∂x: x < 0: dy·b·e^x; x ≥ 0: dy·a·(1 + σ·w), w = 1 − t·e·σ (t = −kx, e = e^t).
 * fast: float32 (lanes below FAST_DEEP are the caller's: deepDx). strict: (dy·coef)·(1 + v·u)·sc
 * in float64, exact until the last rounding (x ≥ 0: v = σ, u = w, sc = 1; x < 0: v = p, u = 1,
 * sc = 2^n, a float64 built from n's bits: n reaches −433, and |dy·b| up to 2^256 keeps
 * dy·b·2^n·(1 + p) within float32 range down there).
 */
@inline function backwardDxVec(
  x: v128, dy: v128, neg: v128, t: v128, vn: v128, p: v128, s: v128, sp: v128, sig: v128, av: v128, bv: v128, fast: bool, K2: v128, K3: v128, K4: v128,
): v128 {
  const one = lane3(K2);
  const e = f32x4.add(s, sp);
  const w = f32x4.sub(one, f32x4.mul(f32x4.mul(t, e), sig));
  // fast: dy·(b·e) where x < 0 (b·e ≤ b: finite), (dy·a)·g where x ≥ 0 (g ≥ 1, so dy·a overflows
  // only when dx does; a·g first overflowed for a near FLT_MAX). b·e is floored at 2^−149 (the bits
  // 0x00000001, from FLT_MAX's bits in K3 >> 30): where it underflows, |dy·2^−149| ≤ 2^−21 stays in the
  // composed class, and an infinite dy gives ±∞ rather than ∞·0 = NaN (b = 2^−149, x = −0.69, dy = −∞).
  if (fast) {
    const be = f32x4.max(f32x4.mul(bv, e), i32x4.shr_u(lane3(K3), 30));
    return v128.bitselect(f32x4.mul(dy, be), f32x4.mul(f32x4.mul(dy, av), f32x4.add(one, f32x4.mul(sig, w))), neg);
  }
  const v = v128.bitselect(p, sig, neg);
  const u = v128.bitselect(one, w, neg);
  const coef = v128.bitselect(bv, av, neg);
  // The upper 32 bits of each lane's float64 scale: (n + 1023) << 20 (the magic's upper bits shift
  // out), or 1.0's; paired with zero lower halves (unpack) they are 2^n or 1 exactly. x = −∞
  // (x < −FLT_MAX): 0, so dx = dy·0 (NaN for an infinite dy, as the reference; the clamp's
  // e^−300 gave ±∞), one compare and one andnot.
  const sc = v128.bitselect(scaleHi(vn, K4), lane1(K4), neg);
  return backwardDx4(dy, coef, v, u, v128.andnot(sc, f32x4.lt(x, f32x4.neg(lane3(K3)))), K4);
}

/** (n + 1023) << 20 per lane: the upper 32 bits of the float64 2^n (the magic's upper bits shift out). */
@inline function scaleHi(vn: v128, K4: v128): v128 {
  return i32x4.add(i32x4.shl(vn, 20), lane3(K4));
}

/**
 * (dy·coef)·(1 + v·u)·sc for four lanes in float64, rounded once to float32; scHi holds the upper
 * 32 bits of each sc (2^n or 1.0: paired with zero lower halves by an unpack, exact).
 */
@inline function backwardDx4(dy: v128, coef: v128, v: v128, u: v128, scHi: v128, K4: v128): v128 {
  const zero = i32x4.splat(0);
  const lo = backwardDx(dy, coef, v, u, i32x4.shuffle(zero, scHi, 0, 4, 1, 5), K4);
  const hi = backwardDx(
    f32x4.shuffle(dy, dy, 2, 3, 2, 3),
    f32x4.shuffle(coef, coef, 2, 3, 2, 3),
    f32x4.shuffle(v, v, 2, 3, 2, 3),
    f32x4.shuffle(u, u, 2, 3, 2, 3),
    i32x4.shuffle(zero, scHi, 2, 6, 3, 7),
    K4,
  );
  return f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * The terms dy·∂f/∂a (x ≥ 0 lanes: dy·x·(1 + σ)) and dy·∂f/∂b (x < 0 lanes: dy·expm1(x),
 * expm1 = (2^n − 1) + 2^n·p): one select, one product with dy; the caller splits them by `neg`.
 * Lanes with a subnormal x > 0 come out NaN (all bits set), so the callers' overflow tests send
 * their block to the float64 fallback: there x·(1 + σ) is a float32 subnormal, rounded at 2^−149
 * absolute before dy scales that error (x = 9.8e-45, dy = −100: 0.047 of Σ|terms|). A subnormal
 * x < 0 needs nothing: expm1(x) = 0 + 1·x is exact, and dy·x is rounded once.
 */
@inline function backwardTerms(dy: v128, x: v128, neg: v128, s: v128, sp: v128, sig: v128, K2: v128): v128 {
  const one = lane3(K2);
  const terms = f32x4.mul(dy, v128.bitselect(f32x4.add(f32x4.sub(s, one), sp), f32x4.mul(x, f32x4.add(one, sig)), neg));
  // (x's bits − 1) >> 23 (unsigned) = 0: bits 1…0x800000, the subnormals x > 0 and 2^−126 (not
  // +0, −0 or NaN). The −1 is x = x's all-ones mask (no constant: none stays live in a register).
  return v128.or(terms, i32x4.eq(i32x4.shr_u(i32x4.add(x, f32x4.eq(x, x)), 23), i32x4.splat(0)));
}


/**
 * One vector of the backward pass: stores dx at dxp and returns the terms, dy·∂f/∂a in the
 * x ≥ 0 lanes and dy·∂f/∂b in the x < 0 lanes (`neg` = x < 0, from the caller, which splits
 * them with the same mask). check = true: a vector whose float32 terms are huge, infinite or
 * NaN is redone in float64 by fixTerms (before dx is stored, so dx may overwrite dy) and
 * returns zeros; check = false leaves that to the caller's per-block test.
 */
@inline function backwardVec(
  x: v128, dy: v128, neg: v128, dxp: usize, av: v128, bv: v128,
  xp: usize, dyp: usize, ap: usize, bp: usize, accA: usize, accB: usize, row: bool, check: bool, fast: bool,
  K0: v128, K1: v128, K2: v128, K3: v128, K4: v128,
): v128 {
  const t = expArgVec(x, K0);
  const vn = expScaleVec(t, K0);
  const p = expPoly(t, vn, fast, K0, K1, K2);
  const vf = expFloor(vn, fast, K4);
  const s = expPow(vf, fast, K3);
  const sp = expPowP(vf, p, fast, K3);
  const sig = sigmoidVec(s, sp, K2);
  let dx = backwardDxVec(x, dy, neg, t, vn, p, s, sp, sig, av, bv, fast, K2, K3, K4);
  let terms = backwardTerms(dy, x, neg, s, sp, sig, K2);
  // |term| bits above 2^124's (NaN and ∞ included): a signed compare on the magnitude bits.
  const huge = i32x4.gt_s(f32x4.abs(terms), lane2(K3));
  // 'fast': lanes below FAST_DEEP take the strict value (deepDx); with check, one test for both.
  const deep = f32x4.lt(x, lane1(K3));
  if (check) {
    if (v128.any_true(fast ? v128.or(huge, deep) : huge)) {
      if (fast && v128.any_true(deep)) dx = deepDx(x, dy, dx, bv);
      if (v128.any_true(huge)) {
        // Before dx is stored (dx may overwrite x or dy): fixTerms leaves dx alone.
        fixTerms(xp, dyp, 0, ap, bp, accA, accB, row, false, 4);
        terms = f32x4.splat(0);
      }
    }
  } else if (fast && v128.any_true(deep)) dx = deepDx(x, dy, dx, bv);
  v128.store(dxp, dx);
  return terms;
}

/** The four vectors' ∂a terms (the x ≥ 0 lanes, masks n0…n3 clear) added per lane: (t0 + t1) + (t2 + t3). */
@inline function laneSumA(t0: v128, t1: v128, t2: v128, t3: v128, n0: v128, n1: v128, n2: v128, n3: v128): v128 {
  return f32x4.add(f32x4.add(v128.andnot(t0, n0), v128.andnot(t1, n1)), f32x4.add(v128.andnot(t2, n2), v128.andnot(t3, n3)));
}

/** The four vectors' ∂b terms (the x < 0 lanes, masks n0…n3 set) added per lane: (t0 + t1) + (t2 + t3). */
@inline function laneSumB(t0: v128, t1: v128, t2: v128, t3: v128, n0: v128, n1: v128, n2: v128, n3: v128): v128 {
  return f32x4.add(f32x4.add(v128.and(t0, n0), v128.and(t1, n1)), f32x4.add(v128.and(t2, n2), v128.and(t3, n3)));
}

/** [sA0 + sA1, sA2 + sA3, sB0 + sB1, sB2 + sB3]: two sums of four lanes packed into one vector. */
@inline function packPairs(sA: v128, sB: v128): v128 {
  return f32x4.add(f32x4.shuffle(sA, sB, 0, 2, 4, 6), f32x4.shuffle(sA, sB, 1, 3, 5, 7));
}

/**
 * Four vectors of the backward pass in lockstep (x, dy at xp, dyp + o0…o3, dx stored at
 * dxp + o0…o3; dx must not overlap x or dy: the check = false loops only), sharing av, bv.
 * Returns the four vectors' terms added per lane in float32, packed as
 * [Σ∂a lanes 0+1, Σ∂a lanes 2+3, Σ∂b lanes 0+1, Σ∂b lanes 2+3] — or, with `row` (the lanes
 * are four channels), adds them to the float64 sums at accA, accB itself (redoing the four
 * vectors in float64 when a sum overflowed) and returns zeros.
 */
@inline function backwardQuad(
  xp: usize, dyp: usize, dxp: usize, o0: usize, o1: usize, o2: usize, o3: usize, av: v128, bv: v128,
  row: bool, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool, K0: v128, K1: v128, K2: v128, K3: v128, K4: v128,
): v128 {
  const zero = f32x4.splat(0);
  const x0 = v128.load(xp + o0);
  const x1 = v128.load(xp + o1);
  const x2 = v128.load(xp + o2);
  const x3 = v128.load(xp + o3);
  const t0 = expArgVec(x0, K0);
  const t1 = expArgVec(x1, K0);
  const t2 = expArgVec(x2, K0);
  const t3 = expArgVec(x3, K0);
  const vn0 = expScaleVec(t0, K0);
  const vn1 = expScaleVec(t1, K0);
  const vn2 = expScaleVec(t2, K0);
  const vn3 = expScaleVec(t3, K0);
  const p0 = expPoly(t0, vn0, fast, K0, K1, K2);
  const p1 = expPoly(t1, vn1, fast, K0, K1, K2);
  const p2 = expPoly(t2, vn2, fast, K0, K1, K2);
  const p3 = expPoly(t3, vn3, fast, K0, K1, K2);
  const vf0 = expFloor(vn0, fast, K4);
  const s0 = expPow(vf0, fast, K3);
  const vf1 = expFloor(vn1, fast, K4);
  const s1 = expPow(vf1, fast, K3);
  const vf2 = expFloor(vn2, fast, K4);
  const s2 = expPow(vf2, fast, K3);
  const vf3 = expFloor(vn3, fast, K4);
  const s3 = expPow(vf3, fast, K3);
  const sp0 = expPowP(vf0, p0, fast, K3);
  const sp1 = expPowP(vf1, p1, fast, K3);
  const sp2 = expPowP(vf2, p2, fast, K3);
  const sp3 = expPowP(vf3, p3, fast, K3);
  const sig0 = sigmoidVec(s0, sp0, K2);
  const sig1 = sigmoidVec(s1, sp1, K2);
  const sig2 = sigmoidVec(s2, sp2, K2);
  const sig3 = sigmoidVec(s3, sp3, K2);
  let m0: v128, m1: v128, m2: v128, m3: v128;
  let n0: v128, n1: v128, n2: v128, n3: v128;
  if (fast) {
    // float32 to the end: the last two stages in lockstep too.
    const dy0 = v128.load(dyp + o0);
    const dy1 = v128.load(dyp + o1);
    const dy2 = v128.load(dyp + o2);
    const dy3 = v128.load(dyp + o3);
    n0 = f32x4.lt(x0, zero);
    n1 = f32x4.lt(x1, zero);
    n2 = f32x4.lt(x2, zero);
    n3 = f32x4.lt(x3, zero);
    v128.store(dxp + o0, backwardDxVec(x0, dy0, n0, t0, vn0, p0, s0, sp0, sig0, av, bv, fast, K2, K3, K4));
    v128.store(dxp + o1, backwardDxVec(x1, dy1, n1, t1, vn1, p1, s1, sp1, sig1, av, bv, fast, K2, K3, K4));
    v128.store(dxp + o2, backwardDxVec(x2, dy2, n2, t2, vn2, p2, s2, sp2, sig2, av, bv, fast, K2, K3, K4));
    v128.store(dxp + o3, backwardDxVec(x3, dy3, n3, t3, vn3, p3, s3, sp3, sig3, av, bv, fast, K2, K3, K4));
    m0 = backwardTerms(dy0, x0, n0, s0, sp0, sig0, K2);
    m1 = backwardTerms(dy1, x1, n1, s1, sp1, sig1, K2);
    m2 = backwardTerms(dy2, x2, n2, s2, sp2, sig2, K2);
    m3 = backwardTerms(dy3, x3, n3, s3, sp3, sig3, K2);
    // Lanes below FAST_DEEP (rare: one test per quad) take the strict value. pmin(m, x) is
    // x < m ? x : m, so a NaN x leaves m as it was: m < FAST_DEEP exactly where some x is.
    const deep = lane1(K3);
    const m = f32x4.pmin(f32x4.pmin(f32x4.pmin(f32x4.pmin(deep, x0), x1), x2), x3);
    if (v128.any_true(f32x4.lt(m, deep))) {
      v128.store(dxp + o0, deepDx(x0, dy0, v128.load(dxp + o0), bv));
      v128.store(dxp + o1, deepDx(x1, dy1, v128.load(dxp + o1), bv));
      v128.store(dxp + o2, deepDx(x2, dy2, v128.load(dxp + o2), bv));
      v128.store(dxp + o3, deepDx(x3, dy3, v128.load(dxp + o3), bv));
    }
  } else {
    // strict's float64 products vector by vector, dy loaded where used: with more values
    // live across them V8 11 spilled (Node 20: 11–36 % slower; Node 24 the same either way).
    const dy0 = v128.load(dyp + o0);
    n0 = f32x4.lt(x0, zero);
    v128.store(dxp + o0, backwardDxVec(x0, dy0, n0, t0, vn0, p0, s0, sp0, sig0, av, bv, fast, K2, K3, K4));
    m0 = backwardTerms(dy0, x0, n0, s0, sp0, sig0, K2);
    const dy1 = v128.load(dyp + o1);
    n1 = f32x4.lt(x1, zero);
    v128.store(dxp + o1, backwardDxVec(x1, dy1, n1, t1, vn1, p1, s1, sp1, sig1, av, bv, fast, K2, K3, K4));
    m1 = backwardTerms(dy1, x1, n1, s1, sp1, sig1, K2);
    const dy2 = v128.load(dyp + o2);
    n2 = f32x4.lt(x2, zero);
    v128.store(dxp + o2, backwardDxVec(x2, dy2, n2, t2, vn2, p2, s2, sp2, sig2, av, bv, fast, K2, K3, K4));
    m2 = backwardTerms(dy2, x2, n2, s2, sp2, sig2, K2);
    const dy3 = v128.load(dyp + o3);
    n3 = f32x4.lt(x3, zero);
    v128.store(dxp + o3, backwardDxVec(x3, dy3, n3, t3, vn3, p3, s3, sp3, sig3, av, bv, fast, K2, K3, K4));
    m3 = backwardTerms(dy3, x3, n3, s3, sp3, sig3, K2);
  }
  const sA = laneSumA(m0, m1, m2, m3, n0, n1, n2, n3);
  const sB = laneSumB(m0, m1, m2, m3, n0, n1, n2, n3);
  if (!row) return packPairs(sA, sB);
  if (blockOverflowed(sA, sB, K3)) {
    fixTerms(xp + o0, dyp + o0, dxp + o0, ap, bp, accA, accB, true, true, 4);
    fixTerms(xp + o1, dyp + o1, dxp + o1, ap, bp, accA, accB, true, true, 4);
    fixTerms(xp + o2, dyp + o2, dxp + o2, ap, bp, accA, accB, true, true, 4);
    fixTerms(xp + o3, dyp + o3, dxp + o3, ap, bp, accA, accB, true, true, 4);
  } else {
    addToAcc(sA, accA);
    addToAcc(sB, accB);
  }
  return zero;
}

/**
 * backwardQuad's contract for dx written over x or dy (the `check` loops): each vector's
 * terms are tested before its dx is stored (redone in float64 by fixTerms when huge), so the
 * four vectors run one after another. Four checked terms per lane cannot overflow.
 */
@inline function backwardQuadChecked(
  xp: usize, dyp: usize, dxp: usize, o0: usize, o1: usize, o2: usize, o3: usize, av: v128, bv: v128,
  row: bool, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool, K0: v128, K1: v128, K2: v128, K3: v128, K4: v128,
): v128 {
  const zero = f32x4.splat(0);
  const x0 = v128.load(xp + o0);
  const x1 = v128.load(xp + o1);
  const x2 = v128.load(xp + o2);
  const x3 = v128.load(xp + o3);
  const n0 = f32x4.lt(x0, zero);
  const n1 = f32x4.lt(x1, zero);
  const n2 = f32x4.lt(x2, zero);
  const n3 = f32x4.lt(x3, zero);
  const t0 = backwardVec(x0, v128.load(dyp + o0), n0, dxp + o0, av, bv, xp + o0, dyp + o0, ap, bp, accA, accB, row, true, fast, K0, K1, K2, K3, K4);
  const t1 = backwardVec(x1, v128.load(dyp + o1), n1, dxp + o1, av, bv, xp + o1, dyp + o1, ap, bp, accA, accB, row, true, fast, K0, K1, K2, K3, K4);
  const t2 = backwardVec(x2, v128.load(dyp + o2), n2, dxp + o2, av, bv, xp + o2, dyp + o2, ap, bp, accA, accB, row, true, fast, K0, K1, K2, K3, K4);
  const t3 = backwardVec(x3, v128.load(dyp + o3), n3, dxp + o3, av, bv, xp + o3, dyp + o3, ap, bp, accA, accB, row, true, fast, K0, K1, K2, K3, K4);
  const sA = laneSumA(t0, t1, t2, t3, n0, n1, n2, n3);
  const sB = laneSumB(t0, t1, t2, t3, n0, n1, n2, n3);
  if (!row) return packPairs(sA, sB);
  addToAcc(sA, accA);
  addToAcc(sB, accB);
  return zero;
}

/**
 * precision 'fast''s dx (in `dx`) with the lanes where x < FAST_DEEP replaced by the strict
 * kernel's value (the same bits): there the float32 e^x is subnormal or 0, and dy·(b·e) under
 * a huge dy·b (up to FLT_MAX²) is far outside the composed class. Those lanes are x < 0 ones,
 * so only strict's x < 0 path runs (t = x clamped, v = p, u = 1, coef = b, sc = 2^n: no σ). Not
 * inlined: the fast loops call it only for vectors that hold such an x, and it builds the strict
 * packs itself. Measured (Node 20, 256K elements, one channel): data with every x in [−200, −90]
 * runs 'fast' at 0.68× its speed on ordinary data (still 1.4× strict's); the tests for such x
 * cost ordinary data 0–6 % ('fast' only).
 */
function deepDx(x: v128, dy: v128, dx: v128, bv: v128): v128 {
  const z = i32x4.splat(0);
  const K0 = packK0(z, true, false);
  const K1 = packK1(z, false);
  const K2 = packK2(z, false);
  const K4 = packK4(z);
  const t = f32x4.pmax(x, lane1(K0));
  const vn = expScaleVec(t, K0);
  const p = expPolyVec(t, vn, K0, K1, K2);
  // x = −∞: scale 0, dx = dy·0 (as backwardDxVec).
  const strict = backwardDx4(dy, bv, p, lane3(K2), v128.andnot(scaleHi(vn, K4), f32x4.eq(x, f32x4.splat(-Infinity))), K4);
  return v128.bitselect(strict, dx, f32x4.lt(x, lane1(packK3(z))));
}

/** True when a lane of either float32 block sum is ∞ or NaN (a term overflowed, or was ∞/NaN). */
@inline function blockOverflowed(blockA: v128, blockB: v128, K3: v128): bool {
  const max = lane3(K3);
  return v128.any_true(v128.or(i32x4.gt_s(f32x4.abs(blockA), max), i32x4.gt_s(f32x4.abs(blockB), max)));
}

let gFixA: f64 = 0;
let gFixB: f64 = 0;

/**
 * The fallback for terms that are huge (> 2^124, where 8 of them could overflow a float32
 * block sum), infinite or NaN, or that have a subnormal x > 0 (backwardTerms): `count` terms
 * again in float64, added to gFixA/gFixB (shared channel) or to accA[j]/accB[j] (row). With
 * writeDx (dx already stored at dxp, apart from x and dy) the elements where x = −∞ get their dx
 * again too: an infinite dy there (dx = dy·0 = NaN) always makes an infinite term.
 */
function fixTerms(xp: usize, dyp: usize, dxp: usize, ap: usize, bp: usize, accA: usize, accB: usize, row: bool, writeDx: bool, count: i32): void {
  for (let j = 0; j < count; j++) {
    const o = <usize>j << 2;
    const oc: usize = row ? o : 0;
    const x = load<f32>(xp + o);
    const d = backwardScalar(x, load<f32>(dyp + o), load<f32>(ap + oc), load<f32>(bp + oc));
    if (writeDx && x == -Infinity) store<f32>(dxp + o, d);
    if (row) {
      const o8 = <usize>j << 3;
      store<f64>(accA + o8, load<f64>(accA + o8) + gTermA);
      store<f64>(accB + o8, load<f64>(accB + o8) + gTermB);
    } else {
      gFixA += gTermA;
      gFixB += gTermB;
    }
  }
}

/** Lanes 0, 1 of (dy·coef)·(1 + v·u)·sc in float64 (sc: two float64 powers of 2; exact until the last rounding). */
@inline function backwardDx(dy: v128, coef: v128, v: v128, u: v128, sc: v128, K4: v128): v128 {
  const dyc = f64x2.mul(f64x2.promote_low_f32x4(dy), f64x2.promote_low_f32x4(coef));
  const g = f64x2.add(f64lane0(K4), f64x2.mul(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(u)));
  return f64x2.mul(f64x2.mul(dyc, g), sc);
}

/** Whether dx's `bytes` overlap those of x or dy (then x, dy cannot be re-read after dx is stored). */
@inline function dxOverlaps(xp: usize, dyp: usize, dxp: usize, bytes: usize): bool {
  return (dxp < dyp + bytes && dyp < dxp + bytes) || (dxp < xp + bytes && xp < dxp + bytes);
}

/**
 * Backward over `len` elements sharing a = *ap, b = *bp; the sums go to gSumA, gSumB.
 *
 * The terms of a block (8 vectors, 32 elements) are added in float32 before the block goes
 * into float64: per lane in a tree (apart: two quads, each lane pair added, 16 terms per
 * packed lane, depth 4; in place: 8 per lane, depth 3), relative error ≤ 4·2^−24 of
 * Σ|terms|, so the sums stay within 1e-6 at any length. A block that overflowed (terms near
 * FLT_MAX, or ∞/NaN) is recomputed in float64 from x and dy. That needs x and dy intact after dx is written: when
 * dx overlaps them (in-place dx = dy), `check` tests every vector before its store instead.
 */
@inline function backwardConstLoop(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, check: bool, fast: bool): void {
  let i = 0;
  let sumA: f64 = 0;
  let sumB: f64 = 0;
  const a0 = load<f32>(ap);
  const b0 = load<f32>(bp);
  gFixA = 0;
  gFixB = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(len);
    const K0 = packK0(z, true, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const K3 = packK3(z);
    const K4 = packK4(z);
    const av = f32x4.splat(a0);
    const bv = f32x4.splat(b0);
    const zero = f32x4.splat(0);
    let accALo = f64x2.splat(0);
    let accAHi = accALo;
    let accBLo = accALo;
    let accBHi = accALo;
    let blockA = zero;
    let blockB = zero;
    // Two cache lines (8 vectors) per step, four vectors at a time taken from both lines (see
    // forwardConst); a step is one block. dx apart from x and dy: two quads in lockstep, their
    // sums packed [∂a 0+1, ∂a 2+3, ∂b 0+1, ∂b 2+3]; in place (check): vector by vector.
    for (; i + 32 <= len; i += 32) {
      const o = <usize>i << 2;
      if (!check) {
        const q = f32x4.add(
          backwardQuad(xp, dyp, dxp, o, o + 64, o + 16, o + 80, av, bv, false, ap, bp, 0, 0, fast, K0, K1, K2, K3, K4),
          backwardQuad(xp, dyp, dxp, o + 32, o + 96, o + 48, o + 112, av, bv, false, ap, bp, 0, 0, fast, K0, K1, K2, K3, K4),
        );
        if (blockOverflowed(q, zero, K3)) {
          fixTerms(xp + o, dyp + o, dxp + o, ap, bp, 0, 0, false, true, 32);
        } else {
          accALo = f64x2.add(accALo, f64x2.promote_low_f32x4(q));
          accBLo = f64x2.add(accBLo, f64x2.promote_low_f32x4(f32x4.shuffle(q, q, 2, 3, 2, 3)));
        }
        continue;
      }
      const x0 = v128.load(xp + o);
      const x1 = v128.load(xp + o, 64);
      const x2 = v128.load(xp + o, 16);
      const x3 = v128.load(xp + o, 80);
      const n0 = f32x4.lt(x0, zero);
      const n1 = f32x4.lt(x1, zero);
      const n2 = f32x4.lt(x2, zero);
      const n3 = f32x4.lt(x3, zero);
      const t0 = backwardVec(x0, v128.load(dyp + o), n0, dxp + o, av, bv, xp + o, dyp + o, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t1 = backwardVec(x1, v128.load(dyp + o, 64), n1, dxp + o + 64, av, bv, xp + o + 64, dyp + o + 64, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t2 = backwardVec(x2, v128.load(dyp + o, 16), n2, dxp + o + 16, av, bv, xp + o + 16, dyp + o + 16, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t3 = backwardVec(x3, v128.load(dyp + o, 80), n3, dxp + o + 80, av, bv, xp + o + 80, dyp + o + 80, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const sA = laneSumA(t0, t1, t2, t3, n0, n1, n2, n3);
      const sB = laneSumB(t0, t1, t2, t3, n0, n1, n2, n3);
      const x4 = v128.load(xp + o, 32);
      const x5 = v128.load(xp + o, 96);
      const x6 = v128.load(xp + o, 48);
      const x7 = v128.load(xp + o, 112);
      const n4 = f32x4.lt(x4, zero);
      const n5 = f32x4.lt(x5, zero);
      const n6 = f32x4.lt(x6, zero);
      const n7 = f32x4.lt(x7, zero);
      const t4 = backwardVec(x4, v128.load(dyp + o, 32), n4, dxp + o + 32, av, bv, xp + o + 32, dyp + o + 32, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t5 = backwardVec(x5, v128.load(dyp + o, 96), n5, dxp + o + 96, av, bv, xp + o + 96, dyp + o + 96, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t6 = backwardVec(x6, v128.load(dyp + o, 48), n6, dxp + o + 48, av, bv, xp + o + 48, dyp + o + 48, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const t7 = backwardVec(x7, v128.load(dyp + o, 112), n7, dxp + o + 112, av, bv, xp + o + 112, dyp + o + 112, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      const uA = laneSumA(t4, t5, t6, t7, n4, n5, n6, n7);
      const uB = laneSumB(t4, t5, t6, t7, n4, n5, n6, n7);
      // In place every term was checked (≤ 2^124): eight per lane cannot overflow.
      blockA = f32x4.add(sA, uA);
      blockB = f32x4.add(sB, uB);
      accALo = f64x2.add(accALo, f64x2.promote_low_f32x4(blockA));
      accAHi = f64x2.add(accAHi, f64x2.promote_low_f32x4(f32x4.shuffle(blockA, blockA, 2, 3, 2, 3)));
      accBLo = f64x2.add(accBLo, f64x2.promote_low_f32x4(blockB));
      accBHi = f64x2.add(accBHi, f64x2.promote_low_f32x4(f32x4.shuffle(blockB, blockB, 2, 3, 2, 3)));
    }
    blockA = zero;
    blockB = zero;
    const blockStart = i;
    // At most seven vectors are left: one last block.
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const x0 = v128.load(xp + o);
      const n0 = f32x4.lt(x0, zero);
      const t0 = backwardVec(x0, v128.load(dyp + o), n0, dxp + o, av, bv, xp + o, dyp + o, ap, bp, 0, 0, false, check, fast, K0, K1, K2, K3, K4);
      blockA = f32x4.add(blockA, v128.andnot(t0, n0));
      blockB = f32x4.add(blockB, v128.and(t0, n0));
    }
    if (!check && blockOverflowed(blockA, blockB, K3)) {
      fixTerms(xp + (<usize>blockStart << 2), dyp + (<usize>blockStart << 2), dxp + (<usize>blockStart << 2), ap, bp, 0, 0, false, true, i - blockStart);
    } else {
      accALo = f64x2.add(accALo, f64x2.promote_low_f32x4(blockA));
      accAHi = f64x2.add(accAHi, f64x2.promote_low_f32x4(f32x4.shuffle(blockA, blockA, 2, 3, 2, 3)));
      accBLo = f64x2.add(accBLo, f64x2.promote_low_f32x4(blockB));
      accBHi = f64x2.add(accBHi, f64x2.promote_low_f32x4(f32x4.shuffle(blockB, blockB, 2, 3, 2, 3)));
    }
    const accAv = f64x2.add(accALo, accAHi);
    const accBv = f64x2.add(accBLo, accBHi);
    sumA = f64x2.extract_lane(accAv, 0) + f64x2.extract_lane(accAv, 1);
    sumB = f64x2.extract_lane(accBv, 0) + f64x2.extract_lane(accBv, 1);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dxp + o, backwardScalar(load<f32>(xp + o), load<f32>(dyp + o), a0, b0));
    sumA += gTermA;
    sumB += gTermB;
  }
  gSumA = sumA + gFixA;
  gSumB = sumB + gFixB;
}

/**
 * Backward over `len` elements where element j uses channel j: a[j], b[j], and adds its
 * terms to the float64 accA[j], accB[j] (no float32 blocks, so only single terms can
 * overflow: each vector is checked before its store).
 */
@inline function backwardRowLoop(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(len);
    const K0 = packK0(z, true, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const K3 = packK3(z);
    const K4 = packK4(z);
    const zero = f32x4.splat(0);
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const o8 = <usize>i << 3;
      const x = v128.load(xp + o);
      const neg = f32x4.lt(x, zero);
      const tv = backwardVec(x, v128.load(dyp + o), neg, dxp + o, v128.load(ap + o), v128.load(bp + o), xp + o, dyp + o, ap + o, bp + o, accA + o8, accB + o8, true, true, fast, K0, K1, K2, K3, K4);
      addToAcc(v128.andnot(tv, neg), accA + o8);
      addToAcc(v128.and(tv, neg), accB + o8);
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const o8 = <usize>i << 3;
    store<f32>(dxp + o, backwardScalar(load<f32>(xp + o), load<f32>(dyp + o), load<f32>(ap + o), load<f32>(bp + o)));
    store<f64>(accA + o8, load<f64>(accA + o8) + gTermA);
    store<f64>(accB + o8, load<f64>(accB + o8) + gTermB);
  }
}

function backwardRow(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize): void {
  backwardRowLoop(xp, dyp, dxp, len, ap, bp, accA, accB, false);
}
function backwardRowFast(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize): void {
  backwardRowLoop(xp, dyp, dxp, len, ap, bp, accA, accB, true);
}

/** acc[0..4) += the four float32 lanes of v (float64 accumulators at acc). */
@inline function addToAcc(v: v128, acc: usize): void {
  v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(v)));
  v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3))), 16);
}

/**
 * Backward over `rows` whole rows of C elements (channels-last, S = 1), four rows per step:
 * the four vectors of one column share a, b and one float64 update of the accumulators
 * (their terms are added in float32 first, 4 per lane). check: as in backwardConstLoop; a
 * column sum that overflowed is redone in float64 when x and dy are intact.
 */
@inline function backwardRowsLoop(
  xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize, check: bool, fast: bool,
): void {
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, true, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const K3 = packK3(z);
    const K4 = packK4(z);
    const zero = f32x4.splat(0);
    const stride = <usize>C << 2;
    for (; r + 4 <= rows; r += 4) {
      const ro = <usize>r * stride;
      let j = 0;
      // 'fast' apart: two columns per step (Node 20 +6 %; strict measured 15 % slower on
      // Node 24 that way, its float64 stage holding more registers).
      if (fast && !check) {
        for (; j + 8 <= C; j += 8) {
          const o = ro + (<usize>j << 2);
          const oc = <usize>j << 2;
          const o8 = <usize>j << 3;
          backwardQuad(xp, dyp, dxp, o, o + stride, o + 2 * stride, o + 3 * stride, v128.load(ap + oc), v128.load(bp + oc), true, ap + oc, bp + oc, accA + o8, accB + o8, fast, K0, K1, K2, K3, K4);
          backwardQuad(xp, dyp, dxp, o + 16, o + stride + 16, o + 2 * stride + 16, o + 3 * stride + 16, v128.load(ap + oc, 16), v128.load(bp + oc, 16), true, ap + oc + 16, bp + oc + 16, accA + o8 + 32, accB + o8 + 32, fast, K0, K1, K2, K3, K4);
        }
      }
      for (; j + 4 <= C; j += 4) {
        const o = ro + (<usize>j << 2);
        const oc = <usize>j << 2;
        const o8 = <usize>j << 3;
        const av = v128.load(ap + oc);
        const bv = v128.load(bp + oc);
        if (check) backwardQuadChecked(xp, dyp, dxp, o, o + stride, o + 2 * stride, o + 3 * stride, av, bv, true, ap + oc, bp + oc, accA + o8, accB + o8, fast, K0, K1, K2, K3, K4);
        else backwardQuad(xp, dyp, dxp, o, o + stride, o + 2 * stride, o + 3 * stride, av, bv, true, ap + oc, bp + oc, accA + o8, accB + o8, fast, K0, K1, K2, K3, K4);
      }
      if (j < C) {
        for (let k = 0; k < 4; k++) {
          const ok = ro + <usize>k * stride + (<usize>j << 2);
          const aj = ap + (<usize>j << 2);
          const bj = bp + (<usize>j << 2);
          backwardRowBy(xp + ok, dyp + ok, dxp + ok, C - j, aj, bj, accA + (<usize>j << 3), accB + (<usize>j << 3), fast);
        }
      }
    }
  }
  for (; r < rows; r++) {
    const ro = <usize>r * (<usize>C << 2);
    backwardRowBy(xp + ro, dyp + ro, dxp + ro, C, ap, bp, accA, accB, fast);
  }
}

function backwardRowsApart(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize): void {
  backwardRowsLoop(xp, dyp, dxp, rows, ap, bp, C, accA, accB, false, false);
}
function backwardRowsInPlace(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize): void {
  backwardRowsLoop(xp, dyp, dxp, rows, ap, bp, C, accA, accB, true, false);
}
function backwardRowsApartFast(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize): void {
  backwardRowsLoop(xp, dyp, dxp, rows, ap, bp, C, accA, accB, false, true);
}
function backwardRowsInPlaceFast(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize): void {
  backwardRowsLoop(xp, dyp, dxp, rows, ap, bp, C, accA, accB, true, true);
}

/**
 * Backward over `rows` whole rows of C·S elements, S a multiple of 4 (see BLOCKS_MAX_S): per
 * channel, each of its S/4 vector columns runs as a quad over four rows sharing the splatted
 * a, b; the quads' packed float32 sums (8 terms per lane) go to float64 registers and, once
 * per channel, to accA[c], accB[c]. check: as in backwardConstLoop (in place: every vector
 * tested before its store; apart: a quad whose sums overflowed is redone in float64).
 */
@inline function backwardBlocksLoop(
  xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize, check: bool, fast: bool,
): void {
  let r = 0;
  const stride = <usize>(C * S) << 2;
  const per = S >> 2;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, true, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const K3 = packK3(z);
    const K4 = packK4(z);
    const zero = f32x4.splat(0);
    for (; r + 4 <= rows; r += 4) {
      let o = <usize>r * stride;
      for (let c = 0; c < C; c++) {
        const ac = ap + (<usize>c << 2);
        const bc = bp + (<usize>c << 2);
        const av = v128.load32_splat(ac);
        const bv = v128.load32_splat(bc);
        let accAv = f64x2.splat(0);
        let accBv = accAv;
        gFixA = 0;
        gFixB = 0;
        for (let v = 0; v < per; v++, o += 16) {
          const q = check
            ? backwardQuadChecked(xp, dyp, dxp, o, o + stride, o + 2 * stride, o + 3 * stride, av, bv, false, ac, bc, 0, 0, fast, K0, K1, K2, K3, K4)
            : backwardQuad(xp, dyp, dxp, o, o + stride, o + 2 * stride, o + 3 * stride, av, bv, false, ac, bc, 0, 0, fast, K0, K1, K2, K3, K4);
          if (!check && blockOverflowed(q, zero, K3)) {
            for (let k: usize = 0; k < 4; k++) fixTerms(xp + o + k * stride, dyp + o + k * stride, dxp + o + k * stride, ac, bc, 0, 0, false, true, 4);
          } else {
            accAv = f64x2.add(accAv, f64x2.promote_low_f32x4(q));
            accBv = f64x2.add(accBv, f64x2.promote_low_f32x4(f32x4.shuffle(q, q, 2, 3, 2, 3)));
          }
        }
        const o8 = <usize>c << 3;
        store<f64>(accA + o8, load<f64>(accA + o8) + (f64x2.extract_lane(accAv, 0) + f64x2.extract_lane(accAv, 1)) + gFixA);
        store<f64>(accB + o8, load<f64>(accB + o8) + (f64x2.extract_lane(accBv, 0) + f64x2.extract_lane(accBv, 1)) + gFixB);
      }
    }
  }
  if (r < rows) backwardRuns(xp + <usize>r * stride, dyp + <usize>r * stride, dxp + <usize>r * stride, 0, (rows - r) * C * S, ap, bp, C, S, accA, accB, fast);
}

function backwardBlocksApart(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardBlocksLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, false, false);
}
function backwardBlocksInPlace(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardBlocksLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, true, false);
}
function backwardBlocksApartFast(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardBlocksLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, false, true);
}
function backwardBlocksInPlaceFast(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardBlocksLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, true, true);
}

/** accA[c] += t·dy terms of one lane, from the lane's x and dy in float64 (a vector's fallback). */
@inline function fixLane(x: f32, dy: f32, ap: usize, bp: usize, accA: usize, accB: usize, c: i32): void {
  backwardScalar(x, dy, load<f32>(ap + (<usize>c << 2)), load<f32>(bp + (<usize>c << 2)));
  const o8 = <usize>c << 3;
  store<f64>(accA + o8, load<f64>(accA + o8) + gTermA);
  store<f64>(accB + o8, load<f64>(accB + o8) + gTermB);
}

/**
 * One vector of a gathered column (lanes in channels c0…c3): dx stored, terms returned — or,
 * when a term is huge, ∞ or NaN, the four lanes redone in float64 from the x, dy values in
 * hand (so dx may overwrite dy) and zeros returned.
 */
@inline function backwardGatherVec(
  x: v128, dy: v128, neg: v128, dxp: usize, av: v128, bv: v128, ap: usize, bp: usize, accA: usize, accB: usize,
  c0: i32, c1: i32, c2: i32, c3: i32, fast: bool, K0: v128, K1: v128, K2: v128, K3: v128, K4: v128,
): v128 {
  const t = backwardVec(x, dy, neg, dxp, av, bv, 0, 0, 0, 0, 0, 0, false, false, fast, K0, K1, K2, K3, K4);
  if (v128.any_true(i32x4.gt_s(f32x4.abs(t), lane2(K3)))) {
    fixLane(f32x4.extract_lane(x, 0), f32x4.extract_lane(dy, 0), ap, bp, accA, accB, c0);
    fixLane(f32x4.extract_lane(x, 1), f32x4.extract_lane(dy, 1), ap, bp, accA, accB, c1);
    fixLane(f32x4.extract_lane(x, 2), f32x4.extract_lane(dy, 2), ap, bp, accA, accB, c2);
    fixLane(f32x4.extract_lane(x, 3), f32x4.extract_lane(dy, 3), ap, bp, accA, accB, c3);
    return f32x4.splat(0);
  }
  return t;
}

/**
 * Backward over `rows` whole rows of C·S elements with gathered lanes (see forwardGatherLoop):
 * per column the four rows' terms are added per lane in float32 (four terms, each checked),
 * then lane by lane to its channel's float64 sums.
 */
@inline function backwardGatherLoop(
  xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize, fast: bool,
): void {
  let r = 0;
  const L = C * S;
  const stride = <usize>L << 2;
  const cols = L >> 2;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, true, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const K3 = packK3(z);
    const K4 = packK4(z);
    const zero = f32x4.splat(0);
    // Lane indices 0…3, from the opaque zero (a constant would be rebuilt at every use on V8 12+).
    const iota = v128.or(z, i32x4(0, 1, 2, 3));
    for (; r + 4 <= rows; r += 4) {
      let o = <usize>r * stride;
      let c = 0;
      let w = 0;
      // float64 sums of channel c so far in these four rows (two lanes each).
      let curA = f64x2.splat(0);
      let curB = curA;
      for (let j = 0; j < cols; j++, o += 16) {
        const c1 = laneChannel(c, w, S, 1);
        const c2 = laneChannel(c, w, S, 2);
        const c3 = laneChannel(c, w, S, 3);
        const av = gatherLanes(ap, c, c1, c2, c3);
        const bv = gatherLanes(bp, c, c1, c2, c3);
        const x0 = v128.load(xp + o);
        const x1 = v128.load(xp + o + stride);
        const x2 = v128.load(xp + o + 2 * stride);
        const x3 = v128.load(xp + o + 3 * stride);
        const n0 = f32x4.lt(x0, zero);
        const n1 = f32x4.lt(x1, zero);
        const n2 = f32x4.lt(x2, zero);
        const n3 = f32x4.lt(x3, zero);
        const t0 = backwardGatherVec(x0, v128.load(dyp + o), n0, dxp + o, av, bv, ap, bp, accA, accB, c, c1, c2, c3, fast, K0, K1, K2, K3, K4);
        const t1 = backwardGatherVec(x1, v128.load(dyp + o + stride), n1, dxp + o + stride, av, bv, ap, bp, accA, accB, c, c1, c2, c3, fast, K0, K1, K2, K3, K4);
        const t2 = backwardGatherVec(x2, v128.load(dyp + o + 2 * stride), n2, dxp + o + 2 * stride, av, bv, ap, bp, accA, accB, c, c1, c2, c3, fast, K0, K1, K2, K3, K4);
        const t3 = backwardGatherVec(x3, v128.load(dyp + o + 3 * stride), n3, dxp + o + 3 * stride, av, bv, ap, bp, accA, accB, c, c1, c2, c3, fast, K0, K1, K2, K3, K4);
        const sA = laneSumA(t0, t1, t2, t3, n0, n1, n2, n3);
        const sB = laneSumB(t0, t1, t2, t3, n0, n1, n2, n3);
        // Lanes from position S on belong to channel c + 1 (S > 4: at most one boundary).
        const next = i32x4.ge_s(i32x4.add(iota, i32x4.splat(w)), i32x4.splat(S));
        curA = f64x2.add(curA, lanePairs(v128.andnot(sA, next)));
        curB = f64x2.add(curB, lanePairs(v128.andnot(sB, next)));
        // The next column starts four elements on.
        w += 4;
        if (w >= S) {
          w -= S;
          addLane(accA, c, f64x2.extract_lane(curA, 0) + f64x2.extract_lane(curA, 1));
          addLane(accB, c, f64x2.extract_lane(curB, 0) + f64x2.extract_lane(curB, 1));
          curA = lanePairs(v128.and(sA, next));
          curB = lanePairs(v128.and(sB, next));
          c++;
        }
      }
    }
  }
  if (r < rows) backwardRuns(xp + <usize>r * stride, dyp + <usize>r * stride, dxp + <usize>r * stride, 0, (rows - r) * L, ap, bp, C, S, accA, accB, fast);
}

/** The four float32 lanes of v added in pairs, in float64: [v0 + v2, v1 + v3]. */
@inline function lanePairs(v: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
}

@inline function addLane(acc: usize, c: i32, v: f64): void {
  const o8 = <usize>c << 3;
  store<f64>(acc + o8, load<f64>(acc + o8) + v);
}

function backwardGather(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardGatherLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, false);
}
function backwardGatherFast(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardGatherLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, true);
}

// ---- runs: contiguous elements sharing one (a, b) or walking a, b one channel per element

// Every SIMD loop below handles four vectors per step: the exp and division chains of
// independent vectors overlap in the out-of-order core, and V8's per-iteration overhead
// (reloading spilled constants, the stack check) is paid once per 16 elements. Measured on
// the bench machine: forward 1M, one vector per step 371 M/s, two 570, three 649, four 702,
// six 680.

/** f over `len` elements that all use the same a, b. */
@inline function forwardConstLoop(xp: usize, op: usize, len: i32, a: f32, b: f32, fast: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(len);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const av = f32x4.splat(a);
    const bv = f32x4.splat(b);
    // Two cache lines per step, four vectors at a time taken from both: two lines in flight
    // instead of one (16M elements from DRAM: 600 → 675 M/s; in cache unchanged).
    for (; i + 32 <= len; i += 32) {
      const o = <usize>i << 2;
      const y0 = forwardVec(v128.load(xp + o), av, bv, fast, K0, K1, K2);
      const y1 = forwardVec(v128.load(xp + o, 64), av, bv, fast, K0, K1, K2);
      const y2 = forwardVec(v128.load(xp + o, 16), av, bv, fast, K0, K1, K2);
      const y3 = forwardVec(v128.load(xp + o, 80), av, bv, fast, K0, K1, K2);
      v128.store(op + o, y0);
      v128.store(op + o, y1, 64);
      v128.store(op + o, y2, 16);
      v128.store(op + o, y3, 80);
      const z0 = forwardVec(v128.load(xp + o, 32), av, bv, fast, K0, K1, K2);
      const z1 = forwardVec(v128.load(xp + o, 96), av, bv, fast, K0, K1, K2);
      const z2 = forwardVec(v128.load(xp + o, 48), av, bv, fast, K0, K1, K2);
      const z3 = forwardVec(v128.load(xp + o, 112), av, bv, fast, K0, K1, K2);
      v128.store(op + o, z0, 32);
      v128.store(op + o, z1, 96);
      v128.store(op + o, z2, 48);
      v128.store(op + o, z3, 112);
    }
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(op + o, forwardVec(v128.load(xp + o), av, bv, fast, K0, K1, K2));
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(op + o, forwardScalar(load<f32>(xp + o), a, b));
  }
}

/** f over `len` elements where element j uses a[j], b[j] (channels-last rows). */
@inline function forwardRowLoop(xp: usize, op: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(len);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    for (; i + 16 <= len; i += 16) {
      const o = <usize>i << 2;
      const y0 = forwardVec(v128.load(xp + o), v128.load(ap + o), v128.load(bp + o), fast, K0, K1, K2);
      const y1 = forwardVec(v128.load(xp + o, 16), v128.load(ap + o, 16), v128.load(bp + o, 16), fast, K0, K1, K2);
      const y2 = forwardVec(v128.load(xp + o, 32), v128.load(ap + o, 32), v128.load(bp + o, 32), fast, K0, K1, K2);
      const y3 = forwardVec(v128.load(xp + o, 48), v128.load(ap + o, 48), v128.load(bp + o, 48), fast, K0, K1, K2);
      v128.store(op + o, y0);
      v128.store(op + o, y1, 16);
      v128.store(op + o, y2, 32);
      v128.store(op + o, y3, 48);
    }
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(op + o, forwardVec(v128.load(xp + o), v128.load(ap + o), v128.load(bp + o), fast, K0, K1, K2));
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(op + o, forwardScalar(load<f32>(xp + o), load<f32>(ap + o), load<f32>(bp + o)));
  }
}

/** f of one vector column over four rows `stride` bytes apart (x, out at xp, op + o), sharing av, bv. */
@inline function forwardColumn(xp: usize, op: usize, o: usize, stride: usize, av: v128, bv: v128, fast: bool, K0: v128, K1: v128, K2: v128): void {
  const y0 = forwardVec(v128.load(xp + o), av, bv, fast, K0, K1, K2);
  const y1 = forwardVec(v128.load(xp + o + stride), av, bv, fast, K0, K1, K2);
  const y2 = forwardVec(v128.load(xp + o + 2 * stride), av, bv, fast, K0, K1, K2);
  const y3 = forwardVec(v128.load(xp + o + 3 * stride), av, bv, fast, K0, K1, K2);
  v128.store(op + o, y0);
  v128.store(op + o + stride, y1);
  v128.store(op + o + 2 * stride, y2);
  v128.store(op + o + 3 * stride, y3);
}

/**
 * f over `rows` whole rows of C elements (channels-last, S = 1), four rows per step: the
 * four vectors of one column share the a, b loads.
 */
@inline function forwardRowsLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, fast: bool): void {
  let r = 0;
  const stride = <usize>C << 2;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    for (; r + 4 <= rows; r += 4) {
      const ro = <usize>r * stride;
      let j = 0;
      // Two columns (eight vectors) per step, like forwardConst's two cache lines: 64
      // channels, Node 20 +9 % (Node 24 +1 %).
      for (; j + 8 <= C; j += 8) {
        const o = ro + (<usize>j << 2);
        const av = v128.load(ap + (<usize>j << 2));
        const bv = v128.load(bp + (<usize>j << 2));
        const aw = v128.load(ap + (<usize>j << 2), 16);
        const bw = v128.load(bp + (<usize>j << 2), 16);
        forwardColumn(xp, op, o, stride, av, bv, fast, K0, K1, K2);
        forwardColumn(xp, op, o + 16, stride, aw, bw, fast, K0, K1, K2);
      }
      for (; j + 4 <= C; j += 4) {
        const o = ro + (<usize>j << 2);
        const av = v128.load(ap + (<usize>j << 2));
        const bv = v128.load(bp + (<usize>j << 2));
        forwardColumn(xp, op, o, stride, av, bv, fast, K0, K1, K2);
      }
      for (; j < C; j++) {
        const a = load<f32>(ap + (<usize>j << 2));
        const b = load<f32>(bp + (<usize>j << 2));
        for (let k: usize = 0; k < 4; k++) {
          const o = ro + k * stride + (<usize>j << 2);
          store<f32>(op + o, forwardScalar(load<f32>(xp + o), a, b));
        }
      }
    }
  }
  for (; r < rows; r++) forwardRowBy(xp + <usize>r * stride, op + <usize>r * stride, C, ap, bp, fast);
}

/**
 * Inner sizes S ≤ BLOCKS_MAX_S that are multiples of 4 (channels-first data with small maps,
 * e.g. NCHW after 4×4 pooling): one call per S-element run would rebuild the constants and
 * run one vector at a time (S = 16: 508 M/s forward against 889 for one long run). Instead
 * whole rows of C·S elements are walked like channels-last rows: each vector column lies in
 * one channel (S/4 columns per channel), and four rows per step share its splatted a, b.
 */
const BLOCKS_MAX_S = 60;
/**
 * 4 < S ≤ GATHER_MAX_S, not multiples of 4, with C·S a multiple of 4: gathered lanes, see
 * forwardGatherLoop (64 channels, 1M, forward M/s: S = 9 332 → 718, 25 468 → 736, 49 625 →
 * 746). The backward takes them only below GATHER_BACKWARD_MAX_S: it runs vector by vector
 * (≈ 220 M/s strict, 330 'fast', whatever S), which beats one call per run at S = 9 (136 / 187)
 * and 25 (194 / 303), not at 49 (258 / 409).
 */
const GATHER_MAX_S = 64;
const GATHER_BACKWARD_MAX_S = 31;

/** f over `rows` whole rows of C·S elements, S a multiple of 4 (see BLOCKS_MAX_S). */
@inline function forwardBlocksLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, fast: bool): void {
  let r = 0;
  const stride = <usize>(C * S) << 2;
  const per = S >> 2;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    for (; r + 4 <= rows; r += 4) {
      let o = <usize>r * stride;
      for (let c = 0; c < C; c++) {
        const av = v128.load32_splat(ap + (<usize>c << 2));
        const bv = v128.load32_splat(bp + (<usize>c << 2));
        let v = 0;
        // Two columns (eight vectors) per step where the channel has them, as in forwardRowsLoop.
        for (; fast && v + 2 <= per; v += 2, o += 32) {
          forwardColumn(xp, op, o, stride, av, bv, fast, K0, K1, K2);
          forwardColumn(xp, op, o + 16, stride, av, bv, fast, K0, K1, K2);
        }
        for (; v < per; v++, o += 16) {
          forwardColumn(xp, op, o, stride, av, bv, fast, K0, K1, K2);
        }
      }
    }
  }
  const L = C * S;
  if (r < rows) forwardRuns(xp + <usize>r * stride, op + <usize>r * stride, 0, (rows - r) * L, ap, bp, C, S, fast);
}

/** [p[c0], p[c1], p[c2], p[c3]] (float32 values at p). */
@inline function gatherLanes(p: usize, c0: i32, c1: i32, c2: i32, c3: i32): v128 {
  let v = v128.load32_splat(p + (<usize>c0 << 2));
  v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>c1 << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>c2 << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(p + (<usize>c3 << 2)));
}

/** The channel of the element `lane` (≤ 3) places after position w of channel c's run (S > 3: at most one run on). */
@inline function laneChannel(c: i32, w: i32, S: i32, lane: i32): i32 {
  return c + <i32>(w + lane >= S);
}

/**
 * f over `rows` whole rows of C·S elements for small S that are not multiples of 4 (3×3,
 * 5×5, 7×7 maps: S ≤ GATHER_MAX_S) when C·S is a multiple of 4, so every row starts a vector:
 * each vector column then has the same channels in every row, and its a, b lanes are
 * gathered once per four rows.
 */
@inline function forwardGatherLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, fast: bool): void {
  let r = 0;
  const L = C * S;
  const stride = <usize>L << 2;
  const cols = L >> 2;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(rows);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    for (; r + 4 <= rows; r += 4) {
      let o = <usize>r * stride;
      let c = 0;
      let w = 0;
      for (let j = 0; j < cols; j++, o += 16) {
        const c1 = laneChannel(c, w, S, 1);
        const c2 = laneChannel(c, w, S, 2);
        const c3 = laneChannel(c, w, S, 3);
        const av = gatherLanes(ap, c, c1, c2, c3);
        const bv = gatherLanes(bp, c, c1, c2, c3);
        forwardColumn(xp, op, o, stride, av, bv, fast, K0, K1, K2);
        // The next column starts four elements on (S > 4: at most one run on).
        w += 4;
        if (w >= S) {
          w -= S;
          c++;
        }
      }
    }
  }
  if (r < rows) forwardRuns(xp + <usize>r * stride, op + <usize>r * stride, 0, (rows - r) * L, ap, bp, C, S, fast);
}

// Each loop compiled twice, `fast` a constant in each (a flag argument stays in the loop).
function forwardConst(xp: usize, op: usize, len: i32, a: f32, b: f32): void {
  forwardConstLoop(xp, op, len, a, b, false);
}
function forwardConstFast(xp: usize, op: usize, len: i32, a: f32, b: f32): void {
  forwardConstLoop(xp, op, len, a, b, true);
}
function forwardRow(xp: usize, op: usize, len: i32, ap: usize, bp: usize): void {
  forwardRowLoop(xp, op, len, ap, bp, false);
}
function forwardRowFast(xp: usize, op: usize, len: i32, ap: usize, bp: usize): void {
  forwardRowLoop(xp, op, len, ap, bp, true);
}
function forwardRows(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32): void {
  forwardRowsLoop(xp, op, rows, ap, bp, C, false);
}
function forwardRowsFast(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32): void {
  forwardRowsLoop(xp, op, rows, ap, bp, C, true);
}

function forwardBlocks(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardBlocksLoop(xp, op, rows, ap, bp, C, S, false);
}
function forwardBlocksFast(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardBlocksLoop(xp, op, rows, ap, bp, C, S, true);
}

function forwardGather(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardGatherLoop(xp, op, rows, ap, bp, C, S, false);
}
function forwardGatherFast(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardGatherLoop(xp, op, rows, ap, bp, C, S, true);
}

let gSumA: f64 = 0;
let gSumB: f64 = 0;

/** Backward over `len` elements sharing a = *ap, b = *bp; the sums of the ∂a, ∂b terms go to gSumA, gSumB. */
function backwardConst(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
  const inPlace = dxOverlaps(xp, dyp, dxp, <usize>len << 2);
  if (fast) {
    if (inPlace) backwardConstInPlaceFast(xp, dyp, dxp, len, ap, bp);
    else backwardConstApartFast(xp, dyp, dxp, len, ap, bp);
  } else if (inPlace) backwardConstInPlace(xp, dyp, dxp, len, ap, bp);
  else backwardConstApart(xp, dyp, dxp, len, ap, bp);
}

// Two functions, each with a constant `check` (one call with a variable flag would keep
// the test inside the loop: binaryen folds `if (c) f(true) else f(false)` into `f(c)`).
function backwardConstApart(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize): void {
  backwardConstLoop(xp, dyp, dxp, len, ap, bp, false, false);
}
function backwardConstInPlace(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize): void {
  backwardConstLoop(xp, dyp, dxp, len, ap, bp, true, false);
}
function backwardConstApartFast(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize): void {
  backwardConstLoop(xp, dyp, dxp, len, ap, bp, false, true);
}
function backwardConstInPlaceFast(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize): void {
  backwardConstLoop(xp, dyp, dxp, len, ap, bp, true, true);
}

// ---- exported kernels: the SPEC layout (C channels, inner size S) -----------------------

// `precision` (last argument of every export): 0 strict (default: a JS caller that omits it
// passes undefined, i.e. 0), 1 fast (float32 only, the composed class; SIMD loops only, the
// scalar build and vector tails run the strict code).

@inline function forwardConstBy(xp: usize, op: usize, len: i32, a: f32, b: f32, fast: bool): void {
  if (fast) forwardConstFast(xp, op, len, a, b);
  else forwardConst(xp, op, len, a, b);
}

@inline function forwardRowBy(xp: usize, op: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
  if (fast) forwardRowFast(xp, op, len, ap, bp);
  else forwardRow(xp, op, len, ap, bp);
}

@inline function backwardRowBy(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool): void {
  if (fast) backwardRowFast(xp, dyp, dxp, len, ap, bp, accA, accB);
  else backwardRow(xp, dyp, dxp, len, ap, bp, accA, accB);
}

/**
 * out[i] = f(x[i]) for i in [start, start + count), channel c(i) = floor(i / S) mod C.
 * xPtr/outPtr address element 0 of the whole tensor (out may equal x); aPtr/bPtr hold C
 * float32 values each. The caller has validated the call.
 */
export function forwardRange(xPtr: usize, outPtr: usize, start: i32, count: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, precision: i32): void {
  if (count <= 0) return;
  const fast = precision == 1;
  let i = start;
  const end = start + count;
  if (C == 1) {
    const o = <usize>i << 2;
    forwardConstBy(xPtr + o, outPtr + o, count, load<f32>(aPtr), load<f32>(bPtr), fast);
    return;
  }
  if (S == 1) {
    // A partial first row, whole rows, a partial last row.
    const c = i % C;
    if (c != 0) {
      const len = min(C - c, count);
      const o = <usize>i << 2;
      forwardRowBy(xPtr + o, outPtr + o, len, aPtr + (<usize>c << 2), bPtr + (<usize>c << 2), fast);
      i += len;
    }
    const rows = (end - i) / C;
    if (fast) forwardRowsFast(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), rows, aPtr, bPtr, C);
    else forwardRows(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), rows, aPtr, bPtr, C);
    i += rows * C;
    if (i < end) forwardRowBy(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), end - i, aPtr, bPtr, fast);
    return;
  }
  if (ASC_FEATURE_SIMD && S <= BLOCKS_MAX_S && (S & 3) == 0 && <i64>C * S <= <i64>count) {
    // A partial first row of C·S elements, whole rows, a partial last row.
    const L = C * S;
    const head = min(end, (i + L - 1) / L * L);
    forwardRuns(xPtr, outPtr, i, head, aPtr, bPtr, C, S, fast);
    const rows = (end - head) / L;
    const o = <usize>head << 2;
    if (fast) forwardBlocksFast(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
    else forwardBlocks(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
    forwardRuns(xPtr, outPtr, head + rows * L, end, aPtr, bPtr, C, S, fast);
    return;
  }
  if (ASC_FEATURE_SIMD && S > 4 && S <= GATHER_MAX_S && (S & 3) != 0 && ((C * S) & 3) == 0 && <i64>C * S <= <i64>count) {
    const L = C * S;
    const head = min(end, (i + L - 1) / L * L);
    forwardRuns(xPtr, outPtr, i, head, aPtr, bPtr, C, S, fast);
    const rows = (end - head) / L;
    const o = <usize>head << 2;
    if (fast) forwardGatherFast(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
    else forwardGather(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
    forwardRuns(xPtr, outPtr, head + rows * L, end, aPtr, bPtr, C, S, fast);
    return;
  }
  forwardRuns(xPtr, outPtr, i, end, aPtr, bPtr, C, S, fast);
}

/** forward on [i, end) one S-element run (one channel) at a time. */
function forwardRuns(xPtr: usize, outPtr: usize, i: i32, end: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, fast: bool): void {
  const q = i / S;
  let within = i - q * S;
  let c = q % C;
  while (i < end) {
    const len = min(S - within, end - i);
    const o = <usize>i << 2;
    const oc = <usize>c << 2;
    forwardConstBy(xPtr + o, outPtr + o, len, load<f32>(aPtr + oc), load<f32>(bPtr + oc), fast);
    i += len;
    within = 0;
    if (++c == C) c = 0;
  }
}

/** forwardRange over all n elements. */
export function forward(xPtr: usize, outPtr: usize, n: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, precision: i32): void {
  forwardRange(xPtr, outPtr, 0, n, aPtr, bPtr, C, S, precision);
}

/**
 * dx[i] = dy[i]·∂f/∂x for i in [start, start + count), and the per-channel sums of
 * dy·∂f/∂a and dy·∂f/∂b ADDED to the float64 accumulators acc[0..C) and acc[C..2C)
 * at accPtr (16·C bytes, 8-byte aligned). Zero them first (or call `backward`).
 */
export function backwardRange(
  xPtr: usize,
  dyPtr: usize,
  dxPtr: usize,
  start: i32,
  count: i32,
  aPtr: usize,
  bPtr: usize,
  C: i32,
  S: i32,
  accPtr: usize,
  precision: i32,
): void {
  if (count <= 0) return;
  const fast = precision == 1;
  let i = start;
  const end = start + count;
  const accB = accPtr + (<usize>C << 3);
  if (S == 1 && C > 1) {
    // A partial first row, whole rows, a partial last row.
    const c = i % C;
    if (c != 0) {
      const len = min(C - c, count);
      const o = <usize>i << 2;
      const oc = <usize>c << 2;
      backwardRowBy(xPtr + o, dyPtr + o, dxPtr + o, len, aPtr + oc, bPtr + oc, accPtr + (oc << 1), accB + (oc << 1), fast);
      i += len;
    }
    const rows = (end - i) / C;
    const o = <usize>i << 2;
    const bytes = <usize>(rows * C) << 2;
    const inPlace = dxOverlaps(xPtr + o, dyPtr + o, dxPtr + o, bytes);
    if (fast) {
      if (inPlace) backwardRowsInPlaceFast(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
      else backwardRowsApartFast(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    } else if (inPlace) backwardRowsInPlace(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    else backwardRowsApart(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    i += rows * C;
    if (i < end) {
      const oe = <usize>i << 2;
      backwardRowBy(xPtr + oe, dyPtr + oe, dxPtr + oe, end - i, aPtr, bPtr, accPtr, accB, fast);
    }
    return;
  }
  if (ASC_FEATURE_SIMD && C > 1 && S <= BLOCKS_MAX_S && (S & 3) == 0 && <i64>C * S <= <i64>count) {
    // A partial first row of C·S elements, whole rows, a partial last row.
    const L = C * S;
    const head = min(end, (i + L - 1) / L * L);
    backwardRuns(xPtr, dyPtr, dxPtr, i, head, aPtr, bPtr, C, S, accPtr, accB, fast);
    const rows = (end - head) / L;
    const o = <usize>head << 2;
    const inPlace = dxOverlaps(xPtr + o, dyPtr + o, dxPtr + o, <usize>(rows * L) << 2);
    if (fast) {
      if (inPlace) backwardBlocksInPlaceFast(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
      else backwardBlocksApartFast(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    } else if (inPlace) backwardBlocksInPlace(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    else backwardBlocksApart(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    backwardRuns(xPtr, dyPtr, dxPtr, head + rows * L, end, aPtr, bPtr, C, S, accPtr, accB, fast);
    return;
  }
  if (ASC_FEATURE_SIMD && S > 4 && S <= GATHER_BACKWARD_MAX_S && (S & 3) != 0 && ((C * S) & 3) == 0 && <i64>C * S <= <i64>count) {
    const L = C * S;
    const head = min(end, (i + L - 1) / L * L);
    backwardRuns(xPtr, dyPtr, dxPtr, i, head, aPtr, bPtr, C, S, accPtr, accB, fast);
    const rows = (end - head) / L;
    const o = <usize>head << 2;
    if (fast) backwardGatherFast(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    else backwardGather(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    backwardRuns(xPtr, dyPtr, dxPtr, head + rows * L, end, aPtr, bPtr, C, S, accPtr, accB, fast);
    return;
  }
  backwardRuns(xPtr, dyPtr, dxPtr, i, end, aPtr, bPtr, C, S, accPtr, accB, fast);
}

/** backward on [i, end) one S-element run (one channel) at a time, sums added to acc. */
function backwardRuns(
  xPtr: usize, dyPtr: usize, dxPtr: usize, i: i32, end: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, accPtr: usize, accB: usize, fast: bool,
): void {
  const q = i / S;
  let within = i - q * S;
  let c = q % C;
  while (i < end) {
    // With C = 1 every element shares the one channel: one run covers the whole range.
    const len = C == 1 ? end - i : min(S - within, end - i);
    const o = <usize>i << 2;
    const oc = <usize>c << 2;
    backwardConst(xPtr + o, dyPtr + o, dxPtr + o, len, aPtr + oc, bPtr + oc, fast);
    store<f64>(accPtr + (oc << 1), load<f64>(accPtr + (oc << 1)) + gSumA);
    store<f64>(accB + (oc << 1), load<f64>(accB + (oc << 1)) + gSumB);
    i += len;
    within = 0;
    if (++c == C) c = 0;
  }
}

/** Rounds the float64 sums at accPtr to float32 da[0..C), db[0..C). */
export function finishSums(accPtr: usize, daPtr: usize, dbPtr: usize, C: i32): void {
  const accB = accPtr + (<usize>C << 3);
  for (let c = 0; c < C; c++) {
    const o8 = <usize>c << 3;
    store<f32>(daPtr + (<usize>c << 2), <f32>load<f64>(accPtr + o8));
    store<f32>(dbPtr + (<usize>c << 2), <f32>load<f64>(accB + o8));
  }
}

/**
 * The whole backward pass: zeroes the 16·C-byte float64 scratch at accPtr, fills dx
 * (n elements) and writes da, db (C float32 each).
 */
export function backward(
  xPtr: usize,
  dyPtr: usize,
  dxPtr: usize,
  daPtr: usize,
  dbPtr: usize,
  n: i32,
  aPtr: usize,
  bPtr: usize,
  C: i32,
  S: i32,
  accPtr: usize,
  precision: i32,
): void {
  memory.fill(accPtr, 0, <usize>C << 4);
  backwardRange(xPtr, dyPtr, dxPtr, 0, n, aPtr, bPtr, C, S, accPtr, precision);
  finishSums(accPtr, daPtr, dbPtr, C);
}
