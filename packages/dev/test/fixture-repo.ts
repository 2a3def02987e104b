import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes `files` (path → text) into a new temporary folder and returns it. */
export function fixtureRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'apalu-dev-fixture-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // A repository of its own, so `git check-ignore` answers for it.
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
