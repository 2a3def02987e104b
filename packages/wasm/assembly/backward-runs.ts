// Backward loops over contiguous runs: one shared (a, b) with float32 blocks summed in
// float64, or one channel per element (channels-last rows); each compiled strict and 'fast'.

import { addToAcc, backwardQuad, backwardVec, blockOverflowed, dxOverlaps, fixTerms, gFixA, gFixB, laneSumA, laneSumB } from './backward-vec';
import { Apart, Fast, InPlace, Strict, backwardScalar, gTermA, gTermB, opaqueZero, packK0, packK1, packK2, packK3, packK4 } from './math';

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
@inline export function backwardConstLoop(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, check: bool, fast: bool): void {
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
@inline export function backwardRowLoop(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool): void {
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

export function backwardRow<P>(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize): void {
  backwardRowLoop(xp, dyp, dxp, len, ap, bp, accA, accB, isFloat<P>());
}

export let gSumA: f64 = 0;
export let gSumB: f64 = 0;

/** Backward over `len` elements sharing a = *ap, b = *bp (the copy for `fast` and dx's overlap); the sums of the ∂a, ∂b terms go to gSumA, gSumB. */
export function backwardConstBy(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
  const inPlace = dxOverlaps(xp, dyp, dxp, <usize>len << 2);
  if (fast) {
    if (inPlace) backwardConst<InPlace, Fast>(xp, dyp, dxp, len, ap, bp);
    else backwardConst<Apart, Fast>(xp, dyp, dxp, len, ap, bp);
  } else if (inPlace) backwardConst<InPlace, Strict>(xp, dyp, dxp, len, ap, bp);
  else backwardConst<Apart, Strict>(xp, dyp, dxp, len, ap, bp);
}

// One copy per (check, fast), both constants in each (one call with a variable flag would keep
// the test inside the loop: binaryen folds `if (c) f(true) else f(false)` into `f(c)`).
export function backwardConst<D, P>(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize): void {
  backwardConstLoop(xp, dyp, dxp, len, ap, bp, isFloat<D>(), isFloat<P>());
}

@inline export function backwardRowBy(xp: usize, dyp: usize, dxp: usize, len: i32, ap: usize, bp: usize, accA: usize, accB: usize, fast: bool): void {
  if (fast) backwardRow<Fast>(xp, dyp, dxp, len, ap, bp, accA, accB);
  else backwardRow<Strict>(xp, dyp, dxp, len, ap, bp, accA, accB);
}

/** backward on [i, end) one S-element run (one channel) at a time, sums added to acc. */
export function backwardRuns(
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
    backwardConstBy(xPtr + o, dyPtr + o, dxPtr + o, len, aPtr + oc, bPtr + oc, fast);
    store<f64>(accPtr + (oc << 1), load<f64>(accPtr + (oc << 1)) + gSumA);
    store<f64>(accB + (oc << 1), load<f64>(accB + (oc << 1)) + gSumB);
    i += len;
    within = 0;
    if (++c == C) c = 0;
  }
}
