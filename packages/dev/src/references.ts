/** The reference check: every markdown file a link, comment or message mentions exists, in the repo and in the published tarball. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { REPO_ROOT, type WorkspacePackage, exists, packedFiles, rel, walk, workspacePackages } from './workspace.js';

/**
 * The reference check: every relative markdown link, and every mention of a markdown file in
 * markdown files, source comments and message strings of the workspace, names a file that
 * exists — in the repository, and, when the text ships in a published package (its README, a
 * file in `files`, anything under src/ that is compiled into dist/), inside that package's
 * tarball or the tarball of the @apalu package named beside it ("the SPEC.md shipped in
 * @apalu/core", on the same line or the next).
 *
 * Mentions checked: paths (with a slash; a path into a git-ignored folder is generated output
 * and accepted), paths into a package (the package name, or node_modules and the name, then the
 * file), and bare upper-case names (the SPEC, README or CONTRIBUTING files). A bare lower-case name
 * (a report file a tool writes) is checked only as a link or a path.
 */

export interface BrokenReference {
  /** File, relative to the root. */
  file: string;
  line: number;
  reference: string;
  why: string;
}

interface Owner {
  /** The workspace package holding the file, or undefined for files at the root. */
  pkg: WorkspacePackage | undefined;
  /** Whether the text reaches npm users as part of pkg. */
  ships: boolean;
}

interface Context {
  root: string;
  packages: WorkspacePackage[];
  packed: Map<string, Set<string>>;
}

const SOURCE = /\.(ts|mts|cts|tsx|js|mjs|cjs|sh|html)$/;
/** Generated output and downloaded data: not text anyone wrote references in. */
const SKIP_DIRS = new Set(['.changeset', 'public']);

/** A markdown file name, optionally with folders before it (relative or into node_modules). */
const MENTION = /(?<![\w@./-])((?:\.{1,2}\/|[\w@][\w@.-]*\/)*\w[\w.-]*\.md)(?![\w-])/g;
/** Inline markdown links and images: [text](target "title"). */
const LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
/** A whole inline link, text and target, where the text has no nested brackets. */
const WHOLE_LINK = /\[[^\[\]]*\]\(\s*<?[^)\s>]+>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const URL_LIKE = /\b[a-zA-Z][a-zA-Z+.-]*:\/\/[^\s)'"`<>\]]+/g;
const APALU_PACKAGE = /@apalu\/[a-z0-9-]+/g;
/** In the first lines of a file: its references are deliberate test fixtures (this package's own tests). */
export const IGNORE_FILE = 'apalu-reference-check: fixtures';
/** At most this many characters between a bare name and the package it belongs to ("the SPEC.md shipped in @apalu/core"). */
const NEAR = 40;
const UPPER_CASE_NAME = /^[A-Z][A-Z0-9_-]*\.md$/;

/** Whether git ignores `path` (generated output such as apps/report/results/). */
function gitIgnored(root: string, path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', '--', rel(root, path)], { cwd: root }).status === 0;
}

function ownerOf(file: string, ctx: Context): Owner {
  const pkg = ctx.packages.find((p) => file.startsWith(p.dir + sep));
  if (!pkg || !pkg.published) return { pkg, ships: false };
  const inPackage = rel(pkg.dir, file);
  return { pkg, ships: inPackage.startsWith('src/') || (ctx.packed.get(pkg.name)?.has(inPackage) ?? false) };
}

/** Whether `relPath` (inside the package folder) reaches users of a workspace package. */
function inTarball(pkg: WorkspacePackage, relPath: string, ctx: Context): boolean {
  if (!pkg.published) return exists(join(pkg.dir, relPath));
  return ctx.packed.get(pkg.name)?.has(relPath) ?? false;
}

/** `@apalu/core/SPEC.md` or `node_modules/@apalu/core/SPEC.md` → the workspace package and the path inside it. */
function packagePath(mention: string, ctx: Context): { pkg: WorkspacePackage; inner: string } | 'other' | undefined {
  const stripped = mention.replace(/^(?:\.{1,2}\/)*(?:[\w.-]+\/)*?node_modules\//, '');
  const fromModules = stripped !== mention;
  const m = /^(@[\w.-]+\/[\w.-]+|[\w.-]+)\/(.+)$/.exec(stripped);
  if (!m) return undefined;
  const pkg = ctx.packages.find((p) => p.name === m[1]);
  if (pkg) return { pkg, inner: m[2]! };
  return fromModules || m[1]!.startsWith('@') ? 'other' : undefined;
}

/** Why a mention does not resolve, or undefined when it does. */
function checkMention(mention: string, context: string, column: number, file: string, owner: Owner, ctx: Context): string | undefined {
  const here = dirname(file);
  const viaPackage = packagePath(mention, ctx);
  if (viaPackage === 'other') return undefined; // a third-party package's file: not ours to check
  if (viaPackage) {
    return inTarball(viaPackage.pkg, viaPackage.inner, ctx) ? undefined : `${viaPackage.pkg.name} has no ${viaPackage.inner}${viaPackage.pkg.published ? ' in its published files' : ''}`;
  }
  if (mention.includes('/')) {
    const candidates = [resolve(here, mention), resolve(ctx.root, mention), ...(owner.pkg ? [resolve(owner.pkg.dir, mention)] : [])];
    if (candidates.some(exists) || candidates.some((c) => c.startsWith(ctx.root + sep) && gitIgnored(ctx.root, c))) return undefined;
    return `no such file (looked next to the file, in its package and at the repository root)`;
  }
  if (!UPPER_CASE_NAME.test(mention)) return undefined;
  // A bare name: the file of the @apalu package named right beside it (this line or, for a
  // phrase wrapped there, the start of the next), if any.
  let nearest: { name: string; distance: number } | undefined;
  for (const m of context.matchAll(APALU_PACKAGE)) {
    const start = m.index;
    const end = start + m[0].length;
    const distance = end <= column ? column - end : start - (column + mention.length);
    if (distance >= 0 && distance <= NEAR && (!nearest || distance < nearest.distance)) nearest = { name: m[0], distance };
  }
  if (nearest) {
    const pkg = ctx.packages.find((p) => p.name === nearest.name);
    if (!pkg) return `${nearest.name} is not a package of this workspace`;
    return inTarball(pkg, mention, ctx) ? undefined : `${pkg.name} has no ${mention}${pkg.published ? ' in its published files' : ''}`;
  }
  if (owner.ships && owner.pkg) {
    const inner = [rel(owner.pkg.dir, join(here, mention)), mention];
    return inner.some((p) => inTarball(owner.pkg!, p, ctx))
      ? undefined
      : `this text ships in ${owner.pkg.name}, whose published files have no ${mention} (name the package that has it, e.g. "the SPEC.md shipped in @apalu/core")`;
  }
  const candidates = [join(here, mention), ...(owner.pkg ? [join(owner.pkg.dir, mention)] : []), join(ctx.root, mention)];
  return candidates.some(exists) ? undefined : 'no such file next to the file, in its package or at the repository root';
}

/** Why a relative link target does not resolve, or undefined when it does. */
function checkLink(target: string, file: string, owner: Owner, ctx: Context): string | undefined {
  if (/^[a-zA-Z][a-zA-Z+.-]*:/.test(target) || target.startsWith('#')) return undefined;
  let path = target.replace(/[#?].*$/, '');
  try {
    path = decodeURI(path);
  } catch {
    return 'not a valid URI';
  }
  const full = path.startsWith('/') ? join(ctx.root, path) : resolve(dirname(file), path);
  if (!exists(full)) return 'no such file or folder';
  if (owner.ships && owner.pkg && full.startsWith(owner.pkg.dir + sep)) {
    const inner = rel(owner.pkg.dir, full);
    const packed = ctx.packed.get(owner.pkg.name) ?? new Set();
    if (!packed.has(inner) && ![...packed].some((f) => f.startsWith(`${inner}/`))) return `exists in the repository but not in ${owner.pkg.name}'s published files, where this text ships`;
  }
  return undefined;
}

/**
 * Mentions inside `text` (one line), skipping URLs, whole markdown links (their targets are
 * checked as links: a link whose text is a file name names the file by its target) and, in
 * source files, quoted bare file names such as writeFile('report.md').
 */
function mentionsIn(text: string, source: boolean): { mention: string; column: number }[] {
  const blank = (s: string) => ' '.repeat(s.length);
  const cleaned = text.replace(URL_LIKE, blank).replace(source ? LINK : WHOLE_LINK, (m) => (source ? `]${blank(m.slice(1))}` : blank(m)));
  const out: { mention: string; column: number }[] = [];
  for (const m of cleaned.matchAll(MENTION)) {
    const before = cleaned[m.index - 1];
    const after = cleaned[m.index + m[0].length];
    if (source && (before === "'" || before === '"') && after === before) continue;
    out.push({ mention: m[1]!, column: m.index });
  }
  return out;
}

/** The markdown files and source files the check reads (root *.md, packages/**, apps/**). */
export function referenceFiles(root = REPO_ROOT): { markdown: string[]; source: string[] } {
  const rootMd = walk(root, (f) => dirname(f) === root && f.endsWith('.md'));
  const trees = ['packages', 'apps'].map((d) => join(root, d));
  const markdown = [...rootMd, ...trees.flatMap((t) => walk(t, (f) => f.endsWith('.md'), SKIP_DIRS))];
  const source = trees.flatMap((t) => walk(t, (f) => SOURCE.test(f) && !f.endsWith('.d.ts'), SKIP_DIRS));
  return { markdown, source };
}

/** Every broken reference under `root` (packs each published package with npm to learn its files). */
export async function checkReferences(root = REPO_ROOT): Promise<BrokenReference[]> {
  const packages = workspacePackages(root);
  const published = packages.filter((p) => p.published);
  const packed = new Map(await Promise.all(published.map(async (p) => [p.name, await packedFiles(p)] as const)));
  const ctx: Context = { root, packages, packed };
  const { markdown, source } = referenceFiles(root);
  const broken: BrokenReference[] = [];
  for (const file of [...markdown, ...source]) {
    const isSource = !file.endsWith('.md');
    const owner = ownerOf(file, ctx);
    const text = readFileSync(file, 'utf8');
    if (text.slice(0, 200).includes(IGNORE_FILE)) continue;
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const at = (reference: string, why: string) => broken.push({ file: rel(root, file), line: i + 1, reference, why });
      if (!isSource) {
        for (const m of line.matchAll(LINK)) {
          const why = checkLink(m[1]!, file, owner, ctx);
          if (why) at(`(${m[1]})`, why);
        }
      }
      const context = `${line} ${lines[i + 1] ?? ''}`;
      for (const { mention, column } of mentionsIn(line, isSource)) {
        const why = checkMention(mention, context, column, file, owner, ctx);
        if (why) at(mention, why);
      }
    });
  }
  return broken.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line));
}

/** One line per broken reference, for a test failure message. */
export function formatBroken(broken: readonly BrokenReference[]): string {
  return broken.map((b) => `${b.file}:${b.line}: ${b.reference} — ${b.why}`).join('\n');
}
