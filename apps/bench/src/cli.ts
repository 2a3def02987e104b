/**
 * pnpm bench [--quick | --smoke] [--filter=tfjs,onnx] [--sizes=1024,65536] [--out=DIR] [--machine="…"]
 * Full run by default. Ctrl-C stops after the current task and writes what was measured.
 * pnpm bench --rows=results/bench-full.json prints each package's rows (for its README), no run;
 * add --write-readmes to put them under each package README's "## Speed" heading.
 * Run as `node --import tsx`: the tsx binary SIGKILLs a child that does not answer a relayed
 * Ctrl-C within 30 ms, and a timing loop is busy for longer than that.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { useSwiftShader } from '@apalu/webgpu/swiftshader';
import cliProgress from 'cli-progress';
import { formatMarkdown, formatPackageRows } from './output/markdown.js';
import { writePackageReadmes } from './output/readmes.js';
import { writeResults } from './output/write.js';
import { runBench } from './run.js';
import type { BenchMode, BenchResult } from './types.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Dawn reads the Vulkan driver location when the process starts: without a GPU driver of our
 * own choosing, set SwiftShader up (@apalu/webgpu/swiftshader) and run again as a child, so the
 * webgpu row is measured (labelled emulated).
 */
function relaunchWithSwiftShader(): boolean {
  if (process.env.APALU_BENCH_CHILD || !useSwiftShader('@apalu/bench')) return false;
  // The child gets the terminal (and Ctrl-C); this process only waits for it.
  process.on('SIGINT', () => {});
  const env = { ...process.env, APALU_BENCH_CHILD: '1' };
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exitCode = child.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      filter: { type: 'string' },
      sizes: { type: 'string' },
      out: { type: 'string' },
      machine: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      rows: { type: 'string' },
      'write-readmes': { type: 'boolean', default: false },
    },
  });
  if (values.rows) {
    const saved = JSON.parse(readFileSync(values.rows, 'utf8')) as BenchResult;
    if (values['write-readmes']) {
      for (const file of writePackageReadmes(saved, join(appDir, '..', '..'))) console.log(`updated ${file}`);
      return;
    }
    for (const source of [...new Set(saved.entries.filter((e) => e.role === 'apalu').map((e) => e.source))]) {
      console.log(`### ${source}\n\n${formatPackageRows(saved, source)}\n`);
    }
    return;
  }
  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  if (values.machine) process.env.APALU_BENCH_MACHINE = values.machine;

  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write('\nStopping after the current task (Ctrl-C again to quit without writing results)…\n');
  });

  // A terminal gets the bar; a log (CI, a pipe) gets one line per size and direction instead.
  const showBar = !values['no-progress'] && process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted} | {label}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 40,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const result = await runBench({
    mode,
    ...(values.filter ? { filter: values.filter } : {}),
    ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
    signal: controller.signal,
    onProgress: (event) => {
      if (event.kind === 'note') {
        if (started && showBar) bar.update({ label: event.message });
        else if (!values['no-progress'] || !started) process.stderr.write(`${event.message}\n`);
      } else if (event.kind === 'start') {
        started = true;
        if (showBar) bar.start(event.total, 0, { label: 'starting' });
      } else if (showBar) bar.update(event.done, { label: event.label });
    },
  });
  if (showBar) bar.stop();
  const files = await writeResults(result, resolve(values.out ?? join(appDir, 'results')));
  console.log(formatMarkdown(result));
  console.error(`\nwritten: ${files.markdown}, ${files.json}, ${files.svg}`);
  if (result.rejected.length) process.exitCode = 1;
}

if (process.argv.some((a) => a.startsWith('--rows')) || !relaunchWithSwiftShader()) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
