/** Workspace helpers for the dev checks: the repo root, the workspace packages, file walking, packed file lists and paths. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The monorepo's root (two folders above packages/dev/src). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface PackageJson {
  name: string;
  private?: boolean;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Absolute folder. */
  dir: string;
  /** Folder relative to the repository root, with forward slashes (packages/core). */
  path: string;
  name: string;
  /** Published to npm: not `"private": true`. */
  published: boolean;
  json: PackageJson;
}

/** Folders never scanned: installs, build output, caches, downloaded drivers. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', '.vk', 'coverage', '.scratch', 'test-results']);

/** Every workspace package under packages/* and apps/* of `root`, sorted by path. */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base).sort()) {
      const file = join(base, entry, 'package.json');
      if (!existsSync(file)) continue;
      const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      found.push({ dir: join(base, entry), path: `${group}/${entry}`, name: json.name, published: json.private !== true, json });
    }
  }
  return found;
}

/** Files below `dir` (recursively, skipping SKIPPED_DIRS and any folder in `skip`) whose name passes `keep`. */
export function walk(dir: string, keep: (file: string) => boolean, skip: ReadonlySet<string> = new Set()): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !skip.has(entry.name)) visit(full);
      } else if (entry.isFile() && keep(full)) {
        out.push(full);
      }
    }
  };
  visit(dir);
  return out.sort();
}

/** `path` relative to `from`, with forward slashes. */
export function rel(from: string, path: string): string {
  return relative(from, path).split(sep).join('/');
}

const run = promisify(execFile);

/**
 * The files `npm pack` would put in the package's tarball, relative to its folder (forward
 * slashes): what a user gets in node_modules. Needs the package built for dist/ to be listed.
 */
export async function packedFiles(pkg: WorkspacePackage): Promise<Set<string>> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkg.dir, maxBuffer: 64 * 1024 * 1024 });
  const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return new Set((report?.files ?? []).map((f) => f.path));
}

/** Whether `path` exists as a file or folder. */
export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
