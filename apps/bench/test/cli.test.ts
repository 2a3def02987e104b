import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { swiftShaderEnv, useSwiftShader } from '@apalu/dev/swiftshader';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../src/index.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface CliOptions {
  /** Send `signals` (default one SIGINT) once stderr matches. */
  interruptOn?: RegExp;
  signals?: NodeJS.Signals[];
  /** Run as the top process (it may relaunch itself with SwiftShader) instead of as the relaunched child. */
  top?: boolean;
}

/** Runs the CLI as `pnpm bench` does (tsx), optionally signalling it once stderr shows `interruptOn`. */
function cli(args: string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, APALU_BENCH_CHILD: '1' };
  if (options.top) {
    // As a user's shell starts it: no driver chosen yet, so the CLI sets SwiftShader up and relaunches.
    delete env.APALU_BENCH_CHILD;
    delete env.VK_ICD_FILENAMES;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: appDir, env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (options.interruptOn && !sent && options.interruptOn.test(stderr)) {
        sent = true;
        for (const signal of options.signals ?? ['SIGINT']) child.kill(signal);
      }
    });
    child.on('error', reject);
    // 'close' also waits for a relaunched child: it holds the same pipes.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tmp = () => mkdtemp(join(tmpdir(), 'apalu-bench-'));

describe('pnpm bench (CLI)', () => {
  it('--smoke writes the markdown, JSON and SVG results, named after the filter', async () => {
    const out = await tmp();
    const run = await cli(['--smoke', '--filter=core', '--no-progress', `--out=${out}`]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'bench-smoke-filter-core.json'), 'utf8')) as BenchResult;
    expect(json.mode).toBe('smoke');
    expect(json.interrupted).toBe(false);
    expect(json.filter).toEqual(['core']);
    expect(json.measurements.filter((m) => m.entry === 'core-reference')).toHaveLength(4);
    expect(await readFile(join(out, 'bench-smoke-filter-core.md'), 'utf8')).toContain('| core-reference');
    expect(await readFile(join(out, 'bench-smoke-filter-core.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);
    expect(run.stdout).toContain('# APALU benchmark (smoke)');
    expect(run.stdout).toContain('Not the whole smoke run: filtered to core.');
  });

  it('Ctrl-C stops after the current task and writes what was measured, named partial', async () => {
    const out = await tmp();
    // without a terminal the CLI logs one line per size and direction: stop during the second
    const run = await cli(['--quick', '--filter=core', `--out=${out}`], { interruptOn: /1K backward/ });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Stopping after the current task');
    expect(run.stderr).toContain('Interrupted: these are partial results');
    expect(await readdir(out)).toEqual(['bench-quick-filter-core-partial.json', 'bench-quick-filter-core-partial.md', 'bench-quick-filter-core-partial.svg']);
    const json = JSON.parse(await readFile(join(out, 'bench-quick-filter-core-partial.json'), 'utf8')) as BenchResult;
    expect(json.interrupted).toBe(true);
    expect(json.measurements.length).toBeLessThan(4 * 2 * 3);
    expect(await readFile(join(out, 'bench-quick-filter-core-partial.md'), 'utf8')).toContain('Interrupted: partial results');
  });

  it('one Ctrl-C that arrives twice at once (terminal and a forwarding parent) is one press', async () => {
    const out = await tmp();
    const run = await cli(['--quick', '--filter=core', `--out=${out}`], { interruptOn: /1K backward/, signals: ['SIGINT', 'SIGINT'] });
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(out)).toContain('bench-quick-filter-core-partial.json');
  });

  it('--help prints the usage; usage errors print it without a stack trace and exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}pnpm bench \[--full \| --quick \| --smoke\]/);
    for (const [args, message] of [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--sizes=abc'], '--sizes: "abc" is not a size'],
      [['--sizes='], '--sizes needs at least one size'],
      [['--full', '--quick'], 'choose one mode: --full and --quick were both given.'],
      // --smoke so that a CLI which ignored the mistake would run briefly, not for ten minutes
      [['--smoke', '--write-readmes', `--out=${tmpdir()}`], '--write-readmes needs --rows=FILE.json'],
    ] as const) {
      const run = await cli([...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(`pnpm bench: ${message}`);
      expect(run.stderr).toContain('Usage:');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a filter that matches no APALU row is an error naming the filter and the rows', async () => {
    const out = await tmp();
    const run = await cli(['--smoke', '--filter=nosuchrow', '--no-progress', `--out=${out}`]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('pnpm bench: filter "nosuchrow" matches no APALU row');
    expect(run.stderr).toMatch(/Rows: .*core-reference/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(out)).toEqual([]);
  });

  it('--rows of an interrupted run marks every table "Not for a README"', async () => {
    const out = await tmp();
    const run = await cli(['--quick', '--filter=core', `--out=${out}`], { interruptOn: /1K backward/ });
    expect(run.code, run.stderr).toBe(0);
    const rows = await cli([`--rows=${join(out, 'bench-quick-filter-core-partial.json')}`]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(rows.stderr).toContain('is not a complete full run (quick run, interrupted: partial results, filtered to core)');
    expect(rows.stdout).toContain('**Not for a README: quick run, interrupted: partial results, filtered to core**');
  });

  // The relaunched child (SwiftShader) gets the signals sent to the process that was started.
  // CI installs SwiftShader here (useSwiftShader throws there when it cannot); locally these
  // tests skip, saying why, when it is not installed.
  const relaunches = process.platform === 'linux' && (swiftShaderEnv() !== undefined || (process.env.CI ? useSwiftShader('@apalu/bench tests') : false));
  if (!relaunches) console.warn('[@apalu/bench] skipping the relaunch tests: SwiftShader is not installed (pnpm --filter @apalu/dev setup:swiftshader installs it; CI does).');
  describe.skipIf(!relaunches)('relaunched with SwiftShader', () => {
    it('passes Ctrl-C on to the run: it stops and writes what was measured', async () => {
      const out = await tmp();
      const run = await cli(['--quick', '--filter=core', `--out=${out}`], { top: true, interruptOn: /1K backward/ });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('Stopping after the current task');
      expect(await readdir(out)).toContain('bench-quick-filter-core-partial.json');
    });

    it('passes SIGTERM on and exits 143 with the run', async () => {
      const out = await tmp();
      const run = await cli(['--quick', '--filter=core', `--out=${out}`], { top: true, interruptOn: /1K forward/, signals: ['SIGTERM'] });
      expect(run.code, run.stderr).toBe(143);
      expect(await readdir(out)).toEqual([]);
    });
  });
});
