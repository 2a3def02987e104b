/** The structure check: every source file of the published packages (and @apalu/wasm's assembly) opens with a comment saying what it is for and stays within 400 lines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, rel, walk, workspacePackages } from './workspace.js';

/** Longest source file allowed (generated code aside). */
export const MAX_LINES = 400;

/** The source files checked: `src/**` of every published package under packages/, plus `assembly/**`, without `generated/` folders or `.d.ts`. */
export function sourceFiles(root = REPO_ROOT): string[] {
  const keep = (f: string) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f) && !f.endsWith('.d.ts');
  return workspacePackages(root)
    .filter((p) => p.published && p.path.startsWith('packages/'))
    .flatMap((p) => [...walk(join(p.dir, 'src'), keep, new Set(['generated'])), ...walk(join(p.dir, 'assembly'), keep, new Set(['generated']))]);
}

/** One line per file that is too long or does not open with a comment (after an optional `#!` line). */
export function checkStructure(root = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    const path = rel(root, file);
    if (lines > MAX_LINES) problems.push(`${path}: ${lines} lines (at most ${MAX_LINES}); split it by idea`);
    const body = text.replace(/^#!.*\n/, '').trimStart();
    if (!(body.startsWith('//') || body.startsWith('/*'))) problems.push(`${path}: no opening comment; start with one or two lines that say what the file is for`);
  }
  return problems;
}
