import { MODES } from '../src/modes.js';
import type { BenchResult, Measurement } from '../src/types.js';

/**
 * A small saved run without measuring anything: the copy limit, the JS loop and one @apalu/wasm
 * row at every full-run size, forward only. At 1M the row takes 0.029× the JS loop's time.
 */
export function fakeResult(overrides: Partial<BenchResult> = {}): BenchResult {
  const sizes = overrides.sizes ?? MODES.full.sizes;
  const ms: Record<string, number> = { 'Float32Array.set': 0.1, 'js-loop (Math.expm1)': 10, 'wasm-fast': 0.29 };
  const measurements: Measurement[] = sizes.flatMap((n) =>
    Object.entries(ms).map(([entry, perM]) => {
      const medianMs = (perM * n) / (1 << 20);
      return { entry, direction: 'forward' as const, n, medianMs, minMs: medianMs, maxMs: medianMs, samples: 3, rounds: 3, throughput: n / medianMs / 1000 };
    }),
  );
  return {
    mode: 'full',
    date: '2026-11-29T13:44:51.008Z',
    durationS: 1,
    interrupted: false,
    machine: { cpu: 'test cpu', cores: 2, memoryGiB: 4, node: 'v20', v8: '11', platform: 'linux/x64' },
    versions: {},
    sizes,
    channels: 64,
    entries: [
      { id: 'Float32Array.set', role: 'limit', source: 'JavaScript', group: 'limits' },
      { id: 'js-loop (Math.expm1)', role: 'peer', source: 'JavaScript', group: 'js' },
      { id: 'wasm-fast', role: 'apalu', source: '@apalu/wasm', group: 'wasm', accuracy: 'strict', peers: ['js-loop (Math.expm1)'] },
    ],
    measurements,
    rejected: [],
    unavailable: [],
    ...overrides,
  };
}
