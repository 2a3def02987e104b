import { describe, expect, it, vi } from 'vitest';
import type { BenchEntry, Family, ProgressEvent } from '../src/types.js';

// Fake backends instead of the real families: one steady row, one whose call fails once it is
// timed (a lost device, a disposed session), a copy limit and an unavailable package.
vi.mock('../src/entries/index.js', () => {
  const entry = (id: string, role: BenchEntry['role'], source: string, run: (n: number) => () => Float32Array): BenchEntry => ({
    id,
    role,
    source,
    group: 'test',
    directions: ['forward', 'backward'],
    check: () => null,
    prepare: async (input) => ({ run: run(input.n) }),
  });
  const steady = (n: number) => () => new Float32Array(n);
  const family: Family = {
    entries: [
      entry('Float32Array.set', 'limit', 'JavaScript', steady),
      entry('steady', 'apalu', '@apalu/steady', steady),
      entry('flaky', 'apalu', '@apalu/flaky', (n) => {
        let calls = 0;
        return () => {
          // the first call is the validating one; the first timed call fails
          if (++calls > 1) throw new Error('device lost');
          return new Float32Array(n);
        };
      }),
    ],
    unavailable: [{ id: 'webgpu', source: '@apalu/webgpu', reason: 'no WebGPU adapter' }],
  };
  return { loadFamilies: async () => ({ ...family, close: async () => {} }) };
});

const { runBench } = await import('../src/run.js');
const { UsageError } = await import('../src/errors.js');

describe('runBench: a call that fails while timed', () => {
  it('drops that row at that size, lists it under rejected, and keeps the rest of the run', async () => {
    const events: ProgressEvent[] = [];
    const result = await runBench({ mode: 'quick', sizes: [64, 128], directions: ['forward'], onProgress: (e) => events.push(e) });
    expect(result.interrupted).toBe(false);
    expect(result.measurements.map((m) => `${m.entry} ${m.n}`).sort()).toEqual(['Float32Array.set 128', 'Float32Array.set 64', 'steady 128', 'steady 64']);
    expect(result.rejected).toEqual([
      { entry: 'flaky', direction: 'forward', n: 64, reason: 'failed while timed (round 1 of 2): device lost; dropped from the later rounds' },
      { entry: 'flaky', direction: 'forward', n: 128, reason: 'failed while timed (round 1 of 2): device lost; dropped from the later rounds' },
    ]);
    // the progress still reaches its total
    const start = events.find((e) => e.kind === 'start');
    const last = events.filter((e) => e.kind === 'step').at(-1);
    expect(start && last && start.kind === 'start' && last.kind === 'step' && last.done === start.total).toBe(true);
    expect(result.directions).toEqual(['forward']);
  });
});

describe('runBench: a filter that matches no APALU row', () => {
  it('throws a UsageError naming the filter and the rows there are', async () => {
    const error = await runBench({ mode: 'smoke', filter: 'nosuch' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^filter "nosuch" matches no APALU row\.\nRows: steady, flaky\.\nPackages: @apalu\/steady, @apalu\/flaky, @apalu\/webgpu\.$/);
  });

  it('says when the rows it names are unavailable here, and why', async () => {
    await expect(runBench({ mode: 'smoke', filter: 'webgpu' })).rejects.toThrow(/filter "webgpu" matches no APALU row that can run here \(unavailable: webgpu: no WebGPU adapter\)/);
  });

  it('a filter that matches only a copy limit is an error too; a matching one is recorded in the result', async () => {
    await expect(runBench({ mode: 'smoke', filter: 'Float32Array' })).rejects.toThrow(UsageError);
    const result = await runBench({ mode: 'smoke', filter: 'Steady', sizes: [64], directions: ['forward'] });
    expect(result.filter).toEqual(['steady']);
    expect(result.entries.map((e) => e.id)).toEqual(['Float32Array.set', 'steady']);
  });
});
