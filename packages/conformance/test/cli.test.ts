import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built CLI, as users run it.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe('apalu-conformance CLI', () => {
  it('fails (exit 1) a backend whose promises never settle, naming the cases, instead of exiting 0 with no output', () => {
    const r = run('--quiet', '--timeout', '0.05', '--runs', '3', fixture('never-settling-backend.mjs'));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^special-values f: forward did not settle within 0\.05 s/m);
    expect(r.err).toMatch(/^property settles: forward did not settle/m);
    expect(r.out).toMatch(/\| never-settling \| strict \|.*❌ FAIL/);
  });

  it('writes NaN and ±∞ in the JSON report as strings (JSON.stringify would write null)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'apalu-cli-')), 'r.json');
    const r = run('--quiet', '--timeout', '0.05', '--runs', '1', '--json', file, fixture('never-settling-backend.mjs'));
    expect(r.status).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"error": "Infinity"');
    expect(text).not.toContain('"error": null');
  });

  it("lists a browser-only variant as not run in Node (exit 0 for the rest), and refuses it by name (exit 2)", () => {
    const all = run('--quiet', '--runs', '3', fixture('browser-only-backend.mjs'));
    expect(all.err).toMatch(/needs-webgl runs in a browser only .*: not run here\./);
    expect(all.out).toMatch(/^\| core[^|]*\| strict \|/m);
    expect(all.status).toBe(0);
    const named = run('--quiet', `${fixture('browser-only-backend.mjs')}#needs-webgl`);
    expect(named.status).toBe(2);
    expect(named.err).toMatch(/needs-webgl runs in a browser only/);
  });

  it('passes the core reference (exit 0) with the contract and property cases in the matrix', () => {
    const r = run('--quiet', '--runs', '20', '@apalu/core');
    expect(r.status).toBe(0);
    for (const name of ['mutate-after-call/forward', 'transfer-after-call/backward', 'property']) expect(r.out).toContain(`| ${name} | ✓ |`);
    expect(r.out).toContain('`dispose-mid-flight` excluded — core-reference has no dispose()');
  });

  it.each([
    [['--sample-bits', '99', '@apalu/core'], /--sample-bits only applies to --exhaustive/],
    [['--threads', '2', '@apalu/core'], /--threads only applies to --exhaustive/],
    [['--exhaustive', '--sample-bits', '99', '@apalu/core'], /--sample-bits 99: expected an integer from 20 to 32/],
    [['--bogus', '@apalu/core'], /Unknown option '--bogus'/],
    [['--runs', '0', '@apalu/core'], /--runs 0: expected an integer from 1/],
    [['--runs', '1e3', '@apalu/core'], /--runs 1e3: expected an integer/],
    [['--seed', 'x', '@apalu/core'], /--seed x: expected an integer/],
    [['--timeout', '0', '@apalu/core'], /--timeout 0: expected seconds/],
    [['--path', '1:2', '@apalu/core'], /--path replays a counterexample of one seed/],
    [[], /no backend module given/],
  ])('refuses %j with the usage and exit 2', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('Usage: apalu-conformance');
    expect(r.out).toBe('');
  });
});
