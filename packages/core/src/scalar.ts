/**
 * APALU in float64, the reference every other path is measured against.
 * f(x) = a·x·(1 + σ(k·x)) for x ≥ 0 and b·expm1(x) for x < 0 (this package's SPEC.md).
 */

/** The fixed constant k of APALU: σ(1.702·x) is the sigmoid approximation of GELU. */
export const APALU_K = 1.702;

/** Partial derivatives of f at one point. */
export interface ApaluGradient {
  /** ∂f/∂x */
  dx: number;
  /** ∂f/∂a */
  da: number;
  /** ∂f/∂b */
  db: number;
}

/**
 * e^(−k·x) for x ≥ 0, never above 1. σ = 1 / (1 + e) and 1 − σ = e / (1 + e) are both
 * computed without cancellation from it.
 */
function expNegKx(x: number): number {
  return Math.exp(-APALU_K * x);
}

/**
 * k·x·σ·(1 − σ) for x ≥ 0. Once e^(−kx) underflows (x > 437) the exact value is below
 * 1e-300, and the product would otherwise be ∞·0 = NaN at x = +∞.
 */
function slopeTerm(x: number, e: number): number {
  if (e === 0) return 0;
  const s = 1 / (1 + e);
  return APALU_K * x * s * (e / (1 + e));
}

/** f(x) in float64. NaN → NaN, +∞ → +∞, −∞ → −b, ±0 → 0. */
export function apalu(x: number, a: number, b: number): number {
  if (x >= 0) {
    const s = 1 / (1 + expNegKx(x));
    // a·(1 + σ) is formed first: it is < 1 whenever the result is smaller than x, so a huge
    // x never overflows spuriously (a = 0.25, x = 3e38 gives 1.5e38, SPEC).
    return x * (a * (1 + s));
  }
  if (x < 0) return b * Math.expm1(x);
  return Number.NaN;
}

/** ∂f/∂x, ∂f/∂a and ∂f/∂b in float64. At x = 0 (either sign) the x ≥ 0 branch is used. */
export function apaluGrad(x: number, a: number, b: number): ApaluGradient {
  if (x >= 0) {
    const e = expNegKx(x);
    const s = 1 / (1 + e);
    return { dx: a * (1 + s + slopeTerm(x, e)), da: x * (1 + s), db: 0 };
  }
  if (x < 0) return { dx: b * Math.exp(x), da: 0, db: Math.expm1(x) };
  return { dx: Number.NaN, da: Number.NaN, db: Number.NaN };
}

/** ∂f/∂x alone (no allocation): the hot path of backward passes. */
export function apaluDerivative(x: number, a: number, b: number): number {
  if (x >= 0) {
    const e = expNegKx(x);
    return a * (1 + 1 / (1 + e) + slopeTerm(x, e));
  }
  if (x < 0) return b * Math.exp(x);
  return Number.NaN;
}

/** ∂²f/∂x² in float64: a·k·σ(1−σ)·(2 + k·x·(1 − 2σ)) for x ≥ 0, b·e^x for x < 0. */
export function apaluSecondDerivative(x: number, a: number, b: number): number {
  if (x >= 0) {
    const e = expNegKx(x);
    if (e === 0) return 0;
    const s = 1 / (1 + e);
    const oneMinusS = e / (1 + e);
    return a * APALU_K * s * oneMinusS * (2 + APALU_K * x * (oneMinusS - s));
  }
  if (x < 0) return b * Math.exp(x);
  return Number.NaN;
}
