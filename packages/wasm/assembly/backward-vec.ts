// The backward's vector element kernel: staged exp chain, quads of four vectors in lockstep,
// and the overflow fallback (blocks recomputed in float64, deep 'fast' lanes taken strict).

import { backwardScalar, expArgVec, expPolyVec, expPolyVecFast, expScaleVec, f64lane0, gTermA, gTermB, lane0, lane1, lane2, lane3, packK0, packK1, packK2, packK3, packK4 } from './math';

// The backward's element kernel comes in stages, each one vector out: expArgVec, expScaleVec,
// expPoly, expPow (2^n), expPowP (2^n·p), sigmoidVec, then backwardDxVec and backwardTerms.
// backwardVec runs them for one vector; backwardQuad for four in lockstep, one stage for all
// four before the next. V8 12+ (Node 24, Chromium) emits code in the order written, and one
// vector's whole chain (exponential, division, float64 products) before the next kept the
// core waiting on latencies; V8 11 (Node 20) reordered it itself (BENCH-NOTES.md, "backward
// quads"). The forward, with a shorter chain, was slower in lockstep: it stays per
// vector. Stages recompute small shared values (2^n from vn's bits); V8 numbers equal pure
// values once, so the code computes them once.

/** p for either precision (fast, a compile-time constant: one-part ln 2 and the degree-5 polynomial). */
@inline export function expPoly(t: v128, vn: v128, fast: bool, K0: v128, K1: v128, K2: v128): v128 {
  return fast ? expPolyVecFast(t, vn, K0, K1, K2) : expPolyVec(t, vn, K0, K1, K2);
}

/**
 * vn for expPow and expPowP: strict's n goes down to −433, so its bits are first raised to those
 * of n = −226 (EXP_FLOOR_BITS; 2^n then rounds to float32 0 as for every n ≤ −150); 'fast'
 * (clamp −150: n ≥ −217) needs no floor.
 */
@inline export function expFloor(vn: v128, fast: bool, K4: v128): v128 {
  return fast ? vn : i32x4.max_s(vn, lane2(K4));
}

/**
 * 2^n of e^t = 2^n·(1 + p) in float32 (vf: expFloor's): the bits hold 2^(n+100) (MAGIC_BWD),
 * scaled back by 2^−100 so that b·e^x keeps its float32 subnormal values.
 */
@inline export function expPow(vf: v128, fast: bool, K3: v128): v128 {
  return f32x4.mul(i32x4.shl(vf, 23), lane0(K3));
}

/** 2^n·p (exact in float32 up to one rounding), scaled like expPow. */
@inline export function expPowP(vf: v128, p: v128, fast: bool, K3: v128): v128 {
  return f32x4.mul(f32x4.mul(i32x4.shl(vf, 23), p), lane0(K3));
}

/** 1/(1 + e^t) from s = 2^n, sp = 2^n·p: σ(kx) where x ≥ 0 (t = −kx), unused where x < 0. */
@inline export function sigmoidVec(s: v128, sp: v128, K2: v128): v128 {
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
@inline export function backwardDxVec(
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
@inline export function scaleHi(vn: v128, K4: v128): v128 {
  return i32x4.add(i32x4.shl(vn, 20), lane3(K4));
}

/**
 * (dy·coef)·(1 + v·u)·sc for four lanes in float64, rounded once to float32; scHi holds the upper
 * 32 bits of each sc (2^n or 1.0: paired with zero lower halves by an unpack, exact).
 */
@inline export function backwardDx4(dy: v128, coef: v128, v: v128, u: v128, scHi: v128, K4: v128): v128 {
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
@inline export function backwardTerms(dy: v128, x: v128, neg: v128, s: v128, sp: v128, sig: v128, K2: v128): v128 {
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
@inline export function backwardVec(
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
@inline export function laneSumA(t0: v128, t1: v128, t2: v128, t3: v128, n0: v128, n1: v128, n2: v128, n3: v128): v128 {
  return f32x4.add(f32x4.add(v128.andnot(t0, n0), v128.andnot(t1, n1)), f32x4.add(v128.andnot(t2, n2), v128.andnot(t3, n3)));
}

/** The four vectors' ∂b terms (the x < 0 lanes, masks n0…n3 set) added per lane: (t0 + t1) + (t2 + t3). */
@inline export function laneSumB(t0: v128, t1: v128, t2: v128, t3: v128, n0: v128, n1: v128, n2: v128, n3: v128): v128 {
  return f32x4.add(f32x4.add(v128.and(t0, n0), v128.and(t1, n1)), f32x4.add(v128.and(t2, n2), v128.and(t3, n3)));
}

/** [sA0 + sA1, sA2 + sA3, sB0 + sB1, sB2 + sB3]: two sums of four lanes packed into one vector. */
@inline export function packPairs(sA: v128, sB: v128): v128 {
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
@inline export function backwardQuad(
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
    // live across them V8 11 spilled (BENCH-NOTES.md, "backward quads").
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
@inline export function backwardQuadChecked(
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
 * packs itself (its cost on deep and on ordinary data: BENCH-NOTES.md, "deep lanes").
 */
export function deepDx(x: v128, dy: v128, dx: v128, bv: v128): v128 {
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
@inline export function blockOverflowed(blockA: v128, blockB: v128, K3: v128): bool {
  const max = lane3(K3);
  return v128.any_true(v128.or(i32x4.gt_s(f32x4.abs(blockA), max), i32x4.gt_s(f32x4.abs(blockB), max)));
}

export let gFixA: f64 = 0;
export let gFixB: f64 = 0;

/**
 * The fallback for terms that are huge (> 2^124, where 8 of them could overflow a float32
 * block sum), infinite or NaN, or that have a subnormal x > 0 (backwardTerms): `count` terms
 * again in float64, added to gFixA/gFixB (shared channel) or to accA[j]/accB[j] (row). With
 * writeDx (dx already stored at dxp, apart from x and dy) the elements where x = −∞ get their dx
 * again too: an infinite dy there (dx = dy·0 = NaN) always makes an infinite term.
 */
export function fixTerms(xp: usize, dyp: usize, dxp: usize, ap: usize, bp: usize, accA: usize, accB: usize, row: bool, writeDx: bool, count: i32): void {
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
@inline export function backwardDx(dy: v128, coef: v128, v: v128, u: v128, sc: v128, K4: v128): v128 {
  const dyc = f64x2.mul(f64x2.promote_low_f32x4(dy), f64x2.promote_low_f32x4(coef));
  const g = f64x2.add(f64lane0(K4), f64x2.mul(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(u)));
  return f64x2.mul(f64x2.mul(dyc, g), sc);
}

/** Whether dx's `bytes` overlap those of x or dy (then x, dy cannot be re-read after dx is stored). */
@inline export function dxOverlaps(xp: usize, dyp: usize, dxp: usize, bytes: usize): bool {
  return (dxp < dyp + bytes && dyp < dxp + bytes) || (dxp < xp + bytes && xp < dxp + bytes);
}

/** acc[0..4) += the four float32 lanes of v (float64 accumulators at acc). */
@inline export function addToAcc(v: v128, acc: usize): void {
  v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(v)));
  v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3))), 16);
}
