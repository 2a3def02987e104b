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
 */
export const apaluComposed = tf.customGrad(((x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, a, b]);
  const value = tf.tidy(() => {
    const positive = tf.greaterEqual(x, 0);
    const s = tf.sigmoid(tf.mul(x, APALU_K));
    // a·(1 + σ) first, as @apalu/core's SPEC.md asks: a huge x must not overflow when the result does not.
    const right = tf.mul(x, tf.mul(a, tf.add(s, 1)));
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
      const dRight = tf.mul(sa, tf.add(onePlusS, slope));
      const dLeft = tf.mul(sb, tf.exp(sx));
      const dx = tf.mul(dy, tf.where(positive, dRight, dLeft));
      // Each sum covers its own branch only; a NaN x reaches both sums, as in @apalu/core.
      const zeros = tf.zerosLike(sx);
      // x·(dy·(1 + σ)): multiplying x last keeps a term finite whenever it can be (x near 3.4e38).
      const da = tf.where(tf.less(sx, 0), zeros, tf.mul(sx, tf.mul(dy, onePlusS)));
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
