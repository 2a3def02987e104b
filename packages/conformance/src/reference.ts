/** The float64 reference of every case: f, ∂f/∂x, dx and the per-channel sums with what judges a float32 result. */
import { CompensatedSum, apalu, apaluDerivative, apaluGrad } from '@apalu/core';
import type { CaseInput } from './cases.js';

/** The float64 reference of one per-channel sum, with what is needed to judge a float32 result. */
export interface SumReference {
  value: number;
  /** Σ|terms|: the scale a summation error is measured against. */
  scale: number;
  /** Σ|finite terms|: at FLT_MAX or above, a float32 running sum may overflow on the way. */
  finiteScale?: number;
  /**
   * Some finite term is beyond float32 range: a float32 computation may legitimately give ±∞
   * or NaN. Infinite terms (x = ±∞) do not count: they make the sum exactly ±∞ (NaN when both
   * signs occur), which a float32 result must match.
   */
  overflows: boolean;
  /**
   * How many terms the sum has. Each float32 term may carry one rounding of 2^-149 (the
   * subnormal spacing) that no float32 computation can avoid: sumError allows that much per term,
   * so a channel whose terms are subnormal is judged like elementwise results are, in ULPs.
   */
  terms?: number;
}

export interface ChannelSums {
  da: SumReference[];
  db: SumReference[];
  /** The channel holds a NaN input: its NaN must show in da or db. */
  hasNaN: boolean[];
}

export interface CaseReference {
  /** f(x) rounded to float32. */
  f: Float32Array;
  /** ∂f/∂x rounded to float32 (dx for dy = 1). */
  d: Float32Array;
  /** dy·∂f/∂x rounded to float32. */
  dx: Float32Array;
  /**
   * 1 where dy is ±∞, x finite and the float64 ∂f/∂x underflowed to 0: dx is NaN (0·∞) here, but
   * ∂f/∂x > 0 for every finite x, so dy itself (±∞) is accepted as well.
   */
  dxAlsoDy: Uint8Array;
  ones: ChannelSums;
  general: ChannelSums;
}

const SUBNORMAL_SPACING = 2 ** -149; // the spacing of float32 subnormals
const FLOAT32_LIMIT = 3.4028235677973366e38; // values from here up round to ∞ in float32

function newSums(channels: number): { acc: CompensatedSum[]; abs: Float64Array; finiteAbs: Float64Array; count: Float64Array; overflow: boolean[] } {
  return {
    acc: Array.from({ length: channels }, () => new CompensatedSum()),
    abs: new Float64Array(channels),
    finiteAbs: new Float64Array(channels),
    count: new Float64Array(channels),
    overflow: new Array<boolean>(channels).fill(false),
  };
}

function addTerm(s: ReturnType<typeof newSums>, c: number, term: number): void {
  (s.acc[c] as CompensatedSum).add(term);
  s.abs[c] = (s.abs[c] as number) + Math.abs(term);
  s.count[c] = (s.count[c] as number) + 1;
  if (Number.isFinite(term)) s.finiteAbs[c] = (s.finiteAbs[c] as number) + Math.abs(term);
  if (Number.isFinite(term) && Math.abs(term) >= FLOAT32_LIMIT) s.overflow[c] = true;
}

function finish(s: ReturnType<typeof newSums>): SumReference[] {
  return s.acc.map((acc, c) => ({ value: acc.value, scale: s.abs[c] as number, overflows: s.overflow[c] as boolean, finiteScale: s.finiteAbs[c] as number, terms: s.count[c] as number }));
}

/** Computes everything a case is checked against, in float64, rounding once to float32. */
export function computeReference({ x, dy, a, b, inner }: CaseInput): CaseReference {
  const n = x.length;
  const channels = a.length;
  const f = new Float32Array(n);
  const d = new Float32Array(n);
  const dx = new Float32Array(n);
  const dxAlsoDy = new Uint8Array(n);
  const onesA = newSums(channels);
  const onesB = newSums(channels);
  const genA = newSums(channels);
  const genB = newSums(channels);
  const hasNaN = new Array<boolean>(channels).fill(false);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % channels;
    const xi = x[i] as number;
    const ac = a[c] as number;
    const bc = b[c] as number;
    const g = dy[i] as number;
    f[i] = apalu(xi, ac, bc);
    const deriv = apaluDerivative(xi, ac, bc);
    d[i] = deriv;
    dx[i] = g * deriv;
    if (deriv === 0 && !Number.isFinite(g) && !Number.isNaN(g) && Number.isFinite(xi)) dxAlsoDy[i] = 1;
    if (Number.isNaN(xi)) {
      hasNaN[c] = true;
      continue;
    }
    const grad = apaluGrad(xi, ac, bc);
    if (xi >= 0) {
      addTerm(onesA, c, grad.da);
      addTerm(genA, c, g * grad.da);
    } else {
      addTerm(onesB, c, grad.db);
      addTerm(genB, c, g * grad.db);
    }
  }
  return {
    f,
    d,
    dx,
    dxAlsoDy,
    ones: { da: finish(onesA), db: finish(onesB), hasNaN },
    general: { da: finish(genA), db: finish(genB), hasNaN },
  };
}

/**
 * Error of one float32 sum as a fraction of Σ|terms| (NaN-free channels). Channels with a
 * finite term beyond float32 range also accept a non-finite result; otherwise a non-finite
 * sum (from x = ±∞) must be matched exactly: ±∞ by the same ±∞, NaN by NaN.
 */
export function sumError(got: number, ref: SumReference, limits: { termSlack: number; partialOverflow?: boolean } = { termSlack: SUBNORMAL_SPACING }): number {
  if (ref.overflows && !Number.isFinite(got)) return 0;
  if (limits.partialOverflow && (ref.finiteScale ?? 0) >= FLOAT32_LIMIT && !Number.isFinite(got)) return 0;
  const want = Math.fround(ref.value);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want || (Number.isNaN(got) && Number.isNaN(want)) ? 0 : Number.POSITIVE_INFINITY;
  if (ref.scale === 0) return got === 0 ? 0 : Number.POSITIVE_INFINITY;
  const slack = (ref.terms ?? 0) * limits.termSlack;
  return Math.max(0, Math.abs(got - want) - slack) / ref.scale;
}
