// Entry of the AssemblyScript build (scripts/build-wasm.mjs): the exported kernels and the
// dispatch of a range to a layout strategy; the loops live in the files imported below.
//
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

import { backwardBlocks, backwardGather, backwardRows } from './backward-layouts';
import { backwardRowBy, backwardRuns } from './backward-runs';
import { dxOverlaps } from './backward-vec';
import { BLOCKS_MAX_S, GATHER_BACKWARD_MAX_S, GATHER_MAX_S, forwardBlocks, forwardConstBy, forwardGather, forwardRowBy, forwardRows, forwardRuns } from './forward';
import { Apart, Fast, InPlace, Strict } from './math';

// ---- exported kernels: the SPEC layout (C channels, inner size S) -----------------------

// `precision` (last argument of every export): 0 strict (default: a JS caller that omits it
// passes undefined, i.e. 0), 1 fast (float32 only, the composed class; SIMD loops only, the
// scalar build and vector tails run the strict code).
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
    if (fast) forwardRows<Fast>(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), rows, aPtr, bPtr, C);
    else forwardRows<Strict>(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), rows, aPtr, bPtr, C);
    i += rows * C;
    if (i < end) forwardRowBy(xPtr + (<usize>i << 2), outPtr + (<usize>i << 2), end - i, aPtr, bPtr, fast);
    return;
  }
  if (ASC_FEATURE_SIMD && S <= BLOCKS_MAX_S && (S & 3) == 0 && <i64>C * S <= <i64>count) {
    forwardWholeRows(xPtr, outPtr, i, end, aPtr, bPtr, C, S, fast, false);
    return;
  }
  if (ASC_FEATURE_SIMD && S > 4 && S <= GATHER_MAX_S && (S & 3) != 0 && ((C * S) & 3) == 0 && <i64>C * S <= <i64>count) {
    forwardWholeRows(xPtr, outPtr, i, end, aPtr, bPtr, C, S, fast, true);
    return;
  }
  forwardRuns(xPtr, outPtr, i, end, aPtr, bPtr, C, S, fast);
}

/**
 * forward on [i, end) as a partial first row of C·S elements (runs), whole rows by a layout
 * strategy (gather, a compile-time constant: forwardGather, else forwardBlocks) and a partial
 * last row (runs).
 */
@inline function forwardWholeRows(xPtr: usize, outPtr: usize, i: i32, end: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, fast: bool, gather: bool): void {
  const L = C * S;
  const head = min(end, (i + L - 1) / L * L);
  forwardRuns(xPtr, outPtr, i, head, aPtr, bPtr, C, S, fast);
  const rows = (end - head) / L;
  const o = <usize>head << 2;
  if (!gather) {
    if (fast) forwardBlocks<Fast>(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
    else forwardBlocks<Strict>(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
  } else if (fast) forwardGather<Fast>(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
  else forwardGather<Strict>(xPtr + o, outPtr + o, rows, aPtr, bPtr, C, S);
  forwardRuns(xPtr, outPtr, head + rows * L, end, aPtr, bPtr, C, S, fast);
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
  xPtr: usize, dyPtr: usize, dxPtr: usize, start: i32, count: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, accPtr: usize, precision: i32,
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
      if (inPlace) backwardRows<InPlace, Fast>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
      else backwardRows<Apart, Fast>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    } else if (inPlace) backwardRows<InPlace, Strict>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    else backwardRows<Apart, Strict>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, accPtr, accB);
    i += rows * C;
    if (i < end) {
      const oe = <usize>i << 2;
      backwardRowBy(xPtr + oe, dyPtr + oe, dxPtr + oe, end - i, aPtr, bPtr, accPtr, accB, fast);
    }
    return;
  }
  if (ASC_FEATURE_SIMD && C > 1 && S <= BLOCKS_MAX_S && (S & 3) == 0 && <i64>C * S <= <i64>count) {
    backwardWholeRows(xPtr, dyPtr, dxPtr, i, end, aPtr, bPtr, C, S, accPtr, accB, fast, false);
    return;
  }
  if (ASC_FEATURE_SIMD && S > 4 && S <= GATHER_BACKWARD_MAX_S && (S & 3) != 0 && ((C * S) & 3) == 0 && <i64>C * S <= <i64>count) {
    backwardWholeRows(xPtr, dyPtr, dxPtr, i, end, aPtr, bPtr, C, S, accPtr, accB, fast, true);
    return;
  }
  backwardRuns(xPtr, dyPtr, dxPtr, i, end, aPtr, bPtr, C, S, accPtr, accB, fast);
}

/** backwardRange's counterpart of forwardWholeRows (blocks: a copy per dx overlap, see backwardConstBy). */
@inline function backwardWholeRows(
  xPtr: usize, dyPtr: usize, dxPtr: usize, i: i32, end: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, accPtr: usize, accB: usize, fast: bool, gather: bool,
): void {
  const L = C * S;
  const head = min(end, (i + L - 1) / L * L);
  backwardRuns(xPtr, dyPtr, dxPtr, i, head, aPtr, bPtr, C, S, accPtr, accB, fast);
  const rows = (end - head) / L;
  const o = <usize>head << 2;
  if (!gather) {
    const inPlace = dxOverlaps(xPtr + o, dyPtr + o, dxPtr + o, <usize>(rows * L) << 2);
    if (fast) {
      if (inPlace) backwardBlocks<InPlace, Fast>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
      else backwardBlocks<Apart, Fast>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    } else if (inPlace) backwardBlocks<InPlace, Strict>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
    else backwardBlocks<Apart, Strict>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
  } else if (fast) backwardGather<Fast>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
  else backwardGather<Strict>(xPtr + o, dyPtr + o, dxPtr + o, rows, aPtr, bPtr, C, S, accPtr, accB);
  backwardRuns(xPtr, dyPtr, dxPtr, head + rows * L, end, aPtr, bPtr, C, S, accPtr, accB, fast);
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
  xPtr: usize, dyPtr: usize, dxPtr: usize, daPtr: usize, dbPtr: usize, n: i32, aPtr: usize, bPtr: usize, C: i32, S: i32, accPtr: usize, precision: i32,
): void {
  memory.fill(accPtr, 0, <usize>C << 4);
  backwardRange(xPtr, dyPtr, dxPtr, 0, n, aPtr, bPtr, C, S, accPtr, precision);
  finishSums(accPtr, daPtr, dbPtr, C);
}
