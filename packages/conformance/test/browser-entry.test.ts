import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runExhaustive } from '../src/exhaustive.browser.js';
import { moduleFileExists, resolveModule } from '../src/resolve.browser.js';

describe('browser build (export conditions other than "node")', () => {
  it('resolves only URLs, and says what to do instead', async () => {
    expect(await resolveModule('https://example.test/backend.js')).toBe('https://example.test/backend.js');
    await expect(resolveModule('@apalu/wasm')).rejects.toThrow(/Cannot resolve '@apalu\/wasm' in a browser.*create the backend yourself and pass it to runConformance\(backend\)/);
    expect(await moduleFileExists('https://example.test/backend.js')).toBe(true);
  });

  it('has no exhaustive checker (worker threads)', async () => {
    await expect(runExhaustive({ module: '@apalu/core' })).rejects.toThrow(/runExhaustive needs Node/);
    await expect(runExhaustive({ module: '@apalu/core' })).rejects.toMatchObject({ code: 'E_BACKEND', kind: 'environment' });
  });

  it('dist/index.browser.* import nothing but @apalu/core and fast-check (no Node modules, no import-meta-resolve)', () => {
    for (const file of ['index.browser.js', 'index.browser.cjs']) {
      const text = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
      const specifiers = [...text.matchAll(/(?:from |require\(|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
      expect(specifiers.filter((s) => s !== '@apalu/core' && s !== 'fast-check')).toEqual([]);
      expect(text).not.toMatch(/import-meta-resolve|node:|worker_threads/);
    }
  });
});
