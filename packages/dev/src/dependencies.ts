/** The dependency check: every package declares what its files import, @apalu imports point one way, and browser entries stay free of Node-only code. */
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT, type WorkspacePackage, exists, rel, walk, workspacePackages } from './workspace.js';

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative, absolute, URL and Node built-in specifiers. */
export function packageOf(specifier: string): string | undefined {
  if (/^[./]/.test(specifier) || /^[a-zA-Z][a-zA-Z+.-]*:/.test(specifier) || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Every module specifier a file imports: static and dynamic `import`, `export … from`,
 * `require()`, and `/// <reference types="x" />` (as `x`, or `@types/x` when x is not scoped
 * under @types and is not itself a package with types, e.g. `long` → `@types/long`; comments
 * are ignored).
 */
export function importsOf(text: string, typesPackage: (name: string) => string = (name) => name): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...info.importedFiles.map((f) => f.fileName), ...info.typeReferenceDirectives.map((f) => typesPackage(f.fileName))];
}

/**
 * Which @apalu packages a package may import at run time. Dependencies point one way:
 * core ← conformance, core ← every backend; a backend never imports another backend except
 * @apalu/tfjs using @apalu/wasm and @apalu/webgpu for its kernels; nothing published imports
 * @apalu/conformance (a devDependency for tests is fine).
 */
export function allowedWorkspaceImports(name: string): readonly string[] {
  if (name === '@apalu/core') return [];
  if (name === '@apalu/tfjs') return ['@apalu/core', '@apalu/wasm', '@apalu/webgpu'];
  return ['@apalu/core'];
}

export interface DependencyReport {
  package: string;
  /** Files scanned, relative to the package folder. */
  scanned: string[];
  /** Why the dist/ part was not scanned (not built yet), if it was not. */
  distMissing?: string;
  problems: string[];
}

const SOURCE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;
const BUILT = /\.(js|mjs|cjs|d\.ts|d\.cts|d\.mts)$/;

/**
 * Checks one published package: every bare import in src/**, and in the built dist/ files
 * (.js, .cjs, .mjs and the .d.ts a user's compiler reads), is a Node built-in or declared in
 * dependencies / peerDependencies / optionalDependencies; every declared dependency and peer is
 * imported somewhere; @apalu/conformance is no run-time dependency; @apalu imports follow
 * allowedWorkspaceImports.
 */
export function checkPackageDependencies(pkg: WorkspacePackage): DependencyReport {
  const problems: string[] = [];
  const declared = new Map<string, string>();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const dep of Object.keys(pkg.json[field] ?? {})) declared.set(dep, field);
  }
  const sources = walk(join(pkg.dir, 'src'), (f) => SOURCE.test(f));
  const distDir = join(pkg.dir, 'dist');
  const built = exists(distDir) ? walk(distDir, (f) => BUILT.test(f)) : [];
  const report: DependencyReport = { package: pkg.name, scanned: [...sources, ...built].map((f) => rel(pkg.dir, f)), problems };
  if (built.length === 0) report.distMissing = `${pkg.path}/dist has no built files: run \`pnpm --filter ${pkg.name} build\``;

  const used = new Map<string, string>();
  for (const file of [...sources, ...built]) {
    const where = rel(pkg.dir, file);
    // `/// <reference types="long" />` is satisfied by a declared `long` or `@types/long`;
    // `types="node"` names Node's own types (@types/node), which users of a Node package have.
    const typesPackage = (name: string) => {
      if (name === 'node') return 'node:types';
      return declared.has(name) || name.startsWith('@') ? name : declared.has(`@types/${name}`) ? `@types/${name}` : name;
    };
    for (const specifier of importsOf(readFileSync(file, 'utf8'), typesPackage)) {
      const name = packageOf(specifier);
      if (name === undefined || name === pkg.name) continue;
      if (!used.has(name)) used.set(name, where);
      if (!declared.has(name)) problems.push(`${pkg.name}: ${where} imports '${specifier}', but ${name} is not in dependencies or peerDependencies (add it, or stop importing it)`);
      if (name.startsWith('@apalu/') && !allowedWorkspaceImports(pkg.name).includes(name)) {
        problems.push(`${pkg.name}: ${where} imports ${name}; dependencies point one way (core ← conformance, core ← backends, tfjs → wasm/webgpu only; see CONTRIBUTING.md "Layout")`);
      }
    }
  }
  // An optional peer loaded on demand by a computed specifier (so bundlers neither bundle it nor
  // fail when it is absent) counts as imported when its name is a string literal in src/.
  const named = new Set<string>();
  for (const file of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(['"`])((?:@[\w.-]+\/)?[\w.-]+)(?:\/[\w./-]*)?\1/g)) named.add(m[2]!);
  }
  for (const [dep, field] of declared) {
    if (dep === '@apalu/conformance') {
      problems.push(`${pkg.name}: @apalu/conformance is in ${field}; no published package may need the conformance kit at run time (make it a devDependency)`);
    }
    if (!used.has(dep) && !named.has(dep)) problems.push(`${pkg.name}: ${dep} is in ${field} but nothing in src/ or dist/ imports it (remove it)`);
    if (dep.startsWith('@apalu/') && dep !== '@apalu/conformance' && !allowedWorkspaceImports(pkg.name).includes(dep)) {
      problems.push(`${pkg.name}: ${dep} is in ${field}, against the dependency direction (see CONTRIBUTING.md "Layout")`);
    }
  }
  return report;
}

/** checkPackageDependencies for every published workspace package of `root`. */
export function checkDependencies(root = REPO_ROOT): DependencyReport[] {
  return workspacePackages(root)
    .filter((p) => p.published && p.path.startsWith('packages/'))
    .map(checkPackageDependencies);
}

type ExportTarget = string | null | { [condition: string]: ExportTarget } | ExportTarget[];

/** Files an export condition tree leads to when the "node" condition is not set (browsers, bundlers for the web). */
function nonNodeTargets(target: ExportTarget, out: Set<string>): void {
  if (typeof target === 'string') {
    if (/\.(c|m)?js$/.test(target)) out.add(target);
  } else if (Array.isArray(target)) {
    for (const t of target) nonNodeTargets(t, out);
  } else if (target && typeof target === 'object') {
    for (const [condition, t] of Object.entries(target)) if (condition !== 'node' && condition !== 'types') nonNodeTargets(t, out);
  }
}

/** Node-only modules a browser build must not import: Node built-ins and the `webgpu` package (Dawn). */
export const NODE_ONLY_PACKAGES: readonly string[] = ['webgpu'];

export interface BrowserEntryReport {
  package: string;
  /** Built files reached from the non-"node" branches of conditional exports, relative to the package. */
  files: string[];
  problems: string[];
}

/**
 * For a package whose exports have a "node" condition: every file the other conditions lead to
 * (and every file those import relatively, such as shared chunks) imports no Node built-in
 * (os, fs, worker_threads, node:*) and not the `webgpu` package — not even through
 * `import()`, which Vite's dependency pre-bundler would follow.
 */
export function checkBrowserEntries(pkg: WorkspacePackage): BrowserEntryReport | undefined {
  const exportsField = (pkg.json as { exports?: Record<string, ExportTarget> }).exports;
  if (!exportsField || typeof exportsField !== 'object') return undefined;
  const roots = new Set<string>();
  let conditional = false;
  for (const target of Object.values(exportsField)) {
    if (target && typeof target === 'object' && !Array.isArray(target) && 'node' in target) {
      conditional = true;
      nonNodeTargets(target, roots);
    }
  }
  if (!conditional) return undefined;
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [...roots].map((t) => join(pkg.dir, t));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!exists(file)) {
      problems.push(`${pkg.name}: ${rel(pkg.dir, file)} is named in exports but does not exist (build the package)`);
      continue;
    }
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        queue.push(join(file, '..', specifier));
        continue;
      }
      const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
      if (isBuiltin(specifier) || NODE_ONLY_PACKAGES.includes(name)) {
        problems.push(`${pkg.name}: the browser build ${rel(pkg.dir, file)} imports '${specifier}' (Node only; move it behind the "node" export condition)`);
      }
    }
  }
  return { package: pkg.name, files: [...seen].map((f) => rel(pkg.dir, f)), problems };
}
