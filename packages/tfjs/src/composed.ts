/** APALU and its gradient from tfjs's own ops (the composed class), for backends or shapes without an Apalu kernel. */
import { APALU_K } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkLength, sizeLimits } from './size.js';

/** Sums a broadcast gradient back to the parameter's own shape. */
export function sumToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  // tfjs-wasm's Sum leaves an empty reduction uninitialised; an empty sum is 0.
  if (g.size === 0) return tf.zeros([...shape]);
  const rank = g.shape.length;
  const aligned = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) if (aligned[i] === 1 && g.shape[i] !== 1) axes.push(i);
  const summed = axes.length > 0 ? tf.sum(g, axes, true) : g;
  return tf.reshape(summed, [...shape]);
}

/**
 * APALU from tfjs's own ops: runs on every backend (webgl included) at the `composed`
 * accuracy class (@apalu/core's SPEC.md). The gradient is written out rather than left to autodiff: `where` would otherwise
 * multiply the unused branch's ∞ (expm1 of a large x, x·σ at +∞) by 0 and return NaN.
 *
 * Every product is ordered so that an intermediate overflows only where the float64 reference
 * does, for every finite a, b > 0 and float32 x, dy (test/composed-extremes.test.ts):
 * - f, x ≥ 0: (a·x)·(1 + σ) — 1 + σ ∈ [1, 2], so |a·x| ≤ |f|; a·(1 + σ) first would give
 *   ∞·0 = NaN at a = 3e38, x = 0, and x·(1 + σ) first ∞ at a = 0.25, x = 3e38.
 * - dx, x ≥ 0: (dy·a)·(1 + σ + k·x·σ(1 − σ)) — the second factor is ≥ 1 (a = FLT_MAX, dy = −0.02
 *   gave −∞ with a·(…) first).
 * - dx, x < 0: (dy·max(e^(x/2), 2^−149))·max(b·e^(x/2), 2^−149) — each factor is at most |dy| or
 *   b, and e^x, which underflows below x ≈ −104 while dy·b·e^x can still be 1e31, is never formed;
 *   the floors keep an infinite dy at ±∞ where a factor underflows (finite x only).
 * - da terms: (x·dy)·(1 + σ); db terms: dy·expm1(x) (|expm1| < 1).
 * What remains is float32 summation: per-channel sums whose partial sums pass 3.4e38 (terms
 * near FLT_MAX of opposite signs) are ∞ or NaN where the float64 sum is finite (see the README).
 */
/** The smallest positive float32 (2^−149). */
const MIN_SUBNORMAL = 1.401298464324817e-45;

/** f(t), then t disposed: a tidy alone would hold every intermediate until it ends. */
function then(t: tf.Tensor, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = f(t);
  if (r !== t) t.dispose();
  return r;
}

/** r, after disposing the tensors it was made from. */
function freeing(r: tf.Tensor, ...used: tf.Tensor[]): tf.Tensor {
  for (const t of used) if (t !== r) t.dispose();
  return r;
}

export const apaluComposed = tf.customGrad(((x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  // Intermediates are disposed as soon as they are used: the peak stays near
  // TENSOR_BYTES_PER_ELEMENT (size.ts) instead of the sum of every step.
  if (x.size === 0) {
    // Nothing to compute: f and dx are empty, da and db sums over nothing (0). Some backends'
    // ops misbehave on empty broadcasts (tfjs-webgpu's where/tile left later calls NaN).
    save([x, a, b]);
    return { value: tf.zerosLike(x), gradFunc: (_: tf.Tensor, [sx, sa, sb]: tf.Tensor[]) => [tf.zerosLike(sx as tf.Tensor), tf.zerosLike(sa as tf.Tensor), tf.zerosLike(sb as tf.Tensor)] };
  }
  const value = tf.tidy(() => {
    const positive = tf.greaterEqual(x, 0);
    const onePlusS = then(then(tf.mul(x, APALU_K), tf.sigmoid), (s) => tf.add(s, 1));
    // The gradient reads 1 + σ back instead of computing σ again (tfjs keeps a copy only while a tape records).
    save([x, a, b, onePlusS]);
    const right = freeing(then(tf.mul(x, a), (xa) => tf.mul(xa, onePlusS)), onePlusS);
    const left = then(tf.expm1(x), (e) => tf.mul(b, e));
    return freeing(tf.where(positive, right, left), positive, right, left);
  });
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [sx, sa, sb, onePlusS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    if (tf.getBackend() === 'wasm') checkLength(sx.size, 'backward', sizeLimits('wasm', 'composed', undefined), 'the Apalu gradient (composed path) on tfjs-wasm');
    return tf.tidy(() => {
      const positive = tf.greaterEqual(sx, 0);
      // On x ≥ 0 (the only branch that uses them) σ ∈ [0.5, 1]: (1 + σ) − 1 and 2 − (1 + σ) are exact.
      const sigma = tf.sub(onePlusS, 1);
      const spread = freeing(then(tf.sub(2, onePlusS), (oneMinus) => tf.mul(sigma, oneMinus)), sigma);
      // k·x·σ(1−σ) vanishes long before x = 100; clamping x keeps ∞·0 out of it at x = +∞.
      const kx = then(tf.minimum(sx, 100), (m) => tf.mul(m, APALU_K));
      const slope = freeing(tf.mul(kx, spread), kx, spread);
      const right = freeing(tf.add(onePlusS, slope), slope);
      // dx = (dy·a)·(1 + σ + slope) for x ≥ 0 and (dy·e^(x/2))·(b·e^(x/2)) for x < 0: one product of two selected factors.
      // e^(x/2) is floored at 2^−149 for finite x too: below x ≈ −207.9 it underflows to 0 and an
      // infinite dy would give ∞·0 = NaN (x = −207.94, dy = −∞); x = −∞ keeps 0 (∂f/∂x = 0 there).
      const half = then(then(tf.mul(sx, 0.5), tf.exp), (h) => {
        const floored = tf.maximum(h, MIN_SUBNORMAL);
        const finite = tf.isFinite(sx);
        return freeing(tf.where(finite, floored, h), floored, finite);
      });
      // b·e^(x/2) is floored at 2^−149: where it underflows, |dy·e^(x/2)·2^−149| ≤ 2^−21 (inside the
      // composed class) while an infinite dy still gives ±∞, not ∞·0 = NaN (x = −100, b = 2^−149).
      const second = freeing(then(then(tf.mul(sb, half), (bh) => tf.maximum(bh, MIN_SUBNORMAL)), (bh) => tf.where(positive, right, bh)), right);
      // (tf.where(positive, a, …) would tile a to x's shape first: a third of the backward's time on wasm.)
      const dyA = tf.mul(dy, sa);
      const dyHalf = freeing(tf.mul(dy, half), half);
      const first = freeing(tf.where(positive, dyA, dyHalf), dyA, dyHalf);
      const dx = freeing(tf.mul(first, second), first, second);
      // Each sum covers its own branch only; a NaN x reaches both sums, as in @apalu/core.
      const zeros = tf.zerosLike(sx);
      const daTerms = then(then(tf.mul(sx, dy), (xdy) => tf.mul(xdy, onePlusS)), (t) => then(tf.less(sx, 0), (negative) => tf.where(negative, zeros, t)));
      const da = then(daTerms, (t) => sumToShape(t, sa.shape));
      const dbTerms = freeing(then(then(tf.expm1(sx), (e) => tf.mul(dy, e)), (t) => tf.where(positive, zeros, t)), zeros, positive);
      const db = then(dbTerms, (t) => sumToShape(t, sb.shape));
      return [dx, da, db];
    });
  };
  return { value, gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;
