import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apalu, apaluDerivative, fitTo } from '@apalu/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Browser, openBrowser } from './browser.js';
import type { MatrixRow } from '../src/matrix.js';
import type { BenchRow } from '../src/bench.js';
import type { GpuAdapterSummary } from '../src/environment.js';
import type { FitRun } from '../src/webgl-fit.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(root, 'test-results');
const baseUrl = inject('baseUrl');
const skipReason = inject('skipReason');
if (skipReason) console.warn(`[playground] skipped: ${skipReason}`);

/** f and ∂f/∂x as plotted: uPlot's data rows 1 and 2 over row 0 (x). */
type Plotted = { x: number[]; f: number[]; d: number[]; a: number; b: number };

describe.skipIf(skipReason !== '')('playground in Debian chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await openBrowser();
    await browser.page.goto(baseUrl);
    await browser.page.waitForFunction(() => 'apaluPlayground' in globalThis && document.querySelector('#plot canvas') !== null);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const plotted = () =>
    browser.page.evaluate((): Plotted => {
      const p = (globalThis as unknown as { apaluPlayground: { curve: { plot: { data: number[][] } } } }).apaluPlayground;
      const [x, f, d] = p.curve.plot.data as [number[], number[], number[]];
      const { a, b } = (globalThis as unknown as { apaluPlayground: { params: { a: number; b: number } } }).apaluPlayground.params;
      return { x: [...x], f: [...f], d: [...d], a, b };
    });

  const expectCurveOf = (p: Plotted, a: number, b: number) => {
    expect(p.a).toBe(a);
    expect(p.b).toBe(b);
    // The page computes with @apalu/core in the browser's V8, this test in Node's: Math.exp and
    // Math.expm1 are not correctly rounded and differ by an ULP between V8 versions (Chromium 156
    // against Node 20 at x = 0.02: …214716 vs …21472), so equal to within 2 float64 ULPs.
    const close = (got: number | undefined, want: number) => expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(want));
    p.x.forEach((x, i) => {
      close(p.f[i], apalu(x, a, b));
      close(p.d[i], apaluDerivative(x, a, b));
    });
  };

  it('loads without console errors and is cross-origin isolated in a secure context', async () => {
    const { page, errors } = browser;
    const flags = await page.evaluate(() => ({ isSecureContext, crossOriginIsolated, gpu: 'gpu' in navigator }));
    expect(flags).toEqual({ isSecureContext: true, crossOriginIsolated: true, gpu: true });
    expect(await page.locator('#plot canvas').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('has a WebGL2 context on SwiftShader for the tfjs-webgl rows (in CI a missing one is a failure)', async () => {
    const gl = await browser.page.evaluate(() => {
      const context = document.createElement('canvas').getContext('webgl2');
      if (context === null) return null;
      const info = context.getExtension('WEBGL_debug_renderer_info');
      const highp = context.getShaderPrecisionFormat(context.FRAGMENT_SHADER, context.HIGH_FLOAT);
      return {
        renderer: String(info ? context.getParameter(info.UNMASKED_RENDERER_WEBGL) : context.getParameter(context.RENDERER)),
        highp: highp ? { precision: highp.precision, rangeMin: highp.rangeMin, rangeMax: highp.rangeMax } : null,
      };
    });
    if (gl === null && !process.env.CI) {
      console.warn('[playground] no WebGL2 context in this chromium: the tfjs-webgl rows are unavailable (a failure in CI)');
      return;
    }
    console.log(`[playground] WebGL2: ${JSON.stringify(gl)}`);
    expect(gl).not.toBeNull();
    // IEEE float32 highp: 23 fraction bits, exponents to ±127.
    expect(gl?.highp).toEqual({ precision: 23, rangeMin: 127, rangeMax: 127 });
  });

  it('model.fit with Apalu layers (dense; conv with sharedAxes) on webgl gives the cpu weights within the composed class, and leaks no tensor', { timeout: 180_000 }, async () => {
    const hasGl = await browser.page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
    if (!hasGl && !process.env.CI) {
      console.warn('[playground] no WebGL2 context: model.fit on webgl not checked (a failure in CI)');
      return;
    }
    const runs = await browser.page.evaluate(() => (globalThis as unknown as { apaluPlayground: { webglFit(steps?: number): Promise<Record<'dense' | 'conv', { cpu: FitRun; webgl: FitRun }>> } }).apaluPlayground.webglFit(4));
    for (const [kind, { cpu, webgl }] of Object.entries(runs)) {
      // The fused kernels ran on webgl (the cpu kernels on cpu), forward and backward.
      expect(webgl.kernels, kind).toEqual(['Apalu', 'ApaluGrad']);
      expect(cpu.kernels, kind).toEqual(['Apalu', 'ApaluGrad']);
      expect(webgl.leakedTensors, kind).toBe(0);
      expect(cpu.leakedTensors, kind).toBe(0);
      expect(webgl.weights.map((w) => w.name)).toEqual(cpu.weights.map((w) => w.name));
      let worst = 0;
      cpu.weights.forEach((w, i) => {
        const g = webgl.weights[i]?.values ?? [];
        w.values.forEach((v, j) => {
          // The composed class's tolerance, max(5e-6, 1e-5·|w|), for the weights after 4 SGD
          // steps (matmul and conv sum in another order on the GPU; the kernels agree to 2 ULP).
          const err = Math.abs((g[j] as number) - v) / Math.max(5e-6, 1e-5 * Math.abs(v));
          worst = Math.max(worst, err);
        });
      });
      console.log(`[playground] model.fit ${kind}: webgl vs cpu, worst weight error ${worst.toFixed(3)} of the composed tolerance; loss ${webgl.finalLoss} vs ${cpu.finalLoss}`);
      expect(worst, kind).toBeLessThanOrEqual(1);
    }
  });

  it('the webgl kernels give the same bits with packed textures (WEBGL_PACK) and without', async () => {
    const hasGl = await browser.page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
    if (!hasGl && !process.env.CI) {
      console.warn('[playground] no WebGL2 context: packed/unpacked webgl kernels not checked (a failure in CI)');
      return;
    }
    const r = await browser.page.evaluate(() =>
      (globalThis as unknown as { apaluPlayground: { webglPackCompare(): Promise<{ packed: number[][]; unpacked: number[][]; packedInput: boolean }> } }).apaluPlayground.webglPackCompare(),
    );
    expect(r.packedInput).toBe(true);
    expect(r.packed.map((v) => v.length)).toEqual([1200, 1200, 3, 3]);
    expect(r.unpacked).toEqual(r.packed);
  });

  it('moving a slider redraws f and ∂f/∂x for the new parameters', async () => {
    const { page } = browser;
    const before = await plotted();
    expectCurveOf(before, 1, 1);
    const canvas = () => page.evaluate(() => (document.querySelector('#plot canvas') as HTMLCanvasElement).toDataURL());
    const pixelsBefore = await canvas();

    await page.locator('#slider-a').fill('2.2');
    await page.locator('#slider-b').fill('0.4');
    const after = await plotted();
    expectCurveOf(after, 2.2, 0.4);
    // At x = 2, f(2) = a·2·(1 + σ(3.404)) moves with a: 2·2·(1.9678…) ≈ 7.87 instead of 3.94.
    const i2 = after.x.indexOf(2);
    expect(after.f[i2]).toBeCloseTo(2.2 * 2 * (1 + 1 / (1 + Math.exp(-1.702 * 2))), 12);
    expect(after.f[i2]).not.toBe(before.f[i2]);
    // uPlot redraws on its own schedule: wait for the pixels to change.
    await page.waitForFunction((before) => (document.querySelector('#plot canvas') as HTMLCanvasElement).toDataURL() !== before, pixelsBefore, {
      timeout: 5000,
    });
    expect(await canvas()).not.toBe(pixelsBefore);
    expect(await page.locator('#value-a').textContent()).toBe('2.200');
    expect(await page.locator('#kink').textContent()).toContain('jumps at 0 from b = 0.400 (left) to 1.5·a = 3.300');
  });

  it('each fitTo button sets the sliders to the fitted (a, b) and the curve follows', async () => {
    const { page } = browser;
    for (const name of ['relu', 'elu', 'gelu'] as const) {
      const fit = fitTo(name);
      await page.locator(`button[data-fit="${name}"]`).click();
      const p = await plotted();
      expectCurveOf(p, fit.a, fit.b);
      // The sliders step by 0.01 from 0.01: they show the nearest position.
      const slider = (id: string) => page.locator(id).inputValue().then(Number);
      expect(await slider('#slider-a')).toBeCloseTo(Math.max(0.01, fit.a), 1);
      expect(await slider('#slider-b')).toBeCloseTo(Math.max(0.01, fit.b), 1);
      expect(await page.locator(`button[data-fit="${name}"]`).textContent()).toContain(`a = ${fit.a.toFixed(3)}, b = ${fit.b.toFixed(3)}`);
    }
  });

  it('every backend in the in-page conformance matrix passes its accuracy class', { timeout: 1_800_000 }, async () => {
    const { page, errors } = browser;
    await page.locator('#run-matrix').click();
    await page.waitForFunction(() => (globalThis as unknown as { apaluPlayground: { matrix: { state: string } } }).apaluPlayground.matrix.state === 'done', null, {
      timeout: 1_780_000,
      polling: 1000,
    });
    const rows = await page.evaluate(() => (globalThis as unknown as { apaluPlayground: { matrix: { rows: MatrixRow[] } } }).apaluPlayground.matrix.rows);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'playground.png'), fullPage: true });
    // The README's picture: the curve and the matrix summary (docs/screenshot.png is a copy).
    const bottom = await page.evaluate(() => {
      const table = document.querySelector('#matrix table') as HTMLElement;
      return Math.ceil(table.getBoundingClientRect().bottom + window.scrollY);
    });
    await page.screenshot({ path: join(artifacts, 'playground-readme.png'), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: bottom + 16 } });
    const summary = rows.map((r) => `${r.name}: ${r.status}${r.accuracy ? ` (${r.accuracy})` : ''}${r.durationMs === undefined ? '' : `, ${(r.durationMs / 1000).toFixed(1)} s`}${r.detail ? ` — ${r.detail}` : ''}`).join('\n');
    console.log(`[playground] in-page matrix:\n${summary}`);
    const unavailable = rows.filter((r) => r.status === 'unavailable');
    if (unavailable.length > 0 && !process.env.CI) {
      console.warn(`[playground] not run in this browser (a failure in CI):\n${unavailable.map((r) => `${r.name}: ${r.detail}`).join('\n')}`);
    }
    const required = process.env.CI ? rows : rows.filter((r) => r.status !== 'unavailable');
    expect(required.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.status} — ${r.detail ?? ''}`)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    // GPU-ops rows leave out the inputs their device cannot compute; whole cases only where the
    // backend has no dispose() or its variant names an open finding of the property case.
    for (const r of rows) {
      for (const e of r.excluded ?? []) {
        expect(e, r.name).toMatch(/^((negative-subnormal|positive-subnormal|nan|subnormal-dy|subnormal-param|infinite-dy-underflow|expm1-cancels|subnormal-product) \(\d+ elements\)|case (dispose-mid-flight|property)): /);
      }
    }
    // tfjs on WebGL2 (SwiftShader here): the fused kernels (strict and 'fast') and the composed path
    // hold their class; the kernel's probe finds IEEE float32 highp, so it is strict with no input left out.
    const webgl = rows.filter((r) => r.name.startsWith('tfjs-webgl-'));
    expect(webgl.map((r) => r.name)).toEqual(['tfjs-webgl-kernel', 'tfjs-webgl-kernel-fast', 'tfjs-webgl-composed']);
    for (const r of webgl.filter((r) => r.status !== 'unavailable' || process.env.CI)) expect(`${r.name}: ${r.status}`).toBe(`${r.name}: pass`);
    const kernel = webgl.find((r) => r.name === 'tfjs-webgl-kernel');
    if (kernel?.status === 'pass') {
      expect(kernel.accuracy).toBe('strict');
      expect((kernel.excluded ?? []).filter((e) => !e.startsWith('case dispose-mid-flight'))).toEqual([]);
    }
    // The composed row runs a smaller property slice (its programs compile per shape), and says so.
    const composed = webgl.find((r) => r.name === 'tfjs-webgl-composed');
    if (composed?.status === 'pass') expect(composed.excluded).toContainEqual(expect.stringMatching(/^case property: 50 runs instead of 200: /));
    expect(await page.locator('#matrix table').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('the quick benchmark times every backend and shows the WebGPU adapter', { timeout: 300_000 }, async () => {
    const { page } = browser;
    await page.locator('#run-bench').click();
    await page.waitForFunction(() => (globalThis as unknown as { apaluPlayground: { bench: { state: string } } }).apaluPlayground.bench.state === 'done', null, {
      timeout: 290_000,
      polling: 500,
    });
    const { rows, adapter } = await page.evaluate(() => {
      const p = (globalThis as unknown as { apaluPlayground: { bench: { rows: BenchRow[] }; adapter: GpuAdapterSummary } }).apaluPlayground;
      return { rows: p.bench.rows, adapter: p.adapter };
    });
    console.log(`[playground] adapter: ${JSON.stringify(adapter)}`);
    console.log(`[playground] bench (forward, 1M elements; a shared 2-core machine):\n${rows.map((r) => `${r.name}: ${r.meanMs?.toFixed(2) ?? r.status} ms${r.melemPerS ? `, ${r.melemPerS.toFixed(0)} M/s` : ''}${r.runsOn ? ` (${r.runsOn})` : ''}${r.detail ? ` — ${r.detail}` : ''}`).join('\n')}`);
    expect(adapter.available).toBe(true);
    // The webgpu backend's own device sits on the adapter the page reports.
    expect(rows.find((r) => r.name === 'webgpu')?.runsOn).toContain(`GPUDevice on ${[adapter.vendor, adapter.architecture].filter(Boolean).join(' ')}`);
    expect(rows.find((r) => r.name === 'wasm-simd-threads')?.runsOn).toMatch(/^simd build, [2-9]\d* threads$/);
    expect(await page.locator('#adapter').textContent()).toMatch(/^WebGPU adapter: /);
    const ran = rows.filter((r) => r.status !== 'unavailable' || process.env.CI);
    for (const r of ran) {
      expect(r.status, `${r.name}: ${r.detail ?? ''}`).toBe('done');
      expect(r.meanMs).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(artifacts, 'playground-bench.png'), fullPage: true });
  });
  it('?backends= runs the named backends only (names trimmed) and says which names it does not know', { timeout: 120_000 }, async () => {
    const { page, errors } = browser;
    const state = () => page.evaluate(() => (globalThis as unknown as { apaluPlayground: { matrix: { state: string; rows: MatrixRow[] } } }).apaluPlayground.matrix);
    const run = async (query: string) => {
      await page.goto(`${baseUrl}?backends=${encodeURIComponent(query)}`);
      await page.waitForFunction(() => 'apaluPlayground' in globalThis);
      await page.locator('#run-matrix').click();
      await page.waitForFunction(() => (globalThis as unknown as { apaluPlayground: { matrix: { state: string } } }).apaluPlayground.matrix.state === 'done', null, { timeout: 110_000, polling: 200 });
      return { matrix: await state(), progress: await page.locator('#matrix-progress').textContent() };
    };
    const typo = await run('wsam-simd');
    expect(typo.matrix.rows).toEqual([]);
    expect(typo.progress).toMatch(/unknown backends: wsam-simd; known: .*wasm-simd/);
    const one = await run(' wasm-simd ');
    expect(one.matrix.rows.map((r) => `${r.name}: ${r.status}`)).toEqual(['wasm-simd: pass']);
    expect(errors).toEqual([]);
  });
});
