// Unit tests of the harness's parsers (the suite itself is `test:consumer`, run by test:all).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { badBuildLines, nodeOnlyRefs, viteDepsProblems } from '../src/lib/browser.mjs';
import { duplicates, peerLines } from '../src/lib/npm.mjs';
import { closure, referencedFiles } from '../src/lib/pack.mjs';
import { firstError, parseResult } from '../src/lib/util.mjs';

test('peerLines: an ERESOLVE error is condensed to its peer lines', () => {
  const out = `npm error code ERESOLVE
npm error ERESOLVE could not resolve
npm error
npm error While resolving: consumer@0.0.0
npm error Found: @tensorflow/tfjs-core@4.22.0
npm error node_modules/@tensorflow/tfjs-core
npm error   peer @tensorflow/tfjs-core@"4.22.0" from @tensorflow/tfjs-layers@4.22.0
npm error Could not resolve dependency:
npm error peer @tensorflow/tfjs-core@">=4.10.0 <5" from @apalu/tfjs@0.0.0
npm error A complete log of this run can be found in: /root/.npm/_logs/x.log`;
  const lines = peerLines(out);
  assert.ok(lines.includes('Found: @tensorflow/tfjs-core@4.22.0'));
  assert.ok(lines.includes('peer @tensorflow/tfjs-core@">=4.10.0 <5" from @apalu/tfjs@0.0.0'));
  assert.ok(!lines.some((l) => l.includes('complete log')));
});

test('peerLines: an overriding-peer warning counts, a deprecation does not', () => {
  assert.deepEqual(peerLines('npm warn deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported\nadded 3 packages'), []);
  const w = peerLines('npm warn ERESOLVE overriding peer dependency\nnpm warn While resolving: a@1.0.0\nnpm warn Found: b@2.0.0');
  assert.deepEqual(w, ['ERESOLVE overriding peer dependency', 'While resolving: a@1.0.0', 'Found: b@2.0.0']);
});

test('duplicates: two tfjs-core entries in package-lock.json are named with their paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-test-'));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ packages: {
    '': {},
    'node_modules/@tensorflow/tfjs-core': { version: '4.10.0' },
    'node_modules/@apalu/tfjs/node_modules/@tensorflow/tfjs-core': { version: '4.22.0' },
    'node_modules/semver': { version: '7.0.0' },
    'node_modules/a/node_modules/semver': { version: '6.0.0' },
  } }));
  assert.deepEqual(duplicates(dir), ['2 copies of @tensorflow/tfjs-core: 4.10.0 at node_modules/@tensorflow/tfjs-core, 4.22.0 at node_modules/@apalu/tfjs/node_modules/@tensorflow/tfjs-core']);
});

test('nodeOnlyRefs: imports of Node-only modules, not comments or look-alikes', () => {
  const code = [
    'const os = require("os");',
    'const w = await import("webgpu");',
    'import { readFile } from "node:fs/promises";',
    ' * import * as fs from \'fs\'',
    '// require("worker_threads")',
    'const x = require("osx"); const y = "os";',
  ].join('\n');
  assert.deepEqual(nodeOnlyRefs(code).sort(), ['node:fs/promises', 'os', 'webgpu']);
});

test('badBuildLines: the refused bundler warnings', () => {
  const vite = '[plugin rolldown:vite-resolve] Module "node:worker_threads" has been externalized for browser compatibility, imported by "x.js".\n✓ built';
  assert.equal(badBuildLines(vite).length, 1);
  const webpack = "ERROR in ./node_modules/@apalu/wasm/dist/index.js 3:0-20\nModule not found: Error: Can't resolve 'os' in '/p'\n";
  assert.equal(badBuildLines(webpack).length, 1);
  assert.match(badBuildLines(webpack)[0], /Can't resolve 'os'/);
  assert.deepEqual(badBuildLines('(!) Some chunks are larger than 500 kB after minification.'), []);
  const esbuild = '▲ [WARNING] Ignoring this import because "node_modules/@apalu/tfjs/dist/index.js" was marked as having no side effects [ignored-bare-import]\n';
  assert.equal(badBuildLines(esbuild).length, 1);
});

test('parseResult: the RESULT line, else the first error of the output', () => {
  assert.deepEqual(parseResult({ stdout: 'noise\nRESULT {"ok":true,"detail":"d"}\n', all: '', code: 0 }), { ok: true, detail: 'd' });
  const r = parseResult({ stdout: '', all: "node:internal/modules/esm/resolve:1\nError [ERR_MODULE_NOT_FOUND]: Cannot find package 'x'\n    at resolve (node:internal)\n", code: 1 });
  assert.equal(r.ok, false);
  assert.match(r.error, /ERR_MODULE_NOT_FOUND|node:internal/);
  assert.match(firstError('SyntaxError: Unexpected token\n    at f (a.js:1:1)'), /^SyntaxError: Unexpected token \(at f/);
});

test('referencedFiles and closure', () => {
  const pkg = { main: './dist/index.cjs', exports: { '.': { node: { import: { types: './dist/node.d.ts', default: './dist/node.js' } }, default: './dist/index.js' }, './package.json': './package.json' }, bin: { x: './dist/cli.js' } };
  assert.deepEqual(referencedFiles(pkg).sort(), ['dist/cli.js', 'dist/index.cjs', 'dist/index.js', 'dist/node.d.ts', 'dist/node.js']);
  const packs = new Map([
    ['@apalu/tfjs', { manifest: { dependencies: { '@apalu/core': '^0.0.0', '@apalu/wasm': '^0.0.0' } } }],
    ['@apalu/wasm', { manifest: { dependencies: { '@apalu/core': '^0.0.0' } } }],
    ['@apalu/core', { manifest: {} }],
  ]);
  assert.deepEqual(closure(['@apalu/tfjs'], packs).sort(), ['@apalu/core', '@apalu/tfjs', '@apalu/wasm']);
});

test('viteDepsProblems: Vite\'s stand-in for a Node-only optional peer, and Node-only imports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-test-'));
  const deps = join(dir, 'node_modules', '.vite', 'deps');
  mkdirSync(deps, { recursive: true });
  writeFileSync(join(deps, 'tfjs-D7JJ0AZ7.js'), '// optional-peer-dep:__vite-optional-peer-dep:webgpu:@apalu/tfjs\nvar require_tfjs = 1;\n');
  writeFileSync(join(deps, 'ok.js'), 'export const a = "os";\n');
  writeFileSync(join(deps, 'bad.js'), 'import { Worker } from "node:worker_threads";\n');
  assert.deepEqual(viteDepsProblems(dir).sort(), [
    'vite pre-bundle bad.js imports Node-only "node:worker_threads"',
    'vite pre-bundle tfjs-D7JJ0AZ7.js: @apalu/tfjs imports the Node-only package "webgpu" (stubbed by Vite as a missing optional peer)',
  ]);
});
