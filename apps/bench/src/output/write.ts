import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resultBaseName } from '../run-kind.js';
import type { BenchResult } from '../types.js';
import { renderChart } from './chart.js';
import { formatMarkdown } from './markdown.js';

export interface WrittenFiles {
  markdown: string;
  json: string;
  svg: string;
}

/**
 * Writes the run's .md, .json and .svg into `dir`; returns their paths. A complete run of every
 * row at its mode's sizes is bench-<mode>.*; any other run's names say what it is
 * (resultBaseName: bench-full-filter-wasm, bench-full-partial, bench-quick-sizes-64K+1M, …),
 * so only a complete, unfiltered, default-size full run replaces the committed bench-full.*.
 */
export async function writeResults(result: BenchResult, dir: string): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, resultBaseName(result));
  const files = { markdown: `${base}.md`, json: `${base}.json`, svg: `${base}.svg` };
  await writeFile(files.markdown, `${formatMarkdown(result)}\n`);
  await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.svg, await renderChart(result));
  return files;
}
