import { readFile, readdir, writeFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

/**
 * Two builds of one code path: src/index.ts for Node (export condition "node": worker_threads)
 * and src/index.browser.ts for everything else (Web Workers; no Node module), plus the
 * `./conformance` subpath. Splitting puts the shared code, the embedded kernels included, in one
 * chunk per format, so the package carries each kernel build once per format.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.browser': 'src/index.browser.ts',
    conformance: 'src/conformance.ts',
  },
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // The source maps keep every source's text except the generated base64 kernels (the same
  // bytes as the chunk's string, a third of the package again): that entry is null.
  async onSuccess() {
    for (const file of await readdir('dist')) {
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(await readFile(`dist/${file}`, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      if (map.sourcesContent === undefined) continue;
      map.sourcesContent = map.sourcesContent.map((text, i) => (/generated\/kernels\.ts$/.test(map.sources[i] ?? '') ? null : text));
      await writeFile(`dist/${file}`, JSON.stringify(map));
    }
  },
});
