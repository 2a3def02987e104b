import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from '../types.js';
import { renderChart } from './chart.js';
import { formatMarkdown } from './markdown.js';

export interface WrittenFiles {
  markdown: string;
  json: string;
  svg: string;
}

/** Writes bench-<mode>.md, .json and .svg into `dir`; returns their paths. */
export async function writeResults(result: BenchResult, dir: string): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `bench-${result.mode}`);
  const files = { markdown: `${base}.md`, json: `${base}.json`, svg: `${base}.svg` };
  await writeFile(files.markdown, `${formatMarkdown(result)}\n`);
  await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.svg, await renderChart(result));
  return files;
}
