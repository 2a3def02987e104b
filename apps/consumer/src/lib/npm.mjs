// Step 2: fresh npm projects outside the repo, plain `npm install`, peer and duplicate checks.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { exec, tail } from './util.mjs';

export function createProject(dir, { name, overrides, files = [] }) {
  mkdirSync(dir, { recursive: true });
  const pkg = { name, version: '0.0.0', private: true, type: 'module' };
  if (overrides) pkg.overrides = overrides;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const f of files) cpSync(f, join(dir, basename(f)), { recursive: true });
}

const PEER = /ERESOLVE|peer dep|peerDep|conflicting peer|Could not resolve dependency|overriding peer|invalid: /i;

/** Lines of npm's output that belong to a peer-dependency warning or error, condensed. */
export function peerLines(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.some((l) => PEER.test(l))) return [];
  return lines.filter((l) => /^npm (warn|error|ERR)/i.test(l) && /ERESOLVE|peer|Found:|While resolving|Conflicting|Could not resolve|overriding/i.test(l) && !/deprecated/i.test(l))
    .map((l) => l.replace(/^npm (warn|error|ERR!?)\s*/i, ''))
    .filter((l, i, a) => a.indexOf(l) === i);
}

/** `npm install` of specs into dir; returns { ok, code, peer, all, ms }. */
export async function npmInstall(dir, specs, { env, extraArgs = [], timeoutMs = 420_000 } = {}) {
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extraArgs, ...specs];
  const r = await exec('npm', args, { cwd: dir, env, timeoutMs });
  return { ok: r.code === 0 && !r.timedOut, code: r.code, timedOut: r.timedOut, peer: peerLines(r.all), all: r.all, ms: r.ms, args };
}

/** Packages installed more than once (path → version) among the ones that must be single. */
export function duplicates(dir, watch = (n) => /^(@tensorflow\/|@apalu\/|onnxruntime-web$|brain\.js$|gpu\.js$)/.test(n)) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const seen = new Map();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path);
    if (!m || !watch(m[1])) continue;
    if (!seen.has(m[1])) seen.set(m[1], []);
    seen.get(m[1]).push(`${entry.version ?? '?'} at ${path}`);
  }
  return [...seen].filter(([, where]) => where.length > 1).map(([name, where]) => `${where.length} copies of ${name}: ${where.join(', ')}`);
}

/** Installed version of a package in the project (from the lockfile). */
export function installedVersion(dir, name) {
  try {
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    return lock.packages?.[`node_modules/${name}`]?.version;
  } catch {
    return undefined;
  }
}

/** `npm ls <name> --all`: a non-zero exit means an invalid (e.g. peer-mismatched) or missing copy. */
export async function npmLs(dir, name, env) {
  const r = await exec('npm', ['ls', name, '--all'], { cwd: dir, env, timeoutMs: 60_000 });
  if (r.code === 0) return { ok: true, tree: r.stdout };
  const bad = r.all.split('\n').filter((l) => /invalid|ERR|missing|ELSPROBLEMS/.test(l)).map((l) => l.trim().replace(/^npm (error|ERR!)\s*/, ''));
  return { ok: false, tree: r.stdout, problems: [...new Set(bad)].slice(0, 6), raw: tail(r.all, 8) };
}
