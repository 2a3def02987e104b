import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
interface TestResult {
  statistic: number;
  df: number;
  pValue: number;
}
// @stdlib's Student t tests (Welch's unequal-variance test; paired = one-sample on differences).
const ttest2 = require('@stdlib/stats-ttest2') as (x: number[], y: number[]) => TestResult;
const ttest = require('@stdlib/stats-ttest') as (x: number[], y?: number[]) => TestResult;

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((s, v) => s + v, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1));
}

export interface Comparison {
  test: 'welch' | 'paired';
  t: number;
  df: number;
  p: number;
  /** mean(a) − mean(b). */
  difference: number;
}

const degenerate = (xs: readonly number[]) => xs.length < 2 || std(xs) === 0;

/** Welch's two-sample t test (unequal variances), two-sided. NaN p when a sample has < 2 values or no spread. */
export function welch(a: readonly number[], b: readonly number[]): Comparison {
  const difference = mean(a) - mean(b);
  if (degenerate(a) && degenerate(b)) return { test: 'welch', t: Number.NaN, df: Number.NaN, p: Number.NaN, difference };
  const r = ttest2([...a], [...b]);
  return { test: 'welch', t: r.statistic, df: r.df, p: r.pValue, difference };
}

/** Paired t test on a[i] − b[i] (same seed / same digit on both sides), two-sided. */
export function paired(a: readonly number[], b: readonly number[]): Comparison {
  if (a.length !== b.length) throw new Error(`paired t test: samples have ${a.length} and ${b.length} values; pair them one to one.`);
  const d = a.map((v, i) => v - (b[i] as number));
  if (degenerate(d)) return { test: 'paired', t: Number.NaN, df: a.length - 1, p: Number.NaN, difference: mean(d) };
  const r = ttest([...a], [...b]);
  return { test: 'paired', t: r.statistic, df: r.df, p: r.pValue, difference: mean(d) };
}

/** "0.971 ± 0.004" with `digits` decimals. */
export function pm(xs: readonly number[], digits = 3): string {
  return `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;
}

/** A p value the way tables show it. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
