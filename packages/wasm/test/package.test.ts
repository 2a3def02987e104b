import { apalu } from '@apalu/core';
import { ulpDistance } from '@apalu/conformance';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuildSha256 } from '../src/generated/shared-digests.js';
import { kernelBytes } from '../src/index.js';
import { withSharedMemoryImport } from '../src/memory-import.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('one build per kind, the shared form patched at load', () => {
  it.each(['simd', 'scalar'] as const)('%s: the patched memory import gives the bytes asc compiles with --sharedMemory', (kind) => {
    const shared = kernelBytes(kind, { shared: true });
    expect(sha256(shared)).toBe(sharedBuildSha256[kind]);
    const plain = kernelBytes(kind);
    // Only the import section changed: 3 bytes longer (limits 0x00 0x00 → 0x03 0x00 0x80 0x80 0x04).
    expect(shared.length - plain.length).toBe(3);
    const module = new WebAssembly.Module(shared as BufferSource);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    // Instantiates over a shared memory (and the plain build over a plain one only).
    new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) } });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(plain as BufferSource), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true }) } })).toThrow();
  });

  it('refuses what it cannot patch instead of guessing', () => {
    const plain = kernelBytes('scalar');
    expect(() => withSharedMemoryImport(withSharedMemoryImport(plain))).toThrow(/not a plain memory/);
    expect(() => withSharedMemoryImport(plain.subarray(0, 8))).toThrow(/no import section/);
  });
});

// The built package as a bundler sees it: resolved through its package.json `exports` from a
// project that depends on it (a temporary folder with node_modules/@apalu/wasm linked here).
describe('the built package in bundlers (dist; run after tsup)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let project = '';

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'apalu-wasm-consumer-'));
    await mkdir(join(project, 'node_modules/@apalu'), { recursive: true });
    await symlink(root, join(project, 'node_modules/@apalu/wasm'), 'dir');
  });
  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  const bundle = (platform: 'browser' | 'node', contents: string) =>
    build({
      stdin: { contents, resolveDir: project, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform,
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: platform === 'node' ? ['@apalu/core'] : [],
    });

  it('a browser bundle takes index.browser.js, with no warning and no Node module anywhere in it', async () => {
    const result = await bundle('browser', "export { createBackend, kernelBytes } from '@apalu/wasm';\nexport { conformanceVariants } from '@apalu/wasm/conformance';");
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    // metafile paths are relative to the working directory (symlinks resolved).
    const inputs = Object.keys(result.metafile.inputs).map((i) => resolve(i));
    expect(inputs).toContain(join(root, 'dist/index.browser.js'));
    expect(inputs).not.toContain(join(root, 'dist/index.js'));
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/node:|worker_threads|["'](os|fs)["']|availableParallelism/);
    expect(text).toContain('new Worker(url)');
  });

  it('the browser entry and the chunks it loads name no Node module', async () => {
    const seen = new Set<string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(join(root, 'dist', file), 'utf8');
      expect(text, file).not.toMatch(/node:|worker_threads|["'](os|fs)["']/i);
      for (const [, next] of text.matchAll(/(?:from |require\()["']\.\/([^"']+)["']/g)) await visit(next as string);
    };
    await visit('index.browser.js');
    await visit('index.browser.cjs');
    expect([...seen].some((f) => f.startsWith('chunk-'))).toBe(true);
  });

  it('a Node bundle takes index.js (worker_threads)', async () => {
    const result = await bundle('node', "export { createBackend } from '@apalu/wasm';");
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.metafile.inputs).map((i) => resolve(i))).toContain(join(root, 'dist/index.js'));
    expect(result.outputFiles[0]?.text).toMatch(/worker_threads/);
  });

  it('Node: ESM import and CommonJS require of the package both run the kernels', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(join(project, 'index.js'));
    const cjs = require('@apalu/wasm') as typeof import('../src/index.js');
    const esm = (await import(join(root, 'dist/index.js'))) as typeof import('../src/index.js');
    for (const api of [cjs, esm]) {
      const backend = await api.createBackend({ threads: 2, parallelThreshold: 0 });
      try {
        expect(backend.threads).toBe(2);
        const x = Float32Array.of(-1, 0, 1, 2);
        const y = await backend.forward(x, Float32Array.of(0.7), Float32Array.of(1.3));
        x.forEach((xi, i) => expect(ulpDistance(y[i] as number, apalu(xi, Math.fround(0.7), Math.fround(1.3)))).toBeLessThanOrEqual(2));
      } finally {
        await backend.dispose();
      }
    }
    const variants = require('@apalu/wasm/conformance') as typeof import('../src/conformance.js');
    expect(variants.conformanceVariants.map((v) => v.name)).toContain('wasm-simd-threads');
  });

  it('the browser build where no Web Worker can start (here: Node, which has no global Worker) runs on one thread and says why', async () => {
    const browser = (await import(join(root, 'dist/index.browser.js'))) as typeof import('../src/index.js');
    const backend = await browser.createBackend({ threads: 2 });
    try {
      expect(backend.threads).toBe(1);
      expect(backend.threadsNote).toMatch(/Web Workers .* unavailable here.*running on one thread/);
      const y = await backend.forward(Float32Array.of(-1, 2), Float32Array.of(0.7), Float32Array.of(1.3));
      expect(ulpDistance(y[1] as number, apalu(2, Math.fround(0.7), Math.fround(1.3)))).toBeLessThanOrEqual(2);
    } finally {
      await backend.dispose();
    }
  });
});
