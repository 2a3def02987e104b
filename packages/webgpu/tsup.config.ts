import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Two builds of the same source. The Node build (export condition "node") may load Dawn through
 * the `webgpu` package; the browser build (every other condition) gets src/dawn.browser.ts in
 * place of src/dawn.ts, so it holds no import of `webgpu` at all — not even a computed one,
 * which Vite's dependency pre-bundler would turn back into a literal import.
 */
const browserDawn: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'apalu-browser-dawn',
  setup(build) {
    build.onResolve({ filter: /^\.\/dawn\.js$/ }, () => ({ path: join(here, 'src', 'dawn.browser.ts') }));
  },
};

const common: Options = {
  format: ['esm', 'cjs'],
  sourcemap: true,
  target: 'es2022',
};

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', conformance: 'src/conformance.ts' },
    platform: 'node',
    dts: { banner: '/// <reference types="@webgpu/types" />' },
  },
  {
    ...common,
    entry: { 'index.browser': 'src/index.ts' },
    platform: 'browser',
    esbuildPlugins: [browserDawn],
  },
]);
