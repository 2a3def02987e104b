// Backward layout strategies for whole rows: channels-last rows, channels-first blocks
// (S a multiple of 4) and gathered lanes (small S); each compiled strict and 'fast'.

import { backwardRowBy, backwardRuns } from './backward-runs';
import { backwardQuad, backwardQuadChecked, backwardVec, blockOverflowed, fixTerms, gFixA, gFixB, laneSumA, laneSumB } from './backward-vec';
import { gatherLanes, laneChannel } from './forward';
import { backwardScalar, gTermA, gTermB, lane2, opaqueZero, packK0, packK1, packK2, packK3, packK4 } from './math';

/**
 * Backward over `rows` whole rows of C elements (channels-last, S = 1), four rows per step:
 * the four vectors of one column share a, b and one float64 update of the accumulators
 * (their terms are added in float32 first, 4 per lane). check: as in backwardConstLoop; a
 * column sum that overflowed is redone in float64 when x and dy are intact.
 */
@inline export function backwardRowsLoop(
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
      // 'fast' apart: two columns per step (strict stays at one: its float64 stage holds more
      // registers; BENCH-NOTES.md, "backward rows").
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

export function backwardRows<D, P>(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, accA: usize, accB: usize): void {
  backwardRowsLoop(xp, dyp, dxp, rows, ap, bp, C, accA, accB, isFloat<D>(), isFloat<P>());
}

/**
 * Backward over `rows` whole rows of C·S elements, S a multiple of 4 (see BLOCKS_MAX_S): per
 * channel, each of its S/4 vector columns runs as a quad over four rows sharing the splatted
 * a, b; the quads' packed float32 sums (8 terms per lane) go to float64 registers and, once
 * per channel, to accA[c], accB[c]. check: as in backwardConstLoop (in place: every vector
 * tested before its store; apart: a quad whose sums overflowed is redone in float64).
 */
@inline export function backwardBlocksLoop(
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

export function backwardBlocks<D, P>(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardBlocksLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, isFloat<D>(), isFloat<P>());
}

/** accA[c] += t·dy terms of one lane, from the lane's x and dy in float64 (a vector's fallback). */
@inline export function fixLane(x: f32, dy: f32, ap: usize, bp: usize, accA: usize, accB: usize, c: i32): void {
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
@inline export function backwardGatherVec(
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
@inline export function backwardGatherLoop(
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
@inline export function lanePairs(v: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
}

@inline export function addLane(acc: usize, c: i32, v: f64): void {
  const o8 = <usize>c << 3;
  store<f64>(acc + o8, load<f64>(acc + o8) + v);
}

export function backwardGather<P>(xp: usize, dyp: usize, dxp: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, accA: usize, accB: usize): void {
  backwardGatherLoop(xp, dyp, dxp, rows, ap, bp, C, S, accA, accB, isFloat<P>());
}
