import { describe, expect, it } from 'vitest';
import { mean, paired, std, welch } from '../src/stats.js';

// Student's sleep data (R's `sleep`): extra hours of sleep under two drugs, same 10 patients.
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('significance tests', () => {
  it("Welch's test matches R: t.test(extra ~ group, data = sleep)", () => {
    const r = welch(drug1, drug2);
    expect(r.t).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.p).toBeCloseTo(0.07939, 5);
    expect(r.difference).toBeCloseTo(-1.58, 12);
  });

  it('the paired test matches R: t.test(drug1, drug2, paired = TRUE)', () => {
    const r = paired(drug1, drug2);
    expect(r.t).toBeCloseTo(-4.0621, 4);
    expect(r.df).toBe(9);
    expect(r.p).toBeCloseTo(0.002833, 6);
  });

  it('mean and sample standard deviation', () => {
    expect(mean(drug1)).toBeCloseTo(0.75, 12);
    expect(std(drug1)).toBeCloseTo(1.789010, 6);
    expect(std([4])).toBe(0);
  });

  it('gives NaN p instead of a number when there is nothing to test', () => {
    expect(welch([1], [2]).p).toBeNaN();
    expect(paired([1, 2, 3], [0, 1, 2]).p).toBeNaN();
    expect(() => paired([1, 2], [1])).toThrow(/2 and 1 values/);
  });
});
