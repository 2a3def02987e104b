import { beforeAll, describe, expect, it } from 'vitest';
import { checkApalu } from '../src/check.js';
import { makeInput } from '../src/inputs.js';
import { type BenchResult, MODES, formatMarkdown, renderChart, runBench } from '../src/index.js';

// Smoke only: every entry must load, validate and yield numbers. Nothing here asserts speed.
describe('runBench smoke', () => {
  let result: BenchResult;
  const events: string[] = [];
  beforeAll(async () => {
    result = await runBench({ mode: 'smoke', onProgress: (e) => events.push(e.kind) });
  });

  it('validates every entry against the reference: nothing is rejected', () => {
    expect(result.rejected).toEqual([]);
  });

  it('measures every entry at every smoke size it supports, forward and backward', () => {
    const sizes = MODES.smoke.sizes;
    expect(result.sizes).toEqual(sizes);
    for (const entry of result.entries) {
      for (const n of sizes) {
        const forward = result.measurements.find((m) => m.entry === entry.id && m.direction === 'forward' && m.n === n);
        expect(forward, `${entry.id} forward n=${n}`).toBeDefined();
        expect(forward!.samples).toBeGreaterThan(0);
        expect(forward!.minMs).toBeLessThanOrEqual(forward!.medianMs);
        expect(forward!.medianMs).toBeLessThanOrEqual(forward!.maxMs);
        expect(forward!.throughput).toBeCloseTo(n / forward!.medianMs / 1000, 6);
      }
    }
    const backward = new Set(result.measurements.filter((m) => m.direction === 'backward').map((m) => m.entry));
    for (const id of ['core-reference', 'js-loop (Math.expm1)', 'Float32Array.set', 'wasm memory.copy']) expect(backward).toContain(id);
  });

  it('lists each backend package as measured or unavailable with a reason (in CI: all available)', () => {
    const measured = new Set(result.entries.map((e) => e.source));
    const missing = result.unavailable;
    for (const u of missing) expect(u.reason.length).toBeGreaterThan(0);
    for (const pkg of ['@apalu/core', '@apalu/wasm', '@apalu/webgpu', '@apalu/tfjs', '@apalu/onnx', '@apalu/brain']) {
      expect(measured.has(pkg) || missing.some((u) => u.source === pkg), pkg).toBe(true);
    }
    if (process.env.CI) expect(missing).toEqual([]);
    else for (const u of missing) console.warn(`[@apalu/bench] unavailable here: ${u.id}: ${u.reason}`);
  });

  it('records the machine and the versions', () => {
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.node).toBe(process.version);
    expect(result.versions['@apalu/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.versions.tinybench).toBe('6.2.5');
    expect(events[0]).toBe('note');
    expect(events).toContain('start');
  });

  it('renders the markdown table with ratios and a log–log SVG chart', async () => {
    const markdown = formatMarkdown(result);
    expect(markdown).toContain('| core-reference');
    expect(markdown).toMatch(/\| core-reference \| [\d.e+-]+ \([\d.e+-]+–[\d.e+-]+\)/);
    expect(markdown).toContain('÷ Float32Array.set');
    const svg = await renderChart(result);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('core-reference');
    expect(svg).toContain('M elements/s (median)');
  });
});

describe('validation before timing', () => {
  it('accepts core-reference output and rejects a result one part in 10^4 off', async () => {
    const { createBackend } = await import('@apalu/core');
    const backend = await createBackend();
    const input = makeInput(1024);
    const y = await backend.forward(input.x, input.a, input.b);
    expect(checkApalu(y, input, 'forward', 'strict')).toBeNull();
    const wrong = y.slice();
    wrong[100] = (wrong[100] as number) * (1 + 1e-4);
    expect(checkApalu(wrong, input, 'forward', 'strict')).toMatch(/^y\[100\] = .* but the reference is/);
    // the composed class allows 1e-5 relative: 1e-4 is still too far
    expect(checkApalu(wrong, input, 'forward', 'composed')).toMatch(/^y\[100\]/);
    const g = await backend.backward(input.x, input.dy, input.a, input.b);
    expect(checkApalu(g, input, 'backward', 'strict')).toBeNull();
    const da = g.da.slice();
    da[3] = (da[3] as number) + Math.abs(da[3] as number) * 1e-3;
    expect(checkApalu({ ...g, da }, input, 'backward', 'strict')).toMatch(/^da\[3\]/);
  });

  it('a filter keeps the matching rows, their peers and the copy limits', async () => {
    const r = await runBench({ mode: 'smoke', filter: 'core', sizes: [256], directions: ['forward'] });
    expect(r.entries.map((e) => e.id).sort()).toEqual(['Float32Array.set', 'core-reference', 'js-loop (Math.expm1)', 'wasm memory.copy']);
    expect(r.measurements.map((m) => m.entry).sort()).toEqual(['Float32Array.set', 'core-reference', 'js-loop (Math.expm1)', 'wasm memory.copy']);
  });

  it('refuses sizes that are not multiples of the channel count', async () => {
    await expect(runBench({ mode: 'smoke', sizes: [100] })).rejects.toThrow(/size 100: sizes must be positive multiples of 64/);
  });
});
