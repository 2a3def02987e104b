// The package's two entries: "node" (src/node.ts) and the browser/default one (src/index.ts).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApaluEnvironmentError } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/index.js';
import * as node from '../src/node.js';
import { tf } from './tf.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  sideEffects: string[];
  exports: Record<string, { node?: unknown; default?: { import: { default: string }; require: { default: string } } }>;
};

describe('browser entry', () => {
  it('exports what the Node entry exports', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it('never imports a tfjs backend package itself: it names the import to add', async () => {
    expect(tf.findBackendFactory('webgpu')).toBeFalsy();
    const call = browser.createBackend({ tfBackend: 'webgpu' });
    await expect(call).rejects.toThrow(ApaluEnvironmentError);
    await expect(browser.createBackend({ tfBackend: 'webgpu' })).rejects.toThrow(
      /tfBackend 'webgpu' is not registered with tfjs: add `import '@tensorflow\/tfjs-backend-webgpu';` to your code before createBackend, after `npm i @tensorflow\/tfjs-backend-webgpu@4\.22\.0`/,
    );
    expect(tf.findBackendFactory('webgpu')).toBeFalsy();
  });

  it('computes on a backend the page registered', async () => {
    const cpu = await browser.createBackend({ tfBackend: 'cpu' });
    const y = await cpu.forward(Float32Array.of(-1, 2), Float32Array.of(1), Float32Array.of(1));
    expect(y[0]).toBeCloseTo(Math.expm1(-1), 6);
  });

  it('ensureNavigatorGpu only reports: no navigator.gpu in Node, and nothing installed', async () => {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    expect(g.navigator?.gpu).toBeUndefined();
    expect(await browser.ensureNavigatorGpu()).toBe(false);
    expect(g.navigator?.gpu).toBeUndefined();
  });

  it('a bare import registers the layer class and ApaluInitializer with tfjs', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map['Apalu']?.[0]).toBe(browser.Apalu);
    expect(map['ApaluInitializer']?.[0]).toBe(browser.ApaluInitializer);
    expect(tf.getKernel('Apalu', 'wasm')).toBeDefined();
  });
});

// The built files (the test task runs after the build; locally a missing dist is a skip).
const built = existsSync(`${root}dist/index.js`);
if (!built && process.env.CI) throw new Error('dist/ is missing: run `pnpm --filter @apalu/tfjs build` before the tests.');
if (!built) console.warn('[@apalu/tfjs] skipping the dist checks: dist/ is missing (run the build first).');

describe.skipIf(!built)('built entries', () => {
  // A module reference to the `webgpu` package or a Node built-in, any node:* string, a dynamic
  // import (a computed one is what Vite's pre-bundler turns back into a literal), a computed require.
  const nodeOnly = /(?:\bfrom|\bimport|\brequire\()\s*["'](?:webgpu|fs|os|worker_threads|module|path|url)(?:\/[\w/]*)?["']|["']node:|\bimport\(|\brequire\(\s*[^"'\s]/;

  it('the browser files contain no Node-only code: no `webgpu` package, node:*, fs, os, worker_threads, nor a computed import', () => {
    const { import: esm, require: cjs } = pkg.exports['.']!.default!;
    for (const file of [esm.default, cjs.default]) {
      const text = readFileSync(`${root}${file}`, 'utf8');
      expect(text.match(nodeOnly)?.[0] ?? null, file).toBeNull();
    }
    // The Node file is the one with them.
    expect(readFileSync(`${root}dist/node.js`, 'utf8')).toMatch(nodeOnly);
  });

  it('sideEffects lists every entry file (each is self-contained: no shared chunk to list)', () => {
    for (const file of pkg.sideEffects) expect(existsSync(`${root}${file}`), file).toBe(true);
    const chunks = readFileSync(`${root}dist/index.js`, 'utf8').match(/from ["']\.\/[^"']+["']/g);
    expect(chunks).toBeNull();
    expect(readFileSync(`${root}dist/index.js`, 'utf8')).toMatch(/\nregisterApalu\(\);/);
  });
});
