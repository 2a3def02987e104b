import { describe, expect, it } from 'vitest';
import { bostonSplit, loadBoston } from '../src/data/boston.js';
import { irisSplit } from '../src/data/iris.js';
import { loadMnist, mnistSplit } from '../src/data/mnist.js';
import { curve, noisyCurve, spirals } from '../src/data/synthetic.js';
import { mean } from '../src/stats.js';

const counts = (y: Float32Array, classes: number) => Array.from({ length: classes }, (_, c) => y.filter((v) => v === c).length);

describe('data sets', () => {
  it('MNIST: the package\'s 10,000 digits, split 6,000 / 2,000 / 2,000, stratified, disjoint and stable', () => {
    const all = loadMnist();
    expect(all.rows).toBe(10_000);
    expect(counts(all.y, 10)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const s = mnistSplit();
    expect([s.train.rows, s.validation.rows, s.test.rows]).toEqual([6000, 2000, 2000]);
    // Stratified: every digit is 20 % ± one row of the test part.
    counts(s.test.y, 10).forEach((n, d) => expect(Math.abs(n - counts(all.y, 10)[d]! * 0.2)).toBeLessThanOrEqual(1));
    // Disjoint: no image occurs in two parts (checked on a pixel hash).
    const key = (x: Float32Array, r: number) => x.subarray(r * 784, (r + 1) * 784).join(',');
    const trainKeys = new Set(Array.from({ length: s.train.rows }, (_, r) => key(s.train.x, r)));
    const overlap = Array.from({ length: 200 }, (_, r) => key(s.test.x, r)).filter((k) => trainKeys.has(k)).length;
    expect(overlap).toBeLessThanOrEqual(1); // MNIST has a handful of exact duplicates
    // Stable: the same rows every time.
    expect(Array.from(mnistSplit().test.y.subarray(0, 20))).toEqual(Array.from(s.test.y.subarray(0, 20)));
  });

  it('Boston: 506 rows, 13 features, 354 / 76 / 76, standardised on the training part', () => {
    expect(loadBoston().rows).toBe(506);
    const s = bostonSplit();
    expect([s.train.rows, s.validation.rows, s.test.rows]).toEqual([354, 76, 76]);
    const col = (f: number) => Array.from({ length: s.train.rows }, (_, r) => s.train.x[r * 13 + f]!);
    expect(Math.abs(mean(col(5)))).toBeLessThan(1e-5);
    expect(mean(col(5).map((v) => v * v))).toBeCloseTo(1, 4);
  });

  it('Iris: 150 rows, 90 / 30 / 30 with 30 / 10 / 10 of each class', () => {
    const s = irisSplit();
    expect(counts(s.train.y, 3)).toEqual([30, 30, 30]);
    expect(counts(s.test.y, 3)).toEqual([10, 10, 10]);
  });

  it('synthetic tasks are seeded: two spirals and the noisy curve', () => {
    const a = spirals();
    expect(a.train.rows + a.validation.rows + a.test.rows).toBe(600);
    expect(Array.from(spirals().train.x.subarray(0, 6))).toEqual(Array.from(a.train.x.subarray(0, 6)));
    const c = noisyCurve(500, 0.1);
    const residual = Array.from(c.train.y, (y, i) => (y - curve(c.train.x[i]!)) ** 2);
    expect(mean(residual)).toBeGreaterThan(0.007);
    expect(mean(residual)).toBeLessThan(0.013); // σ² = 0.01
  });
});
