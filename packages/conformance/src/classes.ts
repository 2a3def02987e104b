/** The error limits of each accuracy class, strict and composed, that a backend's results are judged by. */
import type { AccuracyClass } from '@apalu/core';
import { composedRatio, ulpDistance } from './float32.js';

/** The limits of one accuracy class (@apalu/core's SPEC.md, "Accuracy classes"). */
export interface ClassLimits {
  /** Unit of element-wise errors: float32 ULPs, or a fraction of the composed allowance. */
  unit: 'ulp' | 'ratio';
  /** Largest element-wise error for f(x) and ∂f/∂x (dy = 1). */
  elementwise: number;
  /**
   * Largest element-wise error for dx = dy·∂f/∂x with a general dy: the product adds one
   * rounding, so the strict class allows one more ULP here.
   */
  elementwiseScaled: number;
  /** Largest relative error of da, db, relative to Σ|terms| (equal to |sum| when no term cancels). */
  sumRelative: number;
  /**
   * Absolute error each term of da, db may add on top: one rounding onto the float32 subnormal
   * grid (2^-149) for strict; for composed, a term flushed to zero (below 2^-126), as GPU ops
   * that flush subnormals do.
   */
  termSlack: number;
  /**
   * Whether a non-finite da, db is accepted where Σ|finite terms| reaches FLT_MAX: a float32
   * reduction in the framework's order may overflow on the way (−FLT_MAX − 1e31 = −∞, then + ∞ =
   * NaN) where the float64 sum is finite or of the other sign. Strict kernels must sum exactly.
   */
  partialOverflow: boolean;
  /** Element-wise error measure for this class. */
  measure(got: number, want: number): number;
}

export const ACCURACY_CLASSES: Readonly<Record<AccuracyClass, ClassLimits>> = {
  strict: { unit: 'ulp', elementwise: 2, elementwiseScaled: 3, sumRelative: 1e-6, termSlack: 2 ** -149, partialOverflow: false, measure: ulpDistance },
  composed: { unit: 'ratio', elementwise: 1, elementwiseScaled: 1, sumRelative: 1e-4, termSlack: 2 ** -126, partialOverflow: true, measure: composedRatio },
};
