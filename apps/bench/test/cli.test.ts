import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../src/index.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the CLI as `pnpm bench` does (tsx), optionally sending SIGINT once stderr shows `interruptOn`. */
function cli(args: string[], interruptOn?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: appDir, env: { ...process.env, APALU_BENCH_CHILD: '1' } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (interruptOn && !sent && interruptOn.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm bench (CLI)', () => {
  it('--smoke writes the markdown, JSON and SVG results', async () => {
    const out = await mkdtemp(join(tmpdir(), 'apalu-bench-'));
    const run = await cli(['--smoke', '--filter=core', '--no-progress', `--out=${out}`]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'bench-smoke.json'), 'utf8')) as BenchResult;
    expect(json.mode).toBe('smoke');
    expect(json.interrupted).toBe(false);
    expect(json.measurements.filter((m) => m.entry === 'core-reference')).toHaveLength(4);
    expect(await readFile(join(out, 'bench-smoke.md'), 'utf8')).toContain('| core-reference');
    expect(await readFile(join(out, 'bench-smoke.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);
    expect(run.stdout).toContain('# APALU benchmark (smoke)');
  });

  it('Ctrl-C stops after the current task and still writes what was measured', async () => {
    const out = await mkdtemp(join(tmpdir(), 'apalu-bench-'));
    // without a terminal the CLI logs one line per size and direction: stop during the second
    const run = await cli(['--quick', '--filter=core', `--out=${out}`], /1K backward/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Stopping after the current task');
    const json = JSON.parse(await readFile(join(out, 'bench-quick.json'), 'utf8')) as BenchResult;
    expect(json.interrupted).toBe(true);
    expect(json.measurements.length).toBeLessThan(4 * 2 * 3);
    expect(await readFile(join(out, 'bench-quick.md'), 'utf8')).toContain('Interrupted: partial results');
  });
});
