// The NaN rule for da, db: a channel's NaN must show in da or db, and the other sum is compared
// with the NaN-free reference (it holds only its own branch's terms).
import { type ApaluBackend, apaluGrad, backward } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { sums } from '../src/checks.js';
import { computeReference, runConformance } from '../src/index.js';

const limits = { sumRelative: 1e-6, termSlack: 2 ** -149, partialOverflow: false };

/** da, db of one channel checked against the reference of x (dy = 1, a = b = 1). */
function check(x: number[], da: number, db: number) {
  const input = { x: Float32Array.from(x), dy: new Float32Array(x.length).fill(1), a: Float32Array.of(1), b: Float32Array.of(1), inner: 1 };
  const got = { dx: new Float32Array(x.length), da: Float32Array.of(da), db: Float32Array.of(db) };
  const [rda, rdb] = sums({ name: 'nan' }, '', input, got, computeReference(input).general, limits, undefined);
  return { da: rda!.pass, db: rdb!.pass };
}

/**
 * core's backward, except that a channel holding a NaN x gets NaN in `nanIn` only, and its other
 * sum from its NaN-free elements — or, with `resetOther`, 0: a kernel that clears both
 * accumulators when it meets a NaN and then writes NaN to one of them.
 */
function nanInOneSum(nanIn: 'da' | 'db', resetOther: boolean): ApaluBackend {
  return {
    name: `nan-in-${nanIn}${resetOther ? '-other-reset' : ''}`,
    accuracy: 'strict',
    forward: async (x, a, b, layout) => (await import('@apalu/core')).forward(x, a, b, layout),
    async backward(x, dy, a, b, layout) {
      const inner = layout?.inner ?? 1;
      const channels = a.length;
      const nanChannel = new Uint8Array(channels);
      // NaN elements become x = 0 with dy = 0: a zero term in da, none in db.
      const cleanX = x.map((v, i) => {
        if (!Number.isNaN(v)) return v;
        nanChannel[Math.floor(i / inner) % channels] = 1;
        return 0;
      });
      const cleanDy = dy.map((g, i) => (Number.isNaN(x[i]) ? 0 : g));
      const g = backward(cleanX, cleanDy, a, b, layout);
      const full = backward(x, dy, a, b, layout);
      const other = nanIn === 'da' ? 'db' : 'da';
      for (let c = 0; c < channels; c++) {
        if (nanChannel[c] !== 1) continue;
        g[nanIn][c] = Number.NaN;
        if (resetOther) g[other][c] = 0;
      }
      return { dx: full.dx, da: g.da, db: g.db };
    },
  };
}

describe('a channel holding a NaN input', () => {
  const gradPositive = apaluGrad(1, 1, 1).da + apaluGrad(2, 1, 1).da;
  const gradNegative = apaluGrad(-1, 1, 1).db;

  it('passes with NaN in da or db and the other sum equal to its NaN-free reference', () => {
    expect(check([1, Number.NaN, 2, -1], Number.NaN, Number.NaN)).toEqual({ da: true, db: true }); // the SPEC's NaN in both
    expect(check([1, Number.NaN, 2, -1], Math.fround(gradPositive), Number.NaN)).toEqual({ da: true, db: true });
    expect(check([1, Number.NaN, 2, -1], Number.NaN, Math.fround(gradNegative))).toEqual({ da: true, db: true });
  });

  it('fails when the NaN vanished from both sums', () => {
    expect(check([1, Number.NaN, 2, -1], Math.fround(gradPositive), Math.fround(gradNegative))).toEqual({ da: false, db: false });
  });

  it('fails when the sum without the NaN is wrong (it used to be skipped)', () => {
    expect(check([1, Number.NaN, 2, -1], 0, Number.NaN)).toEqual({ da: false, db: true });
    expect(check([1, Number.NaN, 2, -1], Number.NaN, 0)).toEqual({ da: true, db: false });
    expect(check([1, Number.NaN, 2, -1], Math.fround(gradPositive) * (1 + 1e-5), Number.NaN)).toEqual({ da: false, db: true });
  });

  it('the kit accepts NaN in one sum with the other right, in either sum', async () => {
    for (const nanIn of ['da', 'db'] as const) {
      const report = await runConformance(nanInOneSum(nanIn, false), { only: ['special-values', 'random-bits', 'length-1023'] });
      expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    }
  });

  it('the kit catches a backend that resets the other sum of a NaN channel', async () => {
    for (const nanIn of ['da', 'db'] as const) {
      const report = await runConformance(nanInOneSum(nanIn, true), { only: ['special-values', 'random-bits'] });
      const bad = report.checks.filter((c) => !c.pass);
      const other = nanIn === 'da' ? 'db' : 'da';
      expect(bad.length).toBeGreaterThan(0);
      expect(bad.every((c) => c.metric.startsWith(other))).toBe(true);
      expect(bad.map((c) => c.case)).toContain('special-values');
    }
  });
});
