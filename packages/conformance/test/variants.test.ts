import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVariants } from '../src/variants.js';

/**
 * Backend packages of every shape loadVariants meets, installed into a temporary project's
 * node_modules: variants in a ./conformance subpath (what every @apalu backend does), in the
 * main module only (third parties), in a package without `exports`, and nowhere.
 */
const createBackend = (name: string) => `export async function createBackend(options) { return { name: ${JSON.stringify(name)}, accuracy: 'strict', options }; }\n`;
const variants = (names: string[]) => `export const conformanceVariants = ${JSON.stringify(names.map((name, i) => ({ name, options: { i } })))};\n`;

const packages: Record<string, Record<string, string>> = {
  'with-subpath': {
    'package.json': JSON.stringify({ name: 'with-subpath', type: 'module', exports: { '.': './index.js', './conformance': './conformance.js' } }),
    // The main module's own list must lose to the subpath's.
    'index.js': createBackend('with-subpath') + variants(['stale-main-variant']),
    'conformance.js': variants(['sub-a', 'sub-b']),
  },
  'main-only': {
    'package.json': JSON.stringify({ name: 'main-only', type: 'module', exports: { '.': './index.js' } }),
    'index.js': createBackend('main-only') + variants(['main-a', 'main-b']),
  },
  'no-exports': {
    'package.json': JSON.stringify({ name: 'no-exports', type: 'module', main: 'index.js' }),
    'index.js': createBackend('no-exports') + variants(['legacy-a']),
  },
  plain: {
    'package.json': JSON.stringify({ name: 'plain', type: 'module', exports: { '.': './index.js' } }),
    'index.js': createBackend('plain'),
  },
  'subpath-not-built': {
    'package.json': JSON.stringify({ name: 'subpath-not-built', type: 'module', exports: { '.': './index.js', './conformance': './dist/conformance.js' } }),
    'index.js': createBackend('subpath-not-built') + variants(['main-a']),
  },
  'subpath-without-variants': {
    'package.json': JSON.stringify({ name: 'subpath-without-variants', type: 'module', exports: { '.': './index.js', './conformance': './conformance.js' } }),
    'index.js': createBackend('subpath-without-variants'),
    'conformance.js': 'export const somethingElse = 1;\n',
  },
};

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'apalu-variants-'));
  for (const [name, files] of Object.entries(packages)) {
    const dir = join(project, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  }
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

const names = async (entry: string) => (await loadVariants(entry, project)).map((v) => v.name);

describe('loadVariants', () => {
  it('takes conformanceVariants from the ./conformance subpath when the package exports one', async () => {
    expect(await names('with-subpath')).toEqual(['sub-a', 'sub-b']);
    const [, second] = await loadVariants('with-subpath', project);
    // create() still builds the backend from the main module, with the variant's options.
    expect(await second!.create()).toEqual({ name: 'with-subpath', accuracy: 'strict', options: { i: 1 } });
    expect(second!.moduleUrl).toMatch(/node_modules\/with-subpath\/index\.js$/);
  });

  it('picks one variant of the subpath by #name', async () => {
    expect(await names('with-subpath#sub-b')).toEqual(['sub-b']);
    await expect(loadVariants('with-subpath#stale-main-variant', project)).rejects.toThrow(/has no variant "stale-main-variant"; it has: sub-a, sub-b/);
    await expect(loadVariants('with-subpath#stale-main-variant', project)).rejects.toMatchObject({ code: 'E_OPTION', kind: 'input' });
  });

  it('falls back to the main module’s conformanceVariants without a ./conformance subpath', async () => {
    expect(await names('main-only')).toEqual(['main-a', 'main-b']);
    expect(await names('no-exports')).toEqual(['legacy-a']);
  });

  it('falls back to one default variant when neither has conformanceVariants', async () => {
    const [only, ...rest] = await loadVariants('plain', project);
    expect(rest).toEqual([]);
    expect(only!.name).toBe('plain');
    expect(await only!.create()).toEqual({ name: 'plain', accuracy: 'strict', options: undefined });
  });

  it('a path or URL has no subpath: its own module’s variants are used', async () => {
    const file = join(project, 'node_modules', 'main-only', 'index.js');
    expect((await loadVariants(file)).map((v) => v.name)).toEqual(['main-a', 'main-b']);
  });

  it('refuses a ./conformance subpath that is declared but missing, or exports no variants', async () => {
    await expect(loadVariants('subpath-not-built', project)).rejects.toThrow(/subpath-not-built\/conformance resolves to .*dist\/conformance\.js, which does not exist: build subpath-not-built first/);
    await expect(loadVariants('subpath-without-variants', project)).rejects.toThrow(/subpath-without-variants\/conformance does not export conformanceVariants/);
  });
});
