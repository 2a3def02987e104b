import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison } from '../src/output/compare.js';
import type { BenchResult } from '../src/types.js';
import { fakeResult } from './fixture.js';

/** `base` with every measurement of `entry` taking `factor` times as long (throughput / factor). */
function slowed(base: BenchResult, factors: Record<string, number>): BenchResult {
  return {
    ...base,
    date: '2026-12-07T12:00:00.000Z',
    measurements: base.measurements.map((m) => {
      const f = factors[m.entry] ?? 1;
      return { ...m, medianMs: m.medianMs * f, throughput: m.throughput / f };
    }),
  };
}

describe('--compare: two saved runs side by side', () => {
  const before = fakeResult({ sizes: [1024, 65536, 1048576] });

  it('gives after/before throughput per size and the row median; peers and limits give the noise', () => {
    // The copy limit 5 % slower, the JS loop (a peer) 10 % faster, the @apalu row 25 % slower.
    const after = slowed(before, { 'Float32Array.set': 1.05, 'js-loop (Math.expm1)': 1 / 1.1, 'wasm-fast': 1.25 });
    const c = compareRuns(before, after);
    expect(c.sizes).toEqual([1024, 65536, 1048576]);
    const row = (id: string) => c.rows.find((r) => r.entry === id)!;
    for (const r of row('wasm-fast').ratios) expect(r).toBeCloseTo(0.8, 12);
    expect(row('wasm-fast').median).toBeCloseTo(0.8, 12);
    expect(row('js-loop (Math.expm1)').median).toBeCloseTo(1.1, 12);
    expect(c.noise!.cells[0]).toBeCloseTo(1 / 1.05, 12);
    expect(c.noise!.cells[1]).toBeCloseTo(1.1, 12);
    expect(c.slower.map((r) => r.entry)).toEqual(['wasm-fast']);
    const text = formatComparison(before, after, c);
    expect(text).toMatch(/\| wasm-fast \| forward \| apalu \| 0\.80 \| 0\.80 \| 0\.80 \| 0\.80 \|/);
    expect(text).toMatch(/cells 0\.95–1\.10, row medians 0\.95–1\.10/);
    expect(text).toMatch(/median below the lowest of those: wasm-fast forward \(0\.80\)/);
  });

  it('an @apalu row within the noise is not listed; sizes and rows only one run has are named, not compared', () => {
    const after = slowed(fakeResult({ sizes: [65536, 1048576, 4194304] }), { 'Float32Array.set': 1.1, 'wasm-fast': 1.05 });
    after.entries = [...after.entries, { id: 'wasm-new', role: 'apalu', source: '@apalu/wasm', group: 'wasm' }];
    after.measurements = [...after.measurements, { ...after.measurements[0]!, entry: 'wasm-new' }];
    const c = compareRuns(before, after);
    expect(c.sizes).toEqual([65536, 1048576]);
    expect(c.slower).toEqual([]);
    expect(c.added).toEqual(['wasm-new (forward)']);
    expect(formatComparison(before, after, c)).toMatch(/none\./);
  });
});
