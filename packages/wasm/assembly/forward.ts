// Forward loops: contiguous runs, channels-last rows, channels-first blocks and gathered
// lanes, each compiled strict and 'fast', and the per-channel run walker.

import { Fast, Strict, forwardScalar, forwardVec, opaqueZero, packK0, packK1, packK2 } from './math';

// ---- runs: contiguous elements sharing one (a, b) or walking a, b one channel per element

// Every SIMD loop below handles four vectors per step: the exp and division chains of
// independent vectors overlap in the out-of-order core, and V8's per-iteration overhead
// (reloading spilled constants, the stack check) is paid once per 16 elements
// (BENCH-NOTES.md, "vectors per step").

/** f over `len` elements that all use the same a, b. */
@inline export function forwardConstLoop(xp: usize, op: usize, len: i32, a: f32, b: f32, fast: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = opaqueZero(len);
    const K0 = packK0(z, false, fast);
    const K1 = packK1(z, fast);
    const K2 = packK2(z, fast);
    const av = f32x4.splat(a);
    const bv = f32x4.splat(b);
    // Two cache lines per step, four vectors at a time taken from both: two lines in flight
    // instead of one (BENCH-NOTES.md, "two cache lines").
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
@inline export function forwardRowLoop(xp: usize, op: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
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
@inline export function forwardColumn(xp: usize, op: usize, o: usize, stride: usize, av: v128, bv: v128, fast: bool, K0: v128, K1: v128, K2: v128): void {
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
@inline export function forwardRowsLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, fast: bool): void {
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
      // Two columns (eight vectors) per step, like forwardConst's two cache lines
      // (BENCH-NOTES.md, "two cache lines").
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
 * run one vector at a time (BENCH-NOTES.md, "layouts"). Instead
 * whole rows of C·S elements are walked like channels-last rows: each vector column lies in
 * one channel (S/4 columns per channel), and four rows per step share its splatted a, b.
 */
export const BLOCKS_MAX_S = 60;
/**
 * 4 < S ≤ GATHER_MAX_S, not multiples of 4, with C·S a multiple of 4: gathered lanes, see
 * forwardGatherLoop. The backward takes them only below GATHER_BACKWARD_MAX_S: it runs vector
 * by vector at one speed whatever S, which beats one call per run at S = 9 and 25, not at 49
 * (BENCH-NOTES.md, "layouts").
 */
export const GATHER_MAX_S = 64;
export const GATHER_BACKWARD_MAX_S = 31;

/** f over `rows` whole rows of C·S elements, S a multiple of 4 (see BLOCKS_MAX_S). */
@inline export function forwardBlocksLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, fast: bool): void {
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
@inline export function gatherLanes(p: usize, c0: i32, c1: i32, c2: i32, c3: i32): v128 {
  let v = v128.load32_splat(p + (<usize>c0 << 2));
  v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>c1 << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>c2 << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(p + (<usize>c3 << 2)));
}

/** The channel of the element `lane` (≤ 3) places after position w of channel c's run (S > 3: at most one run on). */
@inline export function laneChannel(c: i32, w: i32, S: i32, lane: i32): i32 {
  return c + <i32>(w + lane >= S);
}

/**
 * f over `rows` whole rows of C·S elements for small S that are not multiples of 4 (3×3,
 * 5×5, 7×7 maps: S ≤ GATHER_MAX_S) when C·S is a multiple of 4, so every row starts a vector:
 * each vector column then has the same channels in every row, and its a, b lanes are
 * gathered once per four rows.
 */
@inline export function forwardGatherLoop(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32, fast: bool): void {
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

// Each loop compiled twice, `fast` a constant in each (a flag argument stays in the loop):
// one generic function per strategy, instantiated for P = Strict and P = Fast (see math.ts).
export function forwardConst<P>(xp: usize, op: usize, len: i32, a: f32, b: f32): void {
  forwardConstLoop(xp, op, len, a, b, isFloat<P>());
}
export function forwardRow<P>(xp: usize, op: usize, len: i32, ap: usize, bp: usize): void {
  forwardRowLoop(xp, op, len, ap, bp, isFloat<P>());
}
export function forwardRows<P>(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32): void {
  forwardRowsLoop(xp, op, rows, ap, bp, C, isFloat<P>());
}

export function forwardBlocks<P>(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardBlocksLoop(xp, op, rows, ap, bp, C, S, isFloat<P>());
}

export function forwardGather<P>(xp: usize, op: usize, rows: i32, ap: usize, bp: usize, C: i32, S: i32): void {
  forwardGatherLoop(xp, op, rows, ap, bp, C, S, isFloat<P>());
}

@inline export function forwardConstBy(xp: usize, op: usize, len: i32, a: f32, b: f32, fast: bool): void {
  if (fast) forwardConst<Fast>(xp, op, len, a, b);
  else forwardConst<Strict>(xp, op, len, a, b);
}

@inline export function forwardRowBy(xp: usize, op: usize, len: i32, ap: usize, bp: usize, fast: bool): void {
  if (fast) forwardRow<Fast>(xp, op, len, ap, bp);
  else forwardRow<Strict>(xp, op, len, ap, bp);
}

/** forward on [i, end) one S-element run (one channel) at a time. */
export function forwardRuns(xPtr: usize, outPtr: usize, i: i32, end: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, fast: bool): void {
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
