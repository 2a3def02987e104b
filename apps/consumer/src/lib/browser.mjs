// Step 3 helpers: Debian chromium through playwright-core, a static server, page checks.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { exec, log, tail } from './util.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--no-first-run', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

/** Installs Debian's chromium when missing (root only). Returns { ok, reason }. */
export async function ensureChromium() {
  if (existsSync(CHROMIUM)) return { ok: true };
  const root = process.getuid?.() === 0;
  const sudo = !root && existsSync('/usr/bin/sudo');
  if (!root && !sudo) return { ok: false, reason: `${CHROMIUM} is missing and this user is not root (run: apt-get install -y chromium)` };
  const apt = (args) => (sudo ? exec('sudo', ['-n', 'apt-get', ...args], opts) : exec('apt-get', args, opts));
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 };
  log('installing chromium (apt-get install -y chromium)');
  let r = await apt(['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'chromium']);
  if (r.code !== 0) {
    log('apt-get install failed; apt-get update and retry');
    await apt(['-o', 'DPkg::Lock::Timeout=300', 'update']);
    r = await apt(['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (r.code !== 0 || !existsSync(CHROMIUM)) return { ok: false, reason: `apt-get install -y chromium failed: ${tail(r.all, 4)}` };
  return { ok: true };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.map': 'application/json' };

/** Serves a folder on http://127.0.0.1:PORT (a stand-in for any static host). */
export function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(resolve(root))) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: server.address().port, close: () => new Promise((c) => server.close(c)) })));
}

const BAD_WARNING = /externalized for browser compatibility|Module not found|Critical dependency|Could not resolve|Failed to resolve/i;

/** Launches chromium (fresh --user-data-dir) with playwright-core from the user's project. */
export async function launch(projectDir) {
  const { chromium } = createRequire(join(projectDir, 'package.json'))('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'apalu-consumer-chromium-'));
  // playwright passes --user-data-dir itself for a persistent context (it refuses it in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000,
  });
  return { context, userDataDir };
}

/**
 * Opens url; waits for window.__result. Console errors, page errors, failed HTTP responses and
 * externalized-module warnings fail the page. Returns { ok, backend, detail, error, notes }.
 */
export async function runPage(context, url, { timeoutMs = 120_000 } = {}) {
  const page = await context.newPage();
  const problems = [];
  const consoleTail = [];
  page.on('console', (m) => {
    const text = m.text();
    consoleTail.push(`${m.type()}: ${text}`.slice(0, 300));
    if (m.type() === 'error') problems.push(`console error: ${text.slice(0, 400)}`);
    else if (m.type() === 'warning' && BAD_WARNING.test(text)) problems.push(`console warning: ${text.slice(0, 400)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e.message).slice(0, 400)}`));
  // A failed module load (HTTP 5xx, a page error) means __result may never come: stop 5 s later.
  let fatal;
  const fatalSeen = new Promise((r) => { fatal = r; });
  const onFatal = () => setTimeout(() => fatal('gave up 5 s after the first failed load or page error'), 5000).unref();
  page.on('response', (r) => { if (r.status() >= 400) { problems.push(`HTTP ${r.status()} ${r.url()}`); if (r.status() >= 500) onFatal(); } });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('pageerror', onFatal);
  let result;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    const got = await Promise.race([
      page.waitForFunction(() => window.__result !== undefined, null, { timeout: timeoutMs, polling: 250 }).then(() => null),
      fatalSeen,
    ]);
    result = got === null ? await page.evaluate(() => window.__result) : { ok: false, error: `no window.__result (${got})` };
  } catch (e) {
    result = { ok: false, error: `no window.__result: ${String(e.message).split('\n')[0]}` };
  }
  let backend = result.backend;
  if (!backend) backend = await page.evaluate(() => window.__result?.backend).catch(() => undefined);
  await page.close().catch(() => {});
  const ok = result.ok === true && problems.length === 0;
  const error = [result.ok ? undefined : result.error, ...[...new Set(problems)].slice(0, 5)].filter(Boolean).join(' | ');
  return { ok, backend, detail: result.detail, error: ok ? undefined : error, consoleTail: consoleTail.slice(-8) };
}

/** Lines of a build log that are the warnings this suite refuses. */
export function badBuildLines(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((l, i) => {
    if (/externalized for browser compatibility|Module not found|Critical dependency|Could not resolve|Can't resolve|ignored-bare-import|marked as having no side effects/i.test(l)) {
      const ctx = lines.slice(i, i + 3).map((x) => x.trim()).filter(Boolean).join(' ⏎ ');
      out.push(ctx.slice(0, 400));
    }
  });
  return [...new Set(out)];
}

/** Node-only module references left in browser bundle files. */
export function nodeOnlyRefs(code) {
  const re = /(?:\brequire\(\s*|\bimport\(\s*|\bfrom\s*|\bimport\s*)["'`](node:[a-z_/]+|os|fs|fs\/promises|worker_threads|child_process|webgpu|path|url|module)["'`]/g;
  const found = new Set();
  for (const line of code.split('\n')) {
    const t = line.trimStart();
    if (t.startsWith('*') || t.startsWith('//') || t.startsWith('/*')) continue; // doc comments (tfjs has examples)
    for (const m of line.matchAll(re)) found.add(m[1]);
  }
  return [...found];
}

/**
 * What Vite's dependency pre-bundler made of the packages: Node-only imports left in
 * node_modules/.vite/deps, or a Node-only package replaced by Vite's throwing stand-in for a
 * missing optional peer (`__vite-optional-peer-dep:webgpu:@apalu/tfjs`): the page then works
 * until that code path runs.
 */
export function viteDepsProblems(dir) {
  const deps = join(dir, 'node_modules', '.vite', 'deps');
  if (!existsSync(deps)) return [];
  const out = [];
  for (const f of readdirSync(deps).filter((n) => /\.js$/.test(n))) {
    const code = readFileSync(join(deps, f), 'utf8');
    const refs = nodeOnlyRefs(code);
    if (refs.length) out.push(`vite pre-bundle ${f} imports Node-only ${refs.map((r) => `"${r}"`).join(', ')}`);
    for (const m of code.matchAll(/__vite-optional-peer-dep:([^:\s]+):([^\s*]+)/g)) {
      if (/^(os|fs|worker_threads|webgpu|node:.*)$/.test(m[1])) out.push(`vite pre-bundle ${f}: ${m[2]} imports the Node-only package "${m[1]}" (stubbed by Vite as a missing optional peer)`);
    }
  }
  return [...new Set(out)];
}
