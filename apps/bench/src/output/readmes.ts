import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCompleteFullRun, runDescription } from '../run-kind.js';
import { formatPackageRows } from './markdown.js';
import type { BenchResult } from '../types.js';

const START = '<!-- apps/bench rows: start -->';
const END = '<!-- apps/bench rows: end -->';

/**
 * Writes each package's own rows of a saved run into packages/<name>/README.md, right under
 * its "## Speed" heading, between markers so a later run replaces them. Returns the files written.
 * Only a complete, unfiltered full run at the default sizes is quoted: anything else (an
 * interrupted, filtered, quick or custom-size run) throws before a file is touched.
 */
export function writePackageReadmes(saved: BenchResult, repoRoot: string): string[] {
  if (!isCompleteFullRun(saved)) {
    throw new Error(`refusing to write package README rows from this run (${runDescription(saved)}): only a complete, unfiltered full run at the default sizes (plain \`pnpm bench\`, saved as results/bench-full.json) is quoted in READMEs.`);
  }
  const written: string[] = [];
  for (const source of new Set(saved.entries.filter((e) => e.role === 'apalu').map((e) => e.source))) {
    const match = /^@apalu\/(.+)$/.exec(source);
    if (!match) continue;
    const file = join(repoRoot, 'packages', match[1]!, 'README.md');
    const readme = readFileSync(file, 'utf8');
    const block = `${START}\n### Measured by apps/bench (same run as every other backend and its peers)\n\n${formatPackageRows(saved, source)}\n${END}`;
    let next: string;
    if (readme.includes(START) && readme.includes(END)) next = readme.slice(0, readme.indexOf(START)) + block + readme.slice(readme.indexOf(END) + END.length);
    else if (/^## Speed.*$/m.test(readme)) next = readme.replace(/^## Speed.*$/m, (heading) => `${heading}\n\n${block}`);
    else next = `${readme.trimEnd()}\n\n## Speed\n\n${block}\n`;
    writeFileSync(file, next);
    written.push(file);
  }
  return written;
}
