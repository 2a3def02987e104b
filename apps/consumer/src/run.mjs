#!/usr/bin/env node
// The consumer acceptance suite (issue 20): the published packages as a user gets them.
//
//   1. `pnpm pack` every published package (packages/* without "private": true).
//   2. Fresh npm projects in os.tmpdir(), plain `npm install` of the tarballs plus the framework:
//      (i) @tensorflow/tfjs at the floor and 4.22.0, (ii) onnxruntime-web at its floor and latest,
//      (iii) brain.js; no peer warnings, one copy of each framework package; ESM + CJS, fit/save/
//      reload in a fresh process, ONNX export run in onnxruntime-web, brain.js toJSON/fromJSON.
//   3. A browser project (tfjs 4.22.0, Vite 8, webpack 5, esbuild): Vite dev server, Vite build,
//      webpack and esbuild bundles, each opened in Debian chromium via playwright-core.
//   4. A per-case table; exit code 1 on any failure.
//
// Options: --only=<regex> (case ids to run), --keep (keep the temp folder), --json=<file>,
// --repo=<checkout> (pack the packages of another checkout).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, badBuildLines, ensureChromium, launch, nodeOnlyRefs, runPage, serveStatic, viteDepsProblems } from './lib/browser.mjs';
import { createProject, duplicates, installedVersion, npmInstall, npmLs } from './lib/npm.mjs';
import { buildMissing, closure, packOne, publishedPackages } from './lib/pack.mjs';
import { exec, freePort, killAll, log, parseResult, semaphore, start, tail, userEnv } from './lib/util.mjs';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIX = join(APP, 'fixtures');
const CI = Boolean(process.env.CI);

// The versions under test. tfjs: the declared floor of `>=4.10.0 <5` and the release the
// workspace develops against; onnxruntime-web: the floor of `>=1.17.0 <2` and `latest`.
const TFJS_VERSIONS = ['4.10.0', '4.22.0'];
const TFJS_BROWSER = '4.22.0';
const ORT_FLOOR = '1.17.0';
const ORT_LATEST_FALLBACK = '1.31.1';
const BRAIN_JS = '2.0.0-beta.24';
const TOOLS = { vite: '8.4.1', webpack: '5.113.0', esbuild: '0.28.2', 'playwright-core': '1.65.1' };

const args = new Map(process.argv.slice(2).map((a) => { const [k, ...v] = a.replace(/^--/, '').split('='); return [k, v.join('=') || true]; }));
const only = args.has('only') ? new RegExp(String(args.get('only'))) : null;
// --repo=<checkout>: pack another checkout's packages (e.g. `git archive` of an older commit, built).
const REPO = args.has('repo') ? resolve(String(args.get('repo'))) : resolve(APP, '../..');
const keep = args.has('keep') || Boolean(process.env.APALU_CONSUMER_KEEP);

// ---------------------------------------------------------------------------------------------
const results = [];
function record(id, status, { reason, detail, ms } = {}) {
  const r = { id, status, reason, detail, ms };
  results.push(r);
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  log(`${status.padEnd(4)} ${id}${time}${status === 'PASS' ? '' : `: ${String(reason).split('\n')[0].slice(0, 300)}`}`);
  return r;
}
const wanted = (id) => !only || only.test(id);

const cpu = semaphore(2); // node scripts and builds: two cores
const installs = semaphore(3);

const tmp = mkdtempSync(join(tmpdir(), 'apalu-consumer-'));
const env = userEnv(REPO);

function fixtureFiles(...groups) {
  const files = [];
  for (const g of ['shared', ...groups]) {
    const d = join(FIX, g);
    for (const f of readdirSync(d)) if (!['src'].includes(f) || g !== 'browser') files.push(join(d, f));
  }
  return files;
}

/** Runs a fixture script in a project and records its RESULT line. */
async function nodeCase(id, dir, script, scriptArgs = [], note = '', force = false) {
  if (!force && !wanted(id)) return undefined;
  const r = await cpu(() => exec('node', [script, ...scriptArgs], { cwd: dir, env, timeoutMs: 240_000 }));
  const res = parseResult(r);
  const reason = res.ok ? undefined : formatError(res);
  return record(id, res.ok ? 'PASS' : 'FAIL', { reason: reason && note ? `${reason} ${note}` : reason, detail: res.detail ?? res.output, ms: r.ms });
}

function formatError(res) {
  const frames = res.stack ?? [];
  const where = frames.find((f) => /node_modules[\\/]@apalu[\\/]/.test(f)) ?? frames.find((f) => /node_modules/.test(f)) ?? frames[0];
  const short = where ? ` [at ${where.replace(/^at /, '').replace(/.*node_modules[\\/]/, '')}]` : '';
  return `${res.error}${short}${res.output && !res.stack ? `\n${res.output}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// 1. Pack
async function packAll() {
  const pkgs = publishedPackages(REPO);
  log(`packing ${pkgs.length} published packages: ${pkgs.map((p) => p.name).join(', ')}`);
  const b = await buildMissing(REPO, pkgs);
  if (!b.ok) record('build (dist missing)', 'FAIL', { reason: `turbo build of ${b.built.join(', ')} failed:\n${b.output}` });
  const dest = join(tmp, 'packs');
  mkdirSync(dest, { recursive: true });
  const packs = new Map();
  await Promise.all(pkgs.map(async (p) => {
    const t0 = Date.now();
    let r = await packOne(p, dest);
    if (!r.ok && /lacks files/.test(r.error ?? '') && !CI) {
      // Locally another build may be rewriting dist (tsup cleans first): wait, build if still missing, pack again.
      log(`${p.name}: ${r.error}; retrying in 30 s`);
      await new Promise((res) => setTimeout(res, 30_000));
      await buildMissing(REPO, [p]);
      r = await packOne(p, dest);
    }
    if (r.tarball) packs.set(p.name, r);
    record(`pack ${p.name}`, r.ok ? 'PASS' : 'FAIL', { reason: r.error, detail: r.tarball && `${basename(r.tarball)} (${r.size} files)`, ms: Date.now() - t0 });
  }));
  return packs;
}

// ---------------------------------------------------------------------------------------------
// 2. npm projects
/**
 * Creates the project, installs, records `<id>: install` (peer warnings, duplicates, npm ls).
 * A failed install is retried with --legacy-peer-deps so the run-time cases still say something.
 * Returns { dir, note } or undefined when nothing could be installed.
 */
async function installProject(id, { apalu, deps, flags = [], fixtures, overrides, prepare, cases = [], lsName = '@tensorflow/tfjs-core', label: shownAs, allowDuplicates = false }, packs) {
  if (![`${id}: install`, ...cases].some(wanted)) return undefined; // --only selects none of its cases
  const dir = join(tmp, id.replace(/[^a-z0-9.@-]+/gi, '_'));
  const names = closure(apalu, packs);
  const missing = apalu.filter((n) => !packs.has(n));
  if (missing.length) {
    record(`${id}: install`, 'FAIL', { reason: `no tarball for ${missing.join(', ')} (pack failed)` });
    return undefined;
  }
  createProject(dir, { name: `consumer-${basename(dir)}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-'), overrides, files: fixtures });
  let prepNote = '';
  if (prepare) prepNote = (await prepare(dir)) ?? '';
  const specs = [...names.map((n) => packs.get(n).tarball), ...deps];
  const label = shownAs ?? `npm install ${[...flags, ...names, ...deps].join(' ')}`;
  log(`${id}: ${label}`);
  const r = await installs(() => npmInstall(dir, specs, { env, extraArgs: flags }));
  const problems = [];
  if (prepNote) problems.push(prepNote);
  let note = '';
  if (!r.ok) {
    const why = r.timedOut ? 'timed out' : `exit ${r.code}`;
    problems.push(`npm install failed (${why}): ${r.peer.length ? r.peer.slice(0, 8).join(' ⏎ ') : tail(r.all, 6)}`);
  } else if (r.peer.length) {
    problems.push(`peer-dependency warnings: ${r.peer.slice(0, 8).join(' ⏎ ')}`);
  }
  let installed = r.ok;
  if (!r.ok && !r.timedOut) {
    const r2 = await installs(() => npmInstall(dir, specs, { env, extraArgs: [...flags, '--legacy-peer-deps'] }));
    if (r2.ok) {
      installed = true;
      note = '(installed with --legacy-peer-deps after the plain install failed)';
    } else {
      problems.push(`--legacy-peer-deps failed too: ${tail(r2.all, 4)}`);
    }
  }
  let versions = '';
  if (installed) {
    if (!allowDuplicates) problems.push(...duplicates(dir));
    if (lsName) {
      const ls = await npmLs(dir, lsName, env);
      if (!ls.ok) problems.push(`npm ls ${lsName}: ${ls.problems.length ? ls.problems.join(' ⏎ ') : ls.raw}`);
    }
    versions = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', 'onnxruntime-web', 'brain.js', ...names]
      .map((n) => [n, installedVersion(dir, n)]).filter(([, v]) => v).map(([n, v]) => `${n}@${v}`).join(' ');
  }
  record(`${id}: install`, problems.length ? 'FAIL' : 'PASS', { reason: problems.join('\n'), detail: `${label} → ${versions}`, ms: r.ms });
  return installed ? { dir, note } : undefined;
}

// How the user's code gets `tf`: the umbrella package, or the split packages the README lists.
const TF_SHIMS = {
  umbrella: {
    deps: (v) => [`@tensorflow/tfjs@${v}`, `@tensorflow/tfjs-backend-wasm@${v}`],
    mjs: "import * as tf from '@tensorflow/tfjs';\nexport default tf;\n",
    cjs: "module.exports = require('@tensorflow/tfjs');\n",
  },
  split: {
    deps: (v) => ['core', 'layers', 'backend-cpu', 'backend-wasm'].map((p) => `@tensorflow/tfjs-${p}@${v}`),
    mjs: "import * as core from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\nimport * as layers from '@tensorflow/tfjs-layers';\nexport default { ...core, ...layers };\n",
    cjs: "const core = require('@tensorflow/tfjs-core');\nrequire('@tensorflow/tfjs-backend-cpu');\nmodule.exports = { ...core, ...require('@tensorflow/tfjs-layers') };\n",
  },
};

async function tfjsProject(version, flavor, packs) {
  const shim = TF_SHIMS[flavor];
  const id = flavor === 'umbrella' ? `tfjs@${version}` : `tfjs-${flavor}@${version}`;
  const names = ['esm import, fit, formula, save', 'cjs require, formula, load', 'reload in fresh process (bare import)', 'wasm backend'];
  const p = await installProject(id, {
    cases: names.map((n) => `${id}: ${n}`),
    apalu: ['@apalu/tfjs'],
    deps: shim.deps(version),
    fixtures: fixtureFiles('tfjs'),
    prepare: (dir) => {
      writeFileSync(join(dir, 'tf.mjs'), shim.mjs);
      writeFileSync(join(dir, 'tf.cjs'), shim.cjs);
    },
  }, packs);
  if (!p) return skipAll(id, names, 'not installed');
  await nodeCase(`${id}: esm import, fit, formula, save`, p.dir, 'fit-save.mjs', ['out/model'], p.note);
  await nodeCase(`${id}: cjs require, formula, load`, p.dir, 'cjs.cjs', ['out/model'], p.note);
  await Promise.all([
    nodeCase(`${id}: reload in fresh process (bare import)`, p.dir, 'reload.mjs', ['out/model'], p.note),
    nodeCase(`${id}: wasm backend`, p.dir, 'wasm.mjs', ['out/model'], p.note),
  ]);
}

/** Two copies of tfjs on purpose (an npm alias): errors must name them, not come from tfjs' insides. */
async function twoCopiesProject(packs) {
  const id = 'tfjs two copies';
  const names = ['model of the other copy with Apalu'];
  const p = await installProject(id, {
    cases: names.map((n) => `${id}: ${n}`),
    apalu: ['@apalu/tfjs'],
    deps: [`@tensorflow/tfjs@${TFJS_BROWSER}`, 'tfjs-other@npm:@tensorflow/tfjs@4.21.0'],
    fixtures: fixtureFiles('tfjs'),
    lsName: null,
    allowDuplicates: true,
  }, packs);
  if (!p) return skipAll(id, names, 'not installed');
  await nodeCase(`${id}: ${names[0]}`, p.dir, 'two-copies.mjs', [], p.note);
}

async function onnxProject(ortVersion, tag, packs) {
  const id = `onnx ort@${ortVersion} (${tag})`;
  const names = ['esm export + run', 'cjs export + run'];
  const p = await installProject(id, {
    cases: names.map((n) => `${id}: ${n}`),
    apalu: ['@apalu/onnx', '@apalu/tfjs'],
    deps: [`onnxruntime-web@${ortVersion}`, `@tensorflow/tfjs@${TFJS_BROWSER}`],
    fixtures: [...fixtureFiles('onnx'), join(FIX, 'tfjs', 'tfjs-case.cjs')],
  }, packs);
  if (!p) return skipAll(id, names, 'not installed');
  await nodeCase(`${id}: esm export + run`, p.dir, 'onnx.mjs', [], p.note);
  await nodeCase(`${id}: cjs export + run`, p.dir, 'onnx.cjs', [], p.note);
}

async function brainProject(packs) {
  const id = `brain.js@${BRAIN_JS}`;
  const brain = packs.get('@apalu/brain');
  const names = ['esm train, toJSON, fromJSON', 'fromJSON in fresh process', 'cjs require, train, fromJSON'];
  const p = await installProject(id, {
    cases: names.map((n) => `${id}: ${n}`),
    apalu: ['@apalu/brain'],
    deps: [`brain.js@${BRAIN_JS}`],
    fixtures: fixtureFiles('brain'),
    lsName: 'brain.js',
    ...brainStubs(brain),
  }, packs);
  if (!p) return skipAll(id, names, 'not installed');
  await nodeCase(`${id}: esm train, toJSON, fromJSON`, p.dir, 'train.mjs', ['out'], p.note);
  await Promise.all([
    nodeCase(`${id}: fromJSON in fresh process`, p.dir, 'reload.mjs', ['out'], p.note),
    nodeCase(`${id}: cjs require, train, fromJSON`, p.dir, 'cjs.cjs', [], p.note),
  ]);
}

/**
 * packages/brain/README.md "Install": npm's top-level overrides of gl and webgpu to the stubs/
 * shipped in the @apalu/brain tarball (extracted next to package.json, as the README's mkdir does).
 */
function brainStubs(brain) {
  return {
    overrides: { gl: 'file:./stubs/gl', webgpu: 'file:./stubs/webgpu' },
    prepare: async (dir) => {
      if (!brain) return undefined;
      const stubFiles = [...brain.files].filter((f) => f.startsWith('stubs/'));
      if (!stubFiles.includes('stubs/gl/package.json') || !stubFiles.includes('stubs/webgpu/package.json')) {
        // The README's two-file stand-ins, so the rest still runs; the missing files are the finding.
        for (const [n, body] of [['gl', 'module.exports = () => null;'], ['webgpu', 'module.exports = {};']]) {
          mkdirSync(join(dir, 'stubs', n), { recursive: true });
          writeFileSync(join(dir, 'stubs', n, 'package.json'), JSON.stringify({ name: n, version: '0.0.0-stub', main: 'index.js' }));
          writeFileSync(join(dir, 'stubs', n, 'index.js'), `${body}\n`);
        }
        return '@apalu/brain tarball has no stubs/gl and stubs/webgpu (README "Install" says they ship); used the README\'s stand-ins';
      }
      await exec('tar', ['-xzf', brain.tarball, '-C', dir, '--strip-components=1', 'package/stubs'], { timeoutMs: 30_000 });
      return undefined;
    },
  };
}

/**
 * The first `npm i …` line of the README inside the tarball, run as written (the @apalu names
 * replaced by the tarballs), then the package imported with ESM and required with CJS (and its
 * ./conformance subpath when it is a backend).
 */
async function readmeProject(name, packs) {
  const id = `readme ${name}`;
  const names = ['esm import', 'cjs require'];
  if (![`${id}: install`, ...names.map((n) => `${id}: ${n}`)].some(wanted)) return;
  const pack = packs.get(name);
  if (!pack) return;
  const readme = (await exec('tar', ['-xzOf', pack.tarball, 'package/README.md'], { timeoutMs: 30_000 })).stdout;
  const line = readme.split('\n').map((l) => l.trim()).find((l) => /^npm (i|install)\s/.test(l));
  if (!line) {
    record(`${id}: install`, 'FAIL', { reason: 'the README.md in the tarball has no `npm i …` line' });
    return;
  }
  const tokens = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
  const specs = tokens.filter((t) => !t.startsWith('-'));
  const apalu = specs.filter((t) => t.startsWith('@apalu/')).map((t) => /^@apalu\/[^@]+/.exec(t)[0]);
  const deps = specs.filter((t) => !t.startsWith('@apalu/'));
  const p = await installProject(id, {
    apalu,
    deps,
    flags: tokens.filter((t) => t.startsWith('-')),
    label: `README: ${line}`,
    cases: names.map((n) => `${id}: ${n}`),
    fixtures: fixtureFiles('readme'),
    lsName: deps.some((d) => d.startsWith('@tensorflow/')) ? '@tensorflow/tfjs-core' : null,
    ...(name === '@apalu/brain' ? brainStubs(pack) : {}),
  }, packs);
  if (!p) return skipAll(id, names, 'not installed');
  await nodeCase(`${id}: esm import`, p.dir, 'smoke.mjs', [name], p.note);
  await nodeCase(`${id}: cjs require`, p.dir, 'smoke.cjs', [name], p.note);
}

function skipAll(id, names, why) {
  for (const n of names) if (wanted(`${id}: ${n}`)) record(`${id}: ${n}`, 'FAIL', { reason: `skipped: ${why}` });
}

// ---------------------------------------------------------------------------------------------
// 3. Browser project
const PAGES = [['bare', 'index.html', "bare import '@apalu/tfjs' + loadLayersModel"], ['named', 'named.html', "import { Apalu } from '@apalu/tfjs'"]];

function html(title, src, type = 'module') {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head>\n` +
    `<body><pre id="out">running…</pre><script${type ? ` type="${type}"` : ''} src="${src}"></script></body></html>\n`;
}

async function browserProject(packs, chromiumReady) {
  const id = 'browser';
  const all = ['vite-dev', 'vite-build', 'webpack', 'esbuild'];
  const pageIds = (b) => PAGES.map(([name]) => `${id} ${b}: ${name} page`);
  const p = await installProject(id, {
    cases: [`${id}: model artifacts (Node, cpu)`, ...all.flatMap((b) => [`${id} ${b}: build`, ...pageIds(b)])],
    apalu: ['@apalu/tfjs'],
    deps: [`@tensorflow/tfjs@${TFJS_BROWSER}`, ...Object.entries(TOOLS).map(([n, v]) => `${n}@${v}`)],
    fixtures: [...fixtureFiles('browser'), join(FIX, 'tfjs', 'tfjs-case.cjs')],
  }, packs);
  if (!p) {
    for (const b of all) for (const pid of pageIds(b)) if (wanted(pid)) record(pid, 'FAIL', { reason: 'skipped: not installed' });
    return;
  }
  const { dir } = p;
  cpSync(join(FIX, 'browser', 'src'), join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), html('@apalu/tfjs bare import', '/src/bare.js'));
  writeFileSync(join(dir, 'named.html'), html('@apalu/tfjs named import', '/src/named.js'));
  const mm = await nodeCase(`${id}: model artifacts (Node, cpu)`, dir, 'make-model.mjs', [], p.note, true);
  if (!mm || mm.status !== 'PASS') {
    for (const b of all) for (const pid of pageIds(b)) if (wanted(pid)) record(pid, 'FAIL', { reason: 'skipped: the model artifacts could not be made in Node' });
    return;
  }
  const chrome = await chromiumReady;
  const bin = (n) => join(dir, 'node_modules', '.bin', n);

  // Builds (in parallel with the dev server check, two at a time).
  const builds = {
    'vite-build': () => cpu(() => exec(bin('vite'), ['build'], { cwd: dir, env, timeoutMs: 300_000 })),
    webpack: () => cpu(() => exec('node', ['webpack.build.mjs'], { cwd: dir, env, timeoutMs: 300_000 })),
    esbuild: () => cpu(() => exec(bin('esbuild'), ['src/bare.js', 'src/named.js', '--bundle', '--format=esm', '--platform=browser', '--minify',
      '--outdir=dist/esbuild', '--log-level=warning', '--log-limit=0'], { cwd: dir, env, timeoutMs: 300_000 })),
  };
  const built = {};
  for (const [b, run] of Object.entries(builds)) {
    if (!pageIds(b).some(wanted) && !wanted(`${id} ${b}: build`)) continue;
    built[b] = run().then((r) => checkBuild(`${id} ${b}: build`, b, dir, r));
  }

  const pageRun = async (b, baseUrl, extra = () => []) => {
    if (!chrome.ok) {
      for (const pid of pageIds(b)) if (wanted(pid)) record(pid, CI ? 'FAIL' : 'SKIP', { reason: chrome.reason });
      return;
    }
    const { context, userDataDir } = await launch(dir);
    try {
      for (const [name, file, what] of PAGES) {
        const pid = `${id} ${b}: ${name} page`;
        if (!wanted(pid)) continue;
        const t0 = Date.now();
        const r = await runPage(context, `${baseUrl}/${file}`);
        const more = extra();
        const ok = r.ok && more.length === 0;
        record(pid, ok ? 'PASS' : 'FAIL', {
          reason: ok ? undefined : [r.error, ...more].filter(Boolean).join(' | '),
          detail: `${what}; tf.getBackend() = ${r.backend ?? '?'}; ${r.detail ?? ''}${ok ? '' : ` console: ${r.consoleTail.join(' / ')}`}`,
          ms: Date.now() - t0,
        });
        log(`  ${pid}: tf.getBackend() = ${r.backend ?? '?'}`);
      }
    } finally {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    }
  };

  // Vite dev server: the page as `npm run dev` serves it (dependency pre-bundling included).
  if (pageIds('vite-dev').some(wanted)) {
    const port = await freePort();
    const server = start(bin('vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, env });
    const base = `http://127.0.0.1:${port}`;
    const up = await waitHttp(`${base}/index.html`, 60_000);
    if (!up) {
      for (const pid of pageIds('vite-dev')) if (wanted(pid)) record(pid, 'FAIL', { reason: `vite dev server did not answer on ${base}: ${tail(server.output(), 6)}` });
    } else {
      await pageRun('vite-dev', base, () => [
        ...badBuildLines(server.output()).concat(server.output().split('\n').filter((l) => /error/i.test(l)).map((l) => l.trim()))
          .map((l) => `vite dev server: ${l.slice(0, 300)}`).filter((l, i, a) => a.indexOf(l) === i).slice(0, 4),
        ...viteDepsProblems(dir),
      ]);
    }
    await server.stop();
  }

  // Production builds, each served by a static server.
  const outDirs = { 'vite-build': 'dist/vite', webpack: 'dist/webpack', esbuild: 'dist/esbuild' };
  for (const b of Object.keys(outDirs)) {
    if (!built[b]) continue;
    const ok = await built[b];
    if (!ok) {
      for (const pid of pageIds(b)) if (wanted(pid)) record(pid, 'FAIL', { reason: `skipped: the ${b} build failed` });
      continue;
    }
    const out = join(dir, outDirs[b]);
    if (b !== 'vite-build') {
      const type = b === 'esbuild' ? 'module' : '';
      writeFileSync(join(out, 'index.html'), html(`${b} bare`, './bare.js', type));
      writeFileSync(join(out, 'named.html'), html(`${b} named`, './named.js', type));
    }
    const srv = await serveStatic(out);
    try {
      await pageRun(b, `http://127.0.0.1:${srv.port}`);
    } finally {
      await srv.close();
    }
  }
}

/** Records the build row: exit status, refused warnings, Node-only modules left in the bundle. */
function checkBuild(rowId, b, dir, r) {
  const problems = [];
  if (r.code !== 0 || r.timedOut) problems.push(`${b} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${tail(r.all, 8)}`);
  const bad = badBuildLines(r.all);
  if (bad.length) problems.push(`${bad.length} refused warning(s): ${bad.slice(0, 6).join(' || ')}`);
  const outDir = join(dir, { 'vite-build': 'dist/vite', webpack: 'dist/webpack', esbuild: 'dist/esbuild' }[b]);
  const refs = new Map();
  if (existsSync(outDir)) {
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const f = join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (/\.m?js$/.test(e.name)) for (const m of nodeOnlyRefs(readFileSync(f, 'utf8'))) refs.set(m, [...(refs.get(m) ?? []), f.slice(outDir.length + 1)]);
      }
    };
    walk(outDir);
  }
  if (refs.size) problems.push(`bundle references Node-only modules: ${[...refs].map(([m, f]) => `"${m}" in ${[...new Set(f)].join(', ')}`).join('; ')}`);
  const warnings = (r.all.match(/warn/gi) ?? []).length;
  if (wanted(rowId)) record(rowId, problems.length ? 'FAIL' : 'PASS', { reason: problems.join('\n'), detail: `${warnings} line(s) mentioning warnings; output: ${tail(r.all, 3)}`, ms: r.ms });
  return r.code === 0 && !r.timedOut;
}

async function waitHttp(url, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// 4. Report
function printTable() {
  const rows = results.map((r) => [r.id, r.status, r.ms === undefined ? '' : `${(r.ms / 1000).toFixed(1)}s`, r.status === 'PASS' ? '' : String(r.reason ?? '').split('\n')[0]]);
  const w0 = Math.max(4, ...rows.map((r) => r[0].length));
  const line = (c) => `${c[0].padEnd(w0)}  ${c[1].padEnd(4)}  ${c[2].padStart(6)}  ${c[3].length > 160 ? `${c[3].slice(0, 157)}…` : c[3]}`;
  const out = ['', line(['case', 'result', 'time', 'reason']), '-'.repeat(Math.min(w0 + 180, 220)), ...rows.map(line)];
  const failed = results.filter((r) => r.status === 'FAIL');
  if (failed.length) {
    out.push('', 'Failures (full reasons):');
    for (const r of failed) out.push(`- ${r.id}:\n    ${String(r.reason).split('\n').join('\n    ')}`);
  }
  const n = (s) => results.filter((r) => r.status === s).length;
  out.push('', `consumer suite: ${n('PASS')} passed, ${n('FAIL')} failed, ${n('SKIP')} skipped (${results.length} cases) in ${Math.round((Date.now() - T0) / 1000)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const T0 = Date.now();
async function main() {
  log(`packages from ${REPO}; temp folder ${tmp}${keep ? ' (kept)' : ''}; node ${process.version}; npm ${(await exec('npm', ['-v'], { env })).stdout.trim()}`);
  const chromiumReady = ensureChromium();
  const ortLatest = exec('npm', ['view', 'onnxruntime-web@latest', 'version'], { env, timeoutMs: 30_000 })
    .then((r) => (r.code === 0 && /^\d+\.\d+\.\d+$/.test(r.stdout.trim()) ? r.stdout.trim() : ORT_LATEST_FALLBACK));
  const packs = await packAll();
  const latest = await ortLatest;
  await Promise.all([
    browserProject(packs, chromiumReady),
    ...TFJS_VERSIONS.map((v) => tfjsProject(v, 'umbrella', packs)),
    tfjsProject(TFJS_VERSIONS[0], 'split', packs),
    twoCopiesProject(packs),
    onnxProject(ORT_FLOOR, 'floor', packs),
    latest === ORT_FLOOR ? undefined : onnxProject(latest, 'latest', packs),
    brainProject(packs),
    ...[...packs.keys()].sort().map((n) => readmeProject(n, packs)),
  ]);
  await chromiumReady.then((c) => { if (!c.ok) log(`chromium: ${c.reason}`); else log(`chromium: ${CHROMIUM}`); });
}

let code = 0;
try {
  await main();
} catch (e) {
  record('harness', 'FAIL', { reason: String(e.stack ?? e) });
} finally {
  killAll();
  printTable();
  if (args.has('json')) writeFileSync(String(args.get('json')), JSON.stringify({ results, tmp }, null, 2));
  code = results.some((r) => r.status === 'FAIL') || (CI && results.some((r) => r.status === 'SKIP')) ? 1 : 0;
  if (keep) log(`kept ${tmp}`);
  else {
    // ~2 GB of node_modules: removing it takes minutes on a slow disk, so a detached rm does it.
    spawn('rm', ['-rf', tmp], { detached: true, stdio: 'ignore' }).unref();
    log(`removing ${tmp} in the background`);
  }
}
process.exit(code);
