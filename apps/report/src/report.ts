import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ConformanceReport, formatFailures, formatMatrix, loadVariants, runConformance, variantRunOptions } from '@apalu/conformance';
import { BACKEND_MODULES } from './backends.js';
import { quickBench } from './bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

/** A backend that could not start here (no WebGPU adapter, say): listed with the reason. */
interface Unavailable {
  name: string;
  reason: string;
  /** true: this machine lacks what the backend needs (codes below); false: the backend broke. */
  environment: boolean;
}

/**
 * Error codes that mean "this machine lacks it" (no WebGPU, no adapter, a tfjs backend package
 * or initialisation missing). Any other error while a backend starts is a defect and fails the
 * report, and in CI (CI set) a missing environment fails it too.
 */
const ENVIRONMENT_CODES = new Set(['E_NO_WEBGPU', 'E_NO_ADAPTER', 'E_BACKEND']);

const USAGE = `Usage: pnpm run report [-- --no-bench]

Runs the conformance kit over every backend variant in the workspace and prints the matrix,
then apps/bench's quick benchmark; writes apps/report/results/report.md and report.json.
  --no-bench   the conformance matrix only
  --help       this text
Exit code: 0 when every variant that could start passed and the bench rejected nothing; 1
otherwise, also when a variant failed to start for a reason other than a missing
environment (or for any reason when CI is set); 2 for a usage error.`;

async function conformanceMatrix(): Promise<{ reports: ConformanceReport[]; unavailable: Unavailable[] }> {
  const reports: ConformanceReport[] = [];
  const unavailable: Unavailable[] = [];
  for (const entry of BACKEND_MODULES) {
    const variants = await loadVariants(entry, here);
    for (const variant of variants) {
      process.stderr.write(`conformance: ${variant.name} … `);
      if (variant.platform === 'browser') {
        // WebGL variants: the playground (apps/playground) runs them in chromium.
        unavailable.push({ name: variant.name, reason: 'runs in a browser only (WebGL); apps/playground runs it in chromium', environment: true });
        process.stderr.write('browser only\n');
        continue;
      }
      let backend;
      try {
        backend = await variant.create();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const code = (error as { code?: unknown } | null)?.code;
        const environment = typeof code === 'string' && ENVIRONMENT_CODES.has(code);
        unavailable.push({ name: variant.name, reason, environment });
        process.stderr.write(`${environment ? 'unavailable' : 'FAILED TO START'} (${reason})\n`);
        continue;
      }
      try {
        const report = await runConformance(backend, variantRunOptions(variant));
        reports.push(report);
        process.stderr.write(`${report.pass ? 'pass' : 'FAIL'} (${(report.durationMs / 1000).toFixed(1)} s)\n`);
        if (!report.pass) process.stderr.write(`${formatFailures(report.checks)}\n`);
      } finally {
        await backend.dispose?.();
      }
    }
  }
  return { reports, unavailable };
}

async function main(): Promise<void> {
  let values: { help?: boolean; 'no-bench'?: boolean };
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { help: { type: 'boolean' }, 'no-bench': { type: 'boolean' } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const started = new Date();
  const { reports, unavailable } = await conformanceMatrix();
  const sections = [
    `# APALU cross-backend report`,
    '',
    `${started.toISOString()} · Node ${process.version} · ${process.platform}/${process.arch}`,
    '',
    "## Conformance matrix (accuracy classes of @apalu/core's SPEC.md)",
    '',
    formatMatrix(reports),
  ];
  const missing = unavailable.filter((u) => u.environment);
  const broken = unavailable.filter((u) => !u.environment);
  if (missing.length) sections.push('', 'Not available on this machine:', ...missing.map((u) => `- ${u.name}: ${u.reason}`));
  if (broken.length) sections.push('', '**Failed to start (a defect, not a missing environment):**', ...broken.map((u) => `- ${u.name}: ${u.reason}`));
  const failed =
    reports.length === 0 || !reports.every((r) => r.pass) || broken.length > 0 || (process.env.CI !== undefined && process.env.CI !== '' && missing.length > 0);
  // The matrix is written before the bench starts: stopping the bench (Ctrl-C) or a bench error
  // keeps it.
  const write = async (markdown: string, bench?: unknown) => {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, 'report.md'), `${markdown}\n`);
    await writeFile(join(resultsDir, 'report.json'), `${JSON.stringify({ date: started.toISOString(), reports, unavailable, bench }, null, 2)}\n`);
  };
  await write(sections.join('\n'));
  console.log(sections.join('\n'));
  let benchFailed = false;
  if (!values['no-bench']) {
    try {
      const bench = await quickBench();
      sections.push('', bench.markdown);
      console.log(`\n${bench.markdown}`);
      benchFailed = bench.result.rejected.length > 0;
      await write(sections.join('\n'), bench.result);
    } catch (error) {
      benchFailed = true;
      sections.push('', `The quick benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
      console.error(error);
      await write(sections.join('\n'));
    }
  }
  console.error(`\nwritten: ${join(resultsDir, 'report.md')} and report.json`);
  if (failed || benchFailed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
