import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const src = fileURLToPath(new URL('./src/', import.meta.url));

/**
 * Two builds of the main entry. Node (export condition "node") gets module resolution and the
 * exhaustive checker's worker threads; every other condition (browsers, bundlers) gets
 * src/resolve.browser.ts and src/exhaustive.browser.ts in their place, so the browser build
 * imports no Node module and not import-meta-resolve (no "externalized for browser
 * compatibility" warnings).
 */
const browserOnly: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'apalu-conformance-browser',
  setup(build) {
    build.onResolve({ filter: /^\.\/(resolve|exhaustive)\.js$/ }, (args) => ({ path: join(src, args.path.replace(/\.js$/, '.browser.ts')) }));
  },
};

const common: Options = {
  format: ['esm', 'cjs'],
  sourcemap: true,
  target: 'es2022',
  external: ['vitest'],
};

export default defineConfig([
  {
    ...common,
    entry: ['src/index.ts', 'src/vitest.ts', 'src/cli.ts', 'src/exhaustive-worker.ts'],
    platform: 'node',
    dts: { entry: ['src/index.ts', 'src/vitest.ts', 'src/cli.ts', 'src/exhaustive-worker.ts'] },
    shims: true,
  },
  {
    ...common,
    entry: { 'index.browser': 'src/index.ts' },
    platform: 'browser',
    esbuildPlugins: [browserOnly],
  },
]);
