import { APALU_K } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';

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
 * - dx, x < 0: (dy·e^(x/2))·(b·e^(x/2)) — each factor is at most |dy| or b, and e^x, which
 *   underflows below x ≈ −104 while dy·b·e^x can still be 1e31, is never formed.
 * - da terms: (x·dy)·(1 + σ); db terms: dy·expm1(x) (|expm1| < 1).
 * What remains is float32 summation: per-channel sums whose partial sums pass 3.4e38 (terms
 * near FLT_MAX of opposite signs) are ∞ or NaN where the float64 sum is finite (see the README).
 */
export const apaluComposed = tf.customGrad(((x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, a, b]);
  const value = tf.tidy(() => {
    const positive = tf.greaterEqual(x, 0);
    const s = tf.sigmoid(tf.mul(x, APALU_K));
    const right = tf.mul(tf.mul(x, a), tf.add(s, 1));
    const left = tf.mul(b, tf.expm1(x));
    return tf.where(positive, right, left);
  });
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [sx, sa, sb] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    return tf.tidy(() => {
      const positive = tf.greaterEqual(sx, 0);
      const s = tf.sigmoid(tf.mul(sx, APALU_K));
      const onePlusS = tf.add(s, 1);
      // k·x·σ(1−σ) vanishes long before x = 100; clamping x keeps ∞·0 out of it at x = +∞.
      const slope = tf.mul(tf.mul(tf.minimum(sx, 100), APALU_K), tf.mul(s, tf.sub(1, s)));
      const half = tf.exp(tf.mul(sx, 0.5));
      // dx = dy·a·(1 + σ + slope) for x ≥ 0 and (dy·e^(x/2))·(b·e^(x/2)) for x < 0, as one product of two selected factors.
      const first = tf.mul(dy, tf.where(positive, sa, half));
      const second = tf.where(positive, tf.add(onePlusS, slope), tf.mul(sb, half));
      const dx = tf.mul(first, second);
      // Each sum covers its own branch only; a NaN x reaches both sums, as in @apalu/core.
      const zeros = tf.zerosLike(sx);
      const da = tf.where(tf.less(sx, 0), zeros, tf.mul(tf.mul(sx, dy), onePlusS));
      const db = tf.where(positive, zeros, tf.mul(dy, tf.expm1(sx)));
      return [dx, sumToShape(da, sa.shape), sumToShape(db, sb.shape)];
    });
  };
  return { value, gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;
