/**
 * `pnpm run bench:webgl`: APALU on tfjs's **webgl** backend in Debian chromium (headless,
 * WebGL2 through ANGLE's SwiftShader), one page and one run: @apalu/tfjs's webgl kernels and its
 * composed path beside tf.elu, tf.prelu and tf.relu at 1M elements, forward and
 * forward+backward, plus one MLP training epoch with Apalu against ReLU. Writes
 * results/webgl.md and results/webgl.json (or --out=DIR) and prints the table; with
 * --write-readme it also replaces the table between the "webgl bench" markers of @apalu/tfjs's README.
 *
 * SwiftShader emulates the GPU on the CPU: only the ratios mean anything, never the times.
 * Uses the packages as last built (`pnpm --filter @apalu/tfjs build` first).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { WebglBenchResult } from './page.js';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const COMMAND = 'pnpm --filter @apalu/bench run bench:webgl';

const FLAGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Headless chromium has no WebGL context without these (no GPU here).
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Replaces the block between the "webgl bench" markers of @apalu/tfjs's README with `markdown`; returns the file. */
function writeReadmeTable(markdown: string): string {
  const readme = join(appRoot, '..', '..', 'packages', 'tfjs', 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- webgl bench: start -->';
  const end = '<!-- webgl bench: end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${readme} has no "${start}" … "${end}" block to replace.`);
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${markdown.trim()}\n${text.slice(j)}`);
  return readme;
}

function option(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export function formatWebglMarkdown(r: WebglBenchResult, command = COMMAND): string {
  const lines: string[] = [];
  lines.push(`APALU on tfjs's webgl backend, ${r.elements.toLocaleString('en')} elements (C = ${r.channels}, channels-last), ${r.renderer}, WebGL ${r.webglVersion}; webgl kernel class here: **${r.kernelAccuracy}**.`);
  lines.push('SwiftShader emulates the GPU on the CPU (a shared 2-core machine): compare the ratios, not the times.');
  lines.push('');
  lines.push('| op | direction | median ms / call | × tf.elu | × tf.prelu | tfjs kernels per call |');
  lines.push('|---|---|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const elu = r.rows.find((q) => q.name === 'tf.elu' && q.direction === row.direction)?.medianMs ?? Number.NaN;
    const prelu = r.rows.find((q) => q.name === 'tf.prelu' && q.direction === row.direction)?.medianMs ?? Number.NaN;
    lines.push(`| ${row.name} | ${row.direction} | ${row.medianMs.toFixed(1)} | ${(row.medianMs / elu).toFixed(2)} | ${(row.medianMs / prelu).toFixed(2)} | ${row.kernels} |`);
  }
  lines.push('');
  const relu = r.epoch.find((e) => e.activation === 'relu')?.medianMs ?? Number.NaN;
  lines.push(`| training (${r.epochSetup}) | median ms / epoch | × ReLU |`);
  lines.push('|---|---:|---:|');
  const label = { apalu: 'Apalu layers (webgl kernels)', 'apalu-fast': "Apalu layers, precision 'fast'", relu: 'ReLU' } as const;
  for (const e of r.epoch) lines.push(`| ${label[e.activation]} | ${e.medianMs.toFixed(0)} | ${(e.medianMs / relu).toFixed(2)} |`);
  lines.push('');
  lines.push(`Command: \`${command}\` (Debian chromium, headless, \`--use-angle=swiftshader --enable-unsafe-swiftshader\`).`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const out = option('out') ?? join(appRoot, 'results');
  const dir = mkdtempSync(join(tmpdir(), 'apalu-webgl-bench-'));
  const profile = mkdtempSync(join(tmpdir(), 'apalu-webgl-profile-'));
  try {
    await build({
      entryPoints: [join(here, 'page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outfile: join(dir, 'page.js'),
      logLevel: 'warning',
      // tfjs-core's Node-only fallbacks (it never calls them in a browser).
      external: ['node:*', 'fs', 'os', 'path', 'crypto', 'worker_threads', 'util', 'string_decoder', 'perf_hooks'],
    });
    const html = '<!doctype html><meta charset="utf-8"><title>APALU webgl bench</title><script type="module" src="./page.js"></script>';
    const server = createServer((req, res) => {
      const body = req.url?.startsWith('/page.js') ? readFileSync(join(dir, 'page.js')) : Buffer.from(html);
      res.writeHead(200, { 'content-type': req.url?.startsWith('/page.js') ? 'text/javascript' : 'text/html' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port');
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || /ERROR:/.test(m.text())) console.error(`console.error: ${m.text().slice(0, 4000)}`);
      });
      await page.goto(`http://127.0.0.1:${address.port}/`);
      await page.waitForFunction(() => 'apaluWebglBench' in globalThis, null, { timeout: 60_000 });
      const hasGl = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
      if (!hasGl) throw new Error(`no WebGL2 context in ${CHROMIUM} (needs --use-angle=swiftshader --enable-unsafe-swiftshader)`);
      const elements = Number(option('elements') ?? 1 << 20);
      const result = await page.evaluate(
        (o) => (globalThis as unknown as { apaluWebglBench: { run(o: object): Promise<WebglBenchResult> } }).apaluWebglBench.run(o),
        { elements, rounds: Number(option('rounds') ?? 5), reps: Number(option('reps') ?? 10) },
      );
      const markdown = formatWebglMarkdown(result);
      console.log(markdown);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'webgl.md'), `# APALU on tfjs webgl (browser)\n\n${markdown}\n`);
      writeFileSync(join(out, 'webgl.json'), `${JSON.stringify({ date: new Date().toISOString(), command: COMMAND, ...result }, null, 2)}\n`);
      if (process.argv.includes('--write-readme')) console.log(`updated ${writeReadmeTable(markdown)}`);
      return 0;
    } finally {
      await context.close();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
