import { describe, expect, it } from 'vitest';
import { ApaluInputError, apalu, constant, erf, fitTo, uniform } from '../src/index.js';

describe('uniform', () => {
  it('is reproducible, seed-dependent and inside the open interval', () => {
    const init = uniform(0, 2, 42);
    const first = init(10000);
    expect(init(10000)).toEqual(first);
    expect(uniform(0, 2, 43)(10000)).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThan(0);
    expect(Math.max(...first)).toBeLessThan(2);
    expect(first).toBeInstanceOf(Float32Array);
    expect(init(3, 'float64')).toBeInstanceOf(Float64Array);
  });
  it('is uniform: mean 1 and variance 1/3 on (0, 2), flat histogram', () => {
    const v = uniform(0, 2, 7)(200000, 'float64');
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(mean).toBeCloseTo(1, 2);
    expect(variance).toBeCloseTo(1 / 3, 2);
    const bins = new Array(10).fill(0);
    for (const x of v) bins[Math.floor(x * 5)]++;
    for (const b of bins) expect(Math.abs(b - 20000)).toBeLessThan(600);
  });
  it('uses integer arithmetic only, so a seed means the same values everywhere (seed mod 2^32)', () => {
    expect(uniform(0, 1, 2 ** 32 + 5)(8)).toEqual(uniform(0, 1, 5)(8));
    expect(uniform(0, 1, 5).config).toEqual({ name: 'uniform', min: 0, max: 1, seed: 5 });
  });
  it('never returns an end point in float64 either: rounding onto min or max steps inside', () => {
    // Only 3 float64 lie strictly inside (1, 1 + 2^-50): min + (max − min)·u rounds onto an end point ≈ 1/4 of the time.
    const max = 1 + 2 ** -50;
    const v = uniform(1, max, 7)(2000, 'float64');
    expect(v.every((x) => x > 1 && x < max)).toBe(true);
    expect(new Set(v)).toEqual(new Set([1 + 2 ** -52, 1 + 2 ** -51, 1 + 3 * 2 ** -52]));
    const f = uniform(1, 1 + 2 ** -21, 7)(2000);
    expect(f.every((x) => x > 1 && x < 1 + 2 ** -21)).toBe(true);
    // From 0: the smallest subnormal of each type is inside, 0 never comes out.
    expect(uniform(0, 1e-317, 7)(2000, 'float64').every((x) => x > 0 && x < 1e-317)).toBe(true);
  });
  it('rejects an interval with no value of the requested type strictly inside', () => {
    expect(() => uniform(1, 1 + 2 ** -52)(1, 'float64')).toThrow(/no float64 lies strictly between min and max/);
    expect(() => uniform(1, 1 + 2 ** -30)(1)).toThrow(/no float32 lies strictly between min and max/);
    expect(uniform(1, 1 + 2 ** -30)(3, 'float64').every((x) => x > 1 && x < 1 + 2 ** -30)).toBe(true);
    expect(uniform(1, 1 + 2 ** -30)(0)).toHaveLength(0);
  });
  it('rejects ranges that could produce a ≤ 0', () => {
    expect(() => uniform(-1, 2)).toThrow(/uniform\(-1, 2\): need 0 ≤ min < max/);
    expect(() => uniform(2, 1)).toThrow(ApaluInputError);
    expect(() => uniform(0, 2, 1.5)).toThrow(/seed = 1.5/);
    expect(() => uniform(0, 2)(-1)).toThrow(/count = -1/);
  });
});

describe('constant', () => {
  it('fills and validates', () => {
    expect([...constant(1.5)(3)]).toEqual([1.5, 1.5, 1.5]);
    expect(() => constant(0)).toThrow(/constant\(0\)/);
    expect(() => constant(Number.NaN)).toThrow(ApaluInputError);
  });
});

describe('erf (used for GELU)', () => {
  it('matches tabulated values (Abramowitz & Stegun, table 7.1)', () => {
    const table: Array<[number, number]> = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
    ];
    for (const [x, want] of table) {
      expect(erf(x)).toBeCloseTo(want, 14);
      expect(erf(-x)).toBeCloseTo(-want, 14);
    }
  });
});

describe('fitTo', () => {
  // An independent check: brute-force search of the mean squared error on a plain grid.
  function bruteForce(target: (x: number) => number, lo: number, hi: number): { a: number; b: number } {
    const xs = Array.from({ length: 2001 }, (_, i) => lo + ((hi - lo) * i) / 2000);
    const loss = (a: number, b: number) => xs.reduce((s, x) => s + (apalu(x, a, b) - target(x)) ** 2, 0);
    let best = { a: 1, b: 1 };
    let step = 0.5;
    while (step > 1e-5) {
      let improved = true;
      while (improved) {
        improved = false;
        for (const [da, db] of [[step, 0], [-step, 0], [0, step], [0, -step]] as const) {
          const cand = { a: best.a + da, b: best.b + db };
          if (cand.a > 0 && cand.b > 0 && loss(cand.a, cand.b) < loss(best.a, best.b)) {
            best = cand;
            improved = true;
          }
        }
      }
      step /= 2;
    }
    return best;
  }
  const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
  const silu = (x: number) => x / (1 + Math.exp(-x));

  it('elu: b = α exactly (the negative branches coincide)', () => {
    expect(fitTo('elu').b).toBeCloseTo(1, 10);
    expect(fitTo('elu', [-3, 3], { alpha: 0.5 }).b).toBeCloseTo(0.5, 10);
  });
  it('gelu and silu agree with a brute-force least-squares search', () => {
    for (const [name, f] of [['gelu', gelu], ['silu', silu]] as const) {
      const fit = fitTo(name, [-4, 4]);
      const brute = bruteForce(f, -4, 4);
      expect(fit.a).toBeCloseTo(brute.a, 3);
      expect(fit.b).toBeCloseTo(brute.b, 3);
      expect(fit.rmse).toBeLessThan(0.1);
    }
  });
  it('relu: b sits on the positivity floor (the unconstrained optimum is 0)', () => {
    const fit = fitTo('relu');
    expect(fit.b).toBe(1e-3);
    expect(fitTo('relu', [-4, 4], { minParam: 1e-5 }).b).toBe(1e-5);
    expect(fit.a).toBeCloseTo(bruteForce((x) => Math.max(0, x), 0.0001, 4).a, 3);
  });
  it('leakyRelu agrees with the brute-force search', () => {
    const fit = fitTo('leakyRelu', [-4, 4], { alpha: 0.1 });
    const brute = bruteForce((x) => (x >= 0 ? x : 0.1 * x), -4, 4);
    expect(fit.b).toBeCloseTo(brute.b, 3);
    expect(fit.a).toBeCloseTo(brute.a, 3);
  });
  it('rejects unknown names and ranges without both signs', () => {
    expect(() => fitTo('tanh' as 'relu')).toThrow(/unknown activation; use one of relu, leakyRelu, elu, gelu, silu/);
    // Names inherited from Object.prototype are not activations either.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => fitTo(name as 'relu', [-4, 4], { alpha: 1 })).toThrow(ApaluInputError);
      expect(() => fitTo(name as 'relu', [-4, 4], { alpha: 1 })).toThrow(expect.objectContaining({ code: 'E_ACTIVATION' }));
    }
    expect(() => fitTo('gelu', [0, 4])).toThrow(/need finite lo < 0 < hi/);
  });
});
