// Step 1: pack every published package (packages/* without "private": true) with `pnpm pack`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, log, tail } from './util.mjs';

export function publishedPackages(repoRoot) {
  const dir = join(repoRoot, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'package.json')))
    .map((d) => ({ dir: join(dir, d.name), pkg: JSON.parse(readFileSync(join(dir, d.name, 'package.json'), 'utf8')) }))
    .filter((p) => p.pkg.private !== true)
    .map((p) => ({ name: p.pkg.name, dir: p.dir, pkg: p.pkg }));
}

/** Every file a package.json points at (exports targets, main, module, types, bin). */
export function referencedFiles(pkg) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') { if (v.startsWith('./') && !v.includes('*')) out.add(v.slice(2)); } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(pkg.exports);
  for (const k of ['main', 'module', 'types', 'typings']) if (typeof pkg[k] === 'string') out.add(pkg[k].replace(/^\.\//, ''));
  if (typeof pkg.bin === 'string') out.add(pkg.bin.replace(/^\.\//, ''));
  else if (pkg.bin) for (const v of Object.values(pkg.bin)) out.add(String(v).replace(/^\.\//, ''));
  out.delete('package.json');
  return [...out];
}

/** Builds (through turbo, dependencies first) the packages whose dist files are missing. */
export async function buildMissing(repoRoot, packages) {
  const missing = packages.filter((p) => referencedFiles(p.pkg).some((f) => !existsSync(join(p.dir, f))));
  if (missing.length === 0) return { built: [], ok: true };
  log(`building ${missing.map((p) => p.name).join(', ')} (dist missing)`);
  const filters = missing.map((p) => `--filter=${p.name}`);
  const turbo = ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filters];
  const useFlock = existsSync('/usr/bin/flock') && !process.env.CI;
  const r = useFlock
    ? await exec('flock', ['/tmp/apalu-build.lock', 'pnpm', ...turbo], { cwd: repoRoot, env: process.env, timeoutMs: 600_000 })
    : await exec('pnpm', turbo, { cwd: repoRoot, env: process.env, timeoutMs: 600_000 });
  return { built: missing.map((p) => p.name), ok: r.code === 0, output: tail(r.all, 15) };
}

/** Packs one package; checks the packed manifest and that every referenced file is in the tarball. */
export async function packOne(p, dest) {
  const r = await exec('pnpm', ['pack', '--pack-destination', dest, '--json'], { cwd: p.dir, env: process.env, timeoutMs: 120_000 });
  if (r.code !== 0) return { name: p.name, ok: false, error: `pnpm pack failed (exit ${r.code}): ${tail(r.all, 6)}` };
  let info;
  try {
    info = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    return { name: p.name, ok: false, error: `pnpm pack --json printed no JSON: ${tail(r.all, 4)}` };
  }
  const tarball = info.filename;
  const list = await exec('tar', ['-tzf', tarball], { timeoutMs: 30_000 });
  const files = new Set(list.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
  const manifest = JSON.parse((await exec('tar', ['-xzOf', tarball, 'package/package.json'], { timeoutMs: 30_000 })).stdout);
  const problems = [];
  const missing = referencedFiles(manifest).filter((f) => !files.has(f));
  if (missing.length) problems.push(`tarball lacks files its package.json points at: ${missing.join(', ')}`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} = "${range}" (workspace: range not rewritten)`);
    }
  }
  return {
    name: p.name,
    ok: problems.length === 0,
    error: problems.join('; ') || undefined,
    tarball,
    manifest,
    files,
    size: info.files?.length,
  };
}

/** The @apalu tarballs a set of packages needs at run time (their dependency closure). */
export function closure(names, packs) {
  const out = new Set();
  const visit = (n) => {
    if (out.has(n)) return;
    const p = packs.get(n);
    if (!p) return;
    out.add(n);
    for (const dep of Object.keys({ ...p.manifest.dependencies, ...p.manifest.optionalDependencies })) if (dep.startsWith('@apalu/')) visit(dep);
  };
  names.forEach(visit);
  return [...out];
}
