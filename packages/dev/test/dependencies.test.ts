import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBrowserEntries, checkDependencies, checkPackageDependencies, importsOf, packageOf } from '../src/dependencies.js';
import { workspacePackages } from '../src/workspace.js';
import { fixtureRepo, json } from './fixture-repo.js';

describe('dependency check: every published package of this repository', () => {
  const reports = checkDependencies();

  it('covers every published package', () => {
    const names = workspacePackages()
      .filter((p) => p.published)
      .map((p) => p.name);
    expect(reports.map((r) => r.package).sort()).toEqual(names.sort());
    expect(names).toContain('@apalu/core');
    expect(names).not.toContain('@apalu/dev');
  });

  for (const report of reports) {
    it(`${report.package}: imports match dependencies and peerDependencies, no @apalu/conformance, dependencies point one way`, () => {
      if (report.distMissing) {
        // dist/ is what users install: in CI an unbuilt package is a failure, locally the src/ half still runs.
        if (process.env.CI) throw new Error(report.distMissing);
        console.warn(`[@apalu/dev] ${report.distMissing}; checked src/ only`);
      }
      expect(report.problems).toEqual([]);
    });
  }
});

describe('browser entries: conditional exports keep Node-only code out of browser builds', () => {
  const packages = workspacePackages().filter((p) => p.published);

  it('@apalu/webgpu has a "node" condition (its Node build loads Dawn)', () => {
    expect(checkBrowserEntries(packages.find((p) => p.name === '@apalu/webgpu')!)).toBeDefined();
  });

  for (const pkg of packages) {
    const report = checkBrowserEntries(pkg);
    if (!report) continue;
    it(`${pkg.name}: ${report.files.join(', ')} import no Node built-in and not the webgpu package`, () => {
      expect(report.files.length).toBeGreaterThan(0);
      expect(report.problems).toEqual([]);
    });
  }

  it('finds a Node import in a browser file and in a chunk it imports', () => {
    const root = fixtureRepo({
      'packages/x/package.json': json({
        name: '@apalu/x',
        exports: { '.': { node: { import: './dist/index.js' }, default: { import: { types: './dist/index.d.ts', default: './dist/index.browser.js' } } } },
      }),
      'packages/x/dist/index.js': `import os from "node:os";\nconst dawn = () => import("webgpu");\n`,
      'packages/x/dist/index.browser.js': `import { a } from "./chunk-1.js";\nimport "@apalu/core";\n`,
      'packages/x/dist/chunk-1.js': `export const a = () => import("webgpu");\nimport { cpus } from "os";\n`,
    });
    try {
      const report = checkBrowserEntries(workspacePackages(root)[0]!)!;
      expect(report.files).toEqual(['dist/index.browser.js', 'dist/chunk-1.js']);
      expect(report.problems).toEqual([
        expect.stringMatching(/dist\/chunk-1\.js imports 'webgpu'/),
        expect.stringMatching(/dist\/chunk-1\.js imports 'os'/),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('dependency check: finds what it should', () => {
  it('reads imports the way a bundler does, ignoring comments', () => {
    const text = `/// <reference types="@webgpu/types" />
// import 'not-this';
import a from '@scope/pkg/sub';
export * from './local.js';
const m = await import('dyn');
const r = require('node:fs');
import type { T } from 'types-only';`;
    expect(importsOf(text).map(packageOf)).toEqual(['@scope/pkg', undefined, 'dyn', undefined, 'types-only', '@webgpu/types']);
    expect(packageOf('os')).toBeUndefined();
    expect(packageOf('worker_threads')).toBeUndefined();
  });

  it('reports undeclared imports, unused dependencies, @apalu/conformance and a backend importing another', () => {
    const root = fixtureRepo({
      'packages/onnx/package.json': json({
        name: '@apalu/onnx',
        dependencies: { '@apalu/core': 'workspace:^', '@apalu/conformance': 'workspace:^', 'left-pad': '1.3.0' },
        peerDependencies: { 'onnxruntime-web': '>=1.17.0 <2', '@tensorflow/tfjs-backend-wasm': '>=4.10.0 <5' },
      }),
      'packages/onnx/src/index.ts': `import { apalu } from '@apalu/core';
import { runConformance } from '@apalu/conformance';
import { createBackend } from '@apalu/wasm';
import * as ort from 'onnxruntime-web';
import { isBuiltin } from 'node:module';
const optional = ['@tensorflow/tfjs-backend-wasm'];
export { apalu, runConformance, createBackend, ort, isBuiltin, optional };`,
      'packages/onnx/dist/index.js': `import { apalu } from "@apalu/core";\nimport lodash from "lodash";\n`,
    });
    try {
      const [pkg] = workspacePackages(root);
      const { problems } = checkPackageDependencies(pkg!);
      expect(problems).toEqual([
        expect.stringMatching(/src\/index\.ts imports @apalu\/conformance; dependencies point one way/),
        expect.stringMatching(/src\/index\.ts imports '@apalu\/wasm', but @apalu\/wasm is not in dependencies or peerDependencies/),
        expect.stringMatching(/src\/index\.ts imports @apalu\/wasm; dependencies point one way/),
        expect.stringMatching(/dist\/index\.js imports 'lodash', but lodash is not in dependencies/),
        expect.stringMatching(/@apalu\/conformance is in dependencies; no published package may need the conformance kit at run time/),
        expect.stringMatching(/left-pad is in dependencies but nothing in src\/ or dist\/ imports it/),
      ]);
      // The optional peer named as a string (loaded by a computed import) counts as used.
      expect(problems.join('\n')).not.toContain('tfjs-backend-wasm');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('counts /// <reference types="x" /> in the built .d.ts as a use of x or @types/x', () => {
    const root = fixtureRepo({
      'packages/onnx/package.json': json({ name: '@apalu/onnx', dependencies: { '@types/long': '4.0.2', '@webgpu/types': '0.1.72' } }),
      'packages/onnx/src/index.ts': 'export const x = 1;\n',
      'packages/onnx/dist/index.d.ts': '/// <reference types="long" />\n/// <reference types="@webgpu/types" />\n/// <reference types="node" />\nexport declare const x = 1;\n',
    });
    try {
      expect(checkPackageDependencies(workspacePackages(root)[0]!).problems).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lets @apalu/tfjs use @apalu/wasm and @apalu/webgpu, and nothing else use another backend', () => {
    const root = fixtureRepo({
      'packages/tfjs/package.json': json({ name: '@apalu/tfjs', dependencies: { '@apalu/core': 'workspace:^', '@apalu/wasm': 'workspace:^', '@apalu/webgpu': 'workspace:^', '@apalu/onnx': 'workspace:^' } }),
      'packages/tfjs/src/index.ts': `export * from '@apalu/core';\nexport * from '@apalu/wasm';\nexport * from '@apalu/webgpu';\nexport * from '@apalu/onnx';\n`,
      'packages/tfjs/dist/index.js': `export * from "@apalu/core";\n`,
    });
    try {
      const [pkg] = workspacePackages(root);
      const { problems } = checkPackageDependencies(pkg!);
      expect(problems).toEqual([
        expect.stringMatching(/imports @apalu\/onnx; dependencies point one way/),
        expect.stringMatching(/@apalu\/onnx is in dependencies, against the dependency direction/),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
