/**
 * pnpm bench [--full | --quick | --smoke] [--filter=tfjs,onnx] [--sizes=1024,65536] [--out=DIR] [--machine="…"]
 * Full run by default. Ctrl-C stops after the current task and writes what was measured.
 * pnpm bench --rows=results/bench-full.json prints each package's rows (for its README), no run;
 * add --write-readmes to put them under each package README's "## Speed" heading (complete
 * full runs only). pnpm bench --help lists the options; a usage error exits 2.
 * Run as `node --import tsx`: the tsx binary SIGKILLs a child that does not answer a relayed
 * Ctrl-C within 30 ms, and a timing loop is busy for longer than that.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { relaunch } from '@apalu/dev/relaunch';
import { useSwiftShader } from '@apalu/dev/swiftshader';
import cliProgress from 'cli-progress';
import { type RunCommand, USAGE, parseCliArgs } from './args.js';
import { UsageError } from './errors.js';
import { compareRuns, formatComparison } from './output/compare.js';
import { formatMarkdown, formatPackageRows } from './output/markdown.js';
import { writePackageReadmes } from './output/readmes.js';
import { writeResults } from './output/write.js';
import { runBench } from './run.js';
import { isCompleteFullRun, runDescription } from './run-kind.js';
import type { BenchResult } from './types.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * One Ctrl-C can arrive more than once: from the terminal, and passed on by a parent that
 * forwards signals (the SwiftShader relauncher below, pnpm). Signals within this many ms of
 * the first count as the same press; a later one quits.
 */
const SAME_PRESS_MS = 500;

function usageError(message: string, withUsage: boolean): number {
  console.error(`pnpm bench: ${message}`);
  console.error(withUsage ? `\n${USAGE}` : 'Run `pnpm bench --help` for the options.');
  return 2;
}

function readSaved(file: string, option = 'rows'): BenchResult {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--${option}: ${file}: cannot read a saved run (${(error as Error).message.split('\n')[0]}).`);
  }
  const r = saved as Partial<BenchResult> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.entries) || !Array.isArray(r.measurements) || !Array.isArray(r.sizes)) {
    throw new Error(`--${option}: ${file}: not a saved bench run (the .json a run writes).`);
  }
  return saved as BenchResult;
}

function rows(file: string, writeReadmes: boolean): number {
  let saved: BenchResult;
  try {
    saved = readSaved(file);
    // Refuses (throws) anything but a complete, unfiltered full run at the default sizes.
    if (writeReadmes) for (const written of writePackageReadmes(saved, join(appDir, '..', '..'))) console.log(`updated ${written}`);
  } catch (error) {
    console.error(`pnpm bench: ${(error as Error).message}`);
    return 1;
  }
  if (writeReadmes) return 0;
  if (!isCompleteFullRun(saved)) console.error(`note: ${file} is not a complete full run (${runDescription(saved)}): --write-readmes would refuse it.`);
  for (const source of [...new Set(saved.entries.filter((e) => e.role === 'apalu').map((e) => e.source))]) {
    console.log(`### ${source}\n\n${formatPackageRows(saved, source)}\n`);
  }
  return 0;
}

function compare(beforeFile: string, afterFile: string): number {
  let before: BenchResult;
  let after: BenchResult;
  try {
    before = readSaved(beforeFile, 'compare');
    after = readSaved(afterFile, 'compare');
  } catch (error) {
    console.error(`pnpm bench: ${(error as Error).message}`);
    return 1;
  }
  console.log(formatComparison(before, after, compareRuns(before, after)));
  return 0;
}

async function run(command: RunCommand): Promise<number> {
  if (command.machine) process.env.APALU_BENCH_MACHINE = command.machine;

  const controller = new AbortController();
  let firstPress = 0;
  process.on('SIGINT', () => {
    const now = Date.now();
    if (controller.signal.aborted) {
      if (now - firstPress >= SAME_PRESS_MS) process.exit(130);
      return;
    }
    firstPress = now;
    controller.abort();
    process.stderr.write('\nStopping after the current task (Ctrl-C again to quit without writing results)…\n');
  });

  // A terminal gets the bar; a log (CI, a pipe) gets one line per size and direction instead.
  const showBar = !command.noProgress && process.stderr.isTTY === true;
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
  let result: BenchResult;
  try {
    result = await runBench({
      mode: command.mode,
      ...(command.filter ? { filter: command.filter } : {}),
      ...(command.sizes ? { sizes: command.sizes } : {}),
      signal: controller.signal,
      onProgress: (event) => {
        if (event.kind === 'note') {
          if (started && showBar) bar.update({ label: event.message });
          else if (!command.noProgress || !started) process.stderr.write(`${event.message}\n`);
        } else if (event.kind === 'start') {
          started = true;
          if (showBar) bar.start(event.total, 0, { label: 'starting' });
        } else if (showBar) bar.update(event.done, { label: event.label });
      },
    });
  } finally {
    if (showBar) bar.stop();
  }
  const files = await writeResults(result, resolve(command.out ?? join(appDir, 'results')));
  console.log(formatMarkdown(result));
  console.error(`\nwritten: ${files.markdown}, ${files.json}, ${files.svg}`);
  if (result.interrupted) console.error('Interrupted: these are partial results, and the file names say so.');
  if (result.mode === 'full' && !isCompleteFullRun(result)) {
    console.error(`Not a complete full run (${runDescription(result)}): bench-full.* was left as it was, and --write-readmes will refuse these rows.`);
  }
  if (result.rejected.length) {
    console.error(`${result.rejected.length} row(s) not timed or dropped: see "Not timed" in the output.`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, true);
    throw error;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === 'rows') return rows(command.file, command.writeReadmes);
  if (command.kind === 'compare') return compare(command.before, command.after);
  // Dawn reads the Vulkan driver location when the process starts: without a GPU driver of our
  // own choosing, set SwiftShader up (the workspace's @apalu/dev) and run again as a child, so
  // the webgpu row is measured (labelled emulated). The child gets the terminal; Ctrl-C and
  // SIGTERM sent to this process are passed on to it, and its exit status becomes ours.
  if (!process.env.APALU_BENCH_CHILD && useSwiftShader('@apalu/bench')) {
    return relaunch(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { ...process.env, APALU_BENCH_CHILD: '1' });
  }
  return run(command);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.exitCode = usageError(error.message, false);
      return;
    }
    console.error(error);
    process.exitCode = 1;
  },
);
