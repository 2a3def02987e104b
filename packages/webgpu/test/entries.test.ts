import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import * as main from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, Record<string, unknown>> };
const dist = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');

describe('entries', () => {
  it('conformanceVariants live in the ./conformance subpath, not in the main entry', () => {
    expect(conformanceVariants).toEqual([{ name: 'webgpu', options: {} }]);
    expect('conformanceVariants' in main).toBe(false);
    expect(Object.keys(pkg.exports)).toEqual(['.', './conformance', './package.json']);
  });

  it('"." has a Node build (may load the webgpu package) and a browser build that never names it', () => {
    expect(Object.keys(pkg.exports['.']!)).toEqual(['node', 'default']);
    for (const file of ['index.js', 'index.cjs']) expect(dist(file)).toMatch(/import\("webgpu"\)/);
    for (const file of ['index.browser.js', 'index.browser.cjs']) {
      const text = dist(file);
      expect(text).not.toMatch(/import\(|require\("(?!@apalu\/core")|from "(?!@apalu\/core")/);
      expect(text).not.toMatch(/["']webgpu["']\s*\)|node:|["'](os|fs|worker_threads)["']/);
    }
  });
});
