import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../scripts/chromium.js';

// The package's browser entry (src/index.browser.ts) in a real browser: Debian's Chromium (scripts/setup-chromium.sh), a page served
// cross-origin isolated (COOP/COEP) so shared memory and Web Worker threads are available.
function chromiumOrSkip(): string | undefined {
  const { path, reason } = findChromium();
  if (path !== undefined) return path;
  if (process.env.CI) throw new Error(`no Chromium: ${reason}`);
  console.warn(`skipping the browser test locally: no Chromium: ${reason}`);
  return undefined;
}

const executablePath = chromiumOrSkip();

describe.skipIf(executablePath === undefined)('in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      // The browser entry has no Node module to leave out: nothing is external.
      logLevel: 'silent',
    });
    expect(bundle.warnings).toEqual([]);
    const script = bundle.outputFiles[0]?.text ?? '';
    server = createServer((request, response) => {
      // "/plain/…" is served without cross-origin isolation: no SharedArrayBuffer there.
      const isolation = request.url?.startsWith('/plain/')
        ? {}
        : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (request.url?.endsWith('/page.js')) {
        response.writeHead(200, { 'Content-Type': 'text/javascript', ...isolation });
        response.end(script);
      } else {
        response.writeHead(200, { 'Content-Type': 'text/html', ...isolation });
        response.end('<!doctype html><title>@apalu/wasm</title><script type="module" src="page.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--no-first-run', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  });

  it('loads the embedded modules, picks SIMD, runs Web Worker threads, matches core', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { __apaluResult?: unknown }).__apaluResult !== undefined, null, { timeout: 90_000 });
    const result = (await page.evaluate(() => (globalThis as { __apaluResult?: unknown }).__apaluResult)) as {
      error?: string;
      crossOriginIsolated: boolean;
      simd: boolean;
      shared: boolean;
      variants: Array<{
        name: string;
        kind: string;
        threads: number;
        parallelCalls: number;
        forwardUlp: number;
        dxUlp: number;
        forwardComposed: number;
        dxComposed: number;
        sumRel: number;
        outSame: boolean;
      }>;
    };
    expect(result.error).toBeUndefined();
    expect([result.crossOriginIsolated, result.simd, result.shared]).toEqual([true, true, true]);
    expect(result.variants.map((v) => [v.name, v.kind, v.threads])).toEqual([
      ['wasm-simd', 'simd', 1],
      ['wasm-scalar', 'scalar', 1],
      ['wasm-simd-threads', 'simd', 2],
      ['wasm-simd-threads-fast', 'simd', 2],
    ]);
    expect(result.variants[2]?.parallelCalls).toBe(4);
    // out (in place): written where asked, the same bits as new arrays, on every build and on threads (whole-array route).
    expect(result.variants.map((v) => v.outSame)).toEqual([true, true, true, true]);
    const [fast, ...strict] = [result.variants[3], ...result.variants.slice(0, 3)];
    for (const v of strict) {
      expect(v.forwardUlp).toBeLessThanOrEqual(2);
      expect(v.dxUlp).toBeLessThanOrEqual(3);
      expect(v.sumRel).toBeLessThan(1e-5);
    }
    // precision 'fast' in the browser's V8 too: the composed class, and not the strict code.
    expect(fast?.parallelCalls).toBe(4);
    expect(fast?.forwardComposed).toBeLessThanOrEqual(1);
    expect(fast?.dxComposed).toBeLessThanOrEqual(1);
    expect(fast?.forwardUlp).toBeGreaterThan(2);
    expect(fast?.sumRel).toBeLessThan(1e-4);
    await page.close();
  });

  it('without cross-origin isolation, threads fall back to one thread and say why', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}plain/`);
    await page.waitForFunction(() => (globalThis as { __apaluResult?: unknown }).__apaluResult !== undefined, null, { timeout: 90_000 });
    const result = (await page.evaluate(() => (globalThis as { __apaluResult?: unknown }).__apaluResult)) as {
      error?: string;
      shared: boolean;
      variants: Array<{ name: string; threads: number; forwardUlp: number; note?: string }>;
    };
    expect(result.error).toBeUndefined();
    expect(result.shared).toBe(false);
    expect(result.variants[2]).toMatchObject({ name: 'wasm-simd', threads: 1 });
    expect(result.variants[2]?.note).toMatch(/cross-origin isolation/);
    expect(result.variants[2]?.forwardUlp).toBeLessThanOrEqual(2);
    await page.close();
  });
});
