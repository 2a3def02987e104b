import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APALU_K, apalu, apaluDerivative, apaluGrad, apaluSecondDerivative } from '../src/index.js';
import { exactDx, exactF, exactSecond } from './high-precision.js';

const relErr = (got: number, want: number) => (want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want));
const xs = [-700, -87, -20, -3, -1, -0.5, -1e-3, -1e-8, -1e-20, -1e-300, -5e-324, 0, 5e-324, 1e-300, 1e-8, 1e-3, 0.5, 1, 3, 20, 87, 400, 1e4, 1e38, 1e300];
const params: Array<[number, number]> = [
  [1, 1],
  [0.25, 1.9],
  [1.7, 0.05],
];

describe('APALU_K', () => {
  it('is 1.702, the sigmoid approximation of GELU', () => expect(APALU_K).toBe(1.702));
});

describe('against 120-digit decimal arithmetic', () => {
  it('f(x) is within 4 float64 ULP everywhere, including x → 0⁻ (expm1 quality)', () => {
    for (const [a, b] of params) for (const x of xs) expect(relErr(apalu(x, a, b), exactF(x, a, b)), `x=${x}`).toBeLessThan(1e-15);
  });
  it('∂f/∂x and ∂²f/∂x² agree to 1e-14 relative', () => {
    for (const [a, b] of params) {
      for (const x of xs) {
        expect(relErr(apaluDerivative(x, a, b), exactDx(x, a, b)), `dx at ${x}`).toBeLessThan(1e-14);
        expect(relErr(apaluGrad(x, a, b).dx, exactDx(x, a, b)), `grad.dx at ${x}`).toBeLessThan(1e-14);
        const want = exactSecond(x, a, b);
        // Near the zero crossing of 2 + kx(1 − 2σ) the relative error is ill-conditioned; bound it absolutely there.
        expect(Math.abs(apaluSecondDerivative(x, a, b) - want), `f'' at ${x}`).toBeLessThanOrEqual(1e-14 * Math.max(Math.abs(want), a));
      }
    }
  });
  it('on random x in [−30, 30]', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (x, a) => {
        const want = exactF(x, a, a * 0.9);
        // Subnormal results carry fewer bits: there the bound is one subnormal step.
        expect(Math.abs(apalu(x, a, a * 0.9) - want)).toBeLessThanOrEqual(Math.max(1e-15 * Math.abs(want), 5e-324));
      }),
      { numRuns: 300 },
    );
  });
});

describe('special values (SPEC.md)', () => {
  it('NaN → NaN, +∞ → +∞, −∞ → −b, ±0 → 0', () => {
    expect(apalu(Number.NaN, 1, 1)).toBeNaN();
    expect(apalu(Number.POSITIVE_INFINITY, 0.3, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(apalu(Number.NEGATIVE_INFINITY, 1, 1.25)).toBe(-1.25);
    // The sign of zero is not part of the contract.
    expect(Math.abs(apalu(0, 1, 1))).toBe(0);
    expect(Math.abs(apalu(-0, 1, 1))).toBe(0);
  });
  it('subnormals are computed, not flushed: f(x) ≈ b·x for tiny negative x', () => {
    expect(apalu(-5e-324, 1, 1)).toBe(-5e-324);
    expect(apalu(-1e-310, 1, 2)).toBe(-2e-310);
  });
  it('no spurious overflow: a = 0.25, x = 3e38 gives 1.5e38; a = 0.25, x = 1e308 stays finite', () => {
    expect(Math.fround(apalu(3e38, 0.25, 1))).toBe(Math.fround(1.5e38));
    expect(apalu(1e308, 0.25, 1)).toBeCloseTo(5e307, -290);
  });
  it('derivatives stay finite at ±∞ (2a on the right, 0 on the left)', () => {
    expect(apaluGrad(Number.POSITIVE_INFINITY, 0.5, 1)).toEqual({ dx: 1, da: Number.POSITIVE_INFINITY, db: 0 });
    expect(apaluGrad(Number.NEGATIVE_INFINITY, 0.5, 1)).toEqual({ dx: 0, da: 0, db: -1 });
    expect(apaluSecondDerivative(Number.POSITIVE_INFINITY, 1, 1)).toBe(0);
    expect(apaluSecondDerivative(Number.NaN, 1, 1)).toBeNaN();
  });
});

describe('gradients against finite differences', () => {
  const central = (g: (h: number) => number, h: number) => (g(h) - g(-h)) / (2 * h);
  it('∂f/∂x, ∂f/∂a, ∂f/∂b, ∂²f/∂x² away from the kink', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }).filter((x) => Math.abs(x) > 1e-3),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (x, a, b) => {
          const g = apaluGrad(x, a, b);
          const h = 1e-6;
          const tol = (v: number) => 1e-6 * Math.max(1, Math.abs(v));
          expect(Math.abs(g.dx - central((d) => apalu(x + d, a, b), h))).toBeLessThan(tol(g.dx));
          expect(Math.abs(g.da - central((d) => apalu(x, a + d, b), h))).toBeLessThan(tol(g.da));
          expect(Math.abs(g.db - central((d) => apalu(x, a, b + d), h))).toBeLessThan(tol(g.db));
          const second = apaluSecondDerivative(x, a, b);
          expect(Math.abs(second - central((d) => apaluDerivative(x + d, a, b), h))).toBeLessThan(1e-5 * Math.max(1, Math.abs(second)));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('properties the paper states (and the two it overstates)', () => {
  const ab = fc.tuple(fc.double({ min: 0.01, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }));
  it('strictly increasing for a, b > 0 (∂f/∂x > 0; in floating point f never decreases)', () => {
    fc.assert(
      fc.property(ab, fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 1e-6, max: 5, noNaN: true }), ([a, b], x, step) => {
        expect(apaluDerivative(x, a, b)).toBeGreaterThan(0);
        expect(apalu(x + step, a, b)).toBeGreaterThanOrEqual(apalu(x, a, b));
        if (x > -10) expect(apalu(x + step, a, b)).toBeGreaterThan(apalu(x, a, b));
      }),
      { numRuns: 500 },
    );
  });
  it('continuous at 0', () => {
    fc.assert(
      fc.property(ab, ([a, b]) => {
        for (const e of [1e-6, 1e-9, 1e-12]) {
          expect(Math.abs(apalu(-e, a, b))).toBeLessThan(2 * b * e);
          expect(Math.abs(apalu(e, a, b))).toBeLessThan(2 * a * e);
        }
      }),
    );
  });
  it('∂f/∂x jumps from b (left) to 1.5·a (right); differentiable at 0 only when b = 1.5·a', () => {
    fc.assert(
      fc.property(ab, ([a, b]) => {
        expect(apaluDerivative(0, a, b)).toBeCloseTo(1.5 * a, 12);
        expect(apaluDerivative(-0, a, b)).toBeCloseTo(1.5 * a, 12);
        expect(apaluDerivative(-1e-12, a, b)).toBeCloseTo(b, 10);
        const jump = apaluDerivative(1e-12, a, b) - apaluDerivative(-1e-12, a, b);
        expect(jump).toBeCloseTo(1.5 * a - b, 9);
        expect(Math.abs(apaluDerivative(1e-12, a, 1.5 * a) - apaluDerivative(-1e-12, a, 1.5 * a))).toBeLessThan(1e-9 * a);
      }),
    );
  });
  it('∂f/∂x is not bounded away from 0 on the left: b·e^x → 0', () => {
    expect(apaluDerivative(-40, 1, 1)).toBeLessThan(1e-17);
    expect(apaluDerivative(-40, 1, 1)).toBeGreaterThan(0);
  });
});
