import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConformanceReport, formatFailures, formatMatrix, loadVariants, runConformance, variantRunOptions } from '@apalu/conformance';
import { BACKEND_MODULES } from './backends.js';
import { quickBench } from './bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

/** A backend that could not start here (no WebGPU adapter, say): listed with the reason. */
interface Unavailable {
  name: string;
  reason: string;
}

async function conformanceMatrix(): Promise<{ reports: ConformanceReport[]; unavailable: Unavailable[] }> {
  const reports: ConformanceReport[] = [];
  const unavailable: Unavailable[] = [];
  for (const entry of BACKEND_MODULES) {
    const variants = await loadVariants(entry, here);
    for (const variant of variants) {
      process.stderr.write(`conformance: ${variant.name} … `);
      let backend;
      try {
        backend = await variant.create();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        unavailable.push({ name: variant.name, reason });
        process.stderr.write(`unavailable (${reason})\n`);
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
  const started = new Date();
  const { reports, unavailable } = await conformanceMatrix();
  const sections = [
    `# APALU cross-backend report`,
    '',
    `${started.toISOString()} · Node ${process.version} · ${process.platform}/${process.arch}`,
    '',
    '## Conformance matrix (SPEC.md accuracy classes)',
    '',
    formatMatrix(reports),
  ];
  if (unavailable.length) {
    sections.push('', 'Not available on this machine:', ...unavailable.map((u) => `- ${u.name}: ${u.reason}`));
  }
  const bench = await quickBench();
  sections.push('', bench.markdown);
  const markdown = sections.join('\n');
  console.log(markdown);
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'report.md'), `${markdown}\n`);
  await writeFile(join(resultsDir, 'report.json'), `${JSON.stringify({ date: started.toISOString(), reports, unavailable, bench: bench.result }, null, 2)}\n`);
  console.error(`\nwritten: ${join(resultsDir, 'report.md')} and report.json`);
  if (!reports.every((r) => r.pass) || bench.result.rejected.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
