import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMarkdown, formatPackageRows, formatRatio } from '../src/output/markdown.js';
import { writePackageReadmes } from '../src/output/readmes.js';
import { writeResults } from '../src/output/write.js';
import { isCompleteFullRun, resultBaseName } from '../src/run-kind.js';
import { fakeResult } from './fixture.js';

describe('time ratios', () => {
  it('print two significant digits below 1×, never 0.0×', () => {
    expect(formatRatio(0.029)).toBe('0.029×');
    expect(formatRatio(0.0314)).toBe('0.031×');
    expect(formatRatio(0.6)).toBe('0.60×');
    expect(formatRatio(0.96)).toBe('0.96×');
    expect(formatRatio(0.998)).toBe('1.0×');
    expect(formatRatio(1.84)).toBe('1.8×');
    expect(formatRatio(9.96)).toBe('10×');
    expect(formatRatio(9.94)).toBe('9.9×');
    expect(formatRatio(245.4)).toBe('245×');
  });

  it('in the package rows and the ratio tables', () => {
    const result = fakeResult();
    expect(formatPackageRows(result, '@apalu/wasm')).toMatch(/\| wasm-fast \| forward \| .* \| 2\.9× \| js-loop \(Math\.expm1\) 0\.029× \|/);
    expect(formatMarkdown(result)).toMatch(/\| wasm-fast \| 0\.290 \(0\.290–0\.290\) \| 2\.9× \| – \| 0\.029× \| – \|/);
  });
});

describe('which runs count as the full run', () => {
  const complete = fakeResult();
  const cases = {
    interrupted: fakeResult({ interrupted: true }),
    filtered: fakeResult({ filter: ['wasm'] }),
    'custom sizes': fakeResult({ sizes: [65536, 1 << 20] }),
    'forward only': fakeResult({ directions: ['forward'] }),
    quick: fakeResult({ mode: 'quick', sizes: [1024, 16384, 262144] }),
  };

  it('names files after what the run is; only a complete, unfiltered, default-size full run is bench-full', () => {
    expect(resultBaseName(complete)).toBe('bench-full');
    expect(resultBaseName(cases.interrupted)).toBe('bench-full-partial');
    expect(resultBaseName(cases.filtered)).toBe('bench-full-filter-wasm');
    expect(resultBaseName(cases['custom sizes'])).toBe('bench-full-sizes-64K+1M');
    expect(resultBaseName(cases['forward only'])).toBe('bench-full-forward');
    expect(resultBaseName(cases.quick)).toBe('bench-quick');
    expect(resultBaseName(fakeResult({ mode: 'smoke', sizes: [256, 1024], filter: ['@apalu/wasm', 'tfjs'], interrupted: true }))).toBe('bench-smoke-filter-_apalu_wasm+tfjs-partial');
    expect(isCompleteFullRun(complete)).toBe(true);
    for (const [name, r] of Object.entries(cases)) expect(isCompleteFullRun(r), name).toBe(false);
  });

  it('writeResults leaves bench-full.* alone for an interrupted or filtered full run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apalu-bench-'));
    await writeFile(join(dir, 'bench-full.json'), 'committed');
    const partial = await writeResults(cases.interrupted, dir);
    const filtered = await writeResults(fakeResult({ filter: ['wasm'], interrupted: true }), dir);
    expect(partial.json).toBe(join(dir, 'bench-full-partial.json'));
    expect(filtered.markdown).toBe(join(dir, 'bench-full-filter-wasm-partial.md'));
    expect(await readFile(join(dir, 'bench-full.json'), 'utf8')).toBe('committed');
    expect((await readdir(dir)).sort()).toEqual([
      'bench-full-filter-wasm-partial.json',
      'bench-full-filter-wasm-partial.md',
      'bench-full-filter-wasm-partial.svg',
      'bench-full-partial.json',
      'bench-full-partial.md',
      'bench-full-partial.svg',
      'bench-full.json',
    ]);
    const md = await readFile(filtered.markdown, 'utf8');
    expect(md).toContain('**Interrupted: partial results.**');
    expect(md).toContain('Not the whole full run: filtered to wasm.');
    const svg = await readFile(filtered.svg, 'utf8');
    expect(svg).toContain('full run, interrupted: partial results, filtered to wasm');
  });

  it('package rows of anything but a complete full run say so', () => {
    expect(formatPackageRows(complete, '@apalu/wasm')).not.toContain('Not for a README');
    expect(formatPackageRows(complete, '@apalu/wasm')).toContain('(apps/bench, full run).');
    const rows = formatPackageRows(cases.interrupted, '@apalu/wasm');
    expect(rows.startsWith('**Not for a README: full run, interrupted: partial results**')).toBe(true);
    expect(rows).toContain('(apps/bench, full run, interrupted: partial results).');
    expect(formatPackageRows(cases.filtered, '@apalu/wasm')).toContain('Not for a README: full run, filtered to wasm');
    expect(formatPackageRows(cases.quick, '@apalu/wasm')).toContain('Not for a README: quick run');
  });

  it('writePackageReadmes refuses them before touching a file, and writes a complete full run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'apalu-bench-repo-'));
    await mkdir(join(root, 'packages', 'wasm'), { recursive: true });
    const readme = join(root, 'packages', 'wasm', 'README.md');
    await writeFile(readme, '# @apalu/wasm\n\n## Speed\n\nprose\n');
    for (const [name, r] of Object.entries(cases)) {
      expect(() => writePackageReadmes(r, root), name).toThrow(/^refusing to write package README rows from this run \((full|quick) run.*\): only a complete, unfiltered full run/);
    }
    expect(await readFile(readme, 'utf8')).toBe('# @apalu/wasm\n\n## Speed\n\nprose\n');
    expect(writePackageReadmes(complete, root)).toEqual([readme]);
    const written = await readFile(readme, 'utf8');
    expect(written).toContain('<!-- apps/bench rows: start -->');
    expect(written).toContain('js-loop (Math.expm1) 0.029×');
  });
});
