#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type ExhaustiveReport, runExhaustive } from './exhaustive.js';
import { formatExhaustive, formatMatrix } from './matrix.js';
import { type ConformanceReport, formatFailures, runConformance } from './run.js';
import { loadVariants, variantRunOptions } from './variants.js';

const usage = `Usage: apalu-conformance [options] <module[#variant]>...

Runs the APALU conformance kit (the contract: the SPEC.md shipped in @apalu/core) against
backend modules that export createBackend(options?) and prints a markdown matrix. The
variants run are the conformanceVariants of <module>/conformance when the package has that
subpath, else those of the module itself, else one createBackend() with no options;
#variant picks one of them by name.

Options:
  --large             add the 16M-element case
  --exhaustive        also check f and ∂f/∂x on float32 inputs in worker threads
  --sample-bits <n>   with --exhaustive: 2^n inputs (20…32, default 32 = all 2^32)
  --threads <n>       worker threads for --exhaustive (default: all cores)
  --json <file>       write the reports as JSON
  --markdown <file>   write the matrix as markdown
  --quiet             no progress bar
  -h, --help          this text

Example: apalu-conformance @apalu/core @apalu/wasm --json conformance.json`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      large: { type: 'boolean', default: false },
      exhaustive: { type: 'boolean', default: false },
      'sample-bits': { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new RangeError(`--${name} ${v}: expected an integer`);
    return n;
  };
  const sampleBits = int('sample-bits', values['sample-bits']);
  const threads = int('threads', values.threads);
  const bar = values.quiet || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ format: ' {bar} {value}/{total} {name}', clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);

  const reports: ConformanceReport[] = [];
  const exhaustive: ExhaustiveReport[] = [];
  for (const entry of positionals) {
    for (const variant of await loadVariants(entry)) {
      const backend = await variant.create();
      try {
        bar?.start(1, 0, { name: variant.name });
        const report = await runConformance(backend, {
          large: values.large,
          ...variantRunOptions(variant),
          onCase: (name, done, total) => {
            bar?.setTotal(total);
            bar?.update(done, { name: `${variant.name}: ${name}` });
          },
        });
        bar?.stop();
        if (!values.quiet) console.error(`${report.pass ? '✓' : '✗'} ${report.backend} (${report.accuracy}) in ${(report.durationMs / 1000).toFixed(1)} s`);
        if (!report.pass) console.error(formatFailures(report.checks));
        reports.push(report);
      } finally {
        await backend.dispose?.();
      }
      if (values.exhaustive) {
        bar?.start(1, 0, { name: `${variant.name}: exhaustive` });
        const r = await runExhaustive({
          module: variant.moduleUrl,
          options: variant.options,
          ...(sampleBits !== undefined ? { sampleBits } : {}),
          ...(threads !== undefined ? { threads } : {}),
          onProgress: (done, total) => {
            bar?.setTotal(total);
            bar?.update(done, { name: `${variant.name}: exhaustive` });
          },
        });
        bar?.stop();
        exhaustive.push(r);
      }
    }
  }
  let markdown = formatMatrix(reports);
  if (exhaustive.length) markdown += `\n\n${formatExhaustive(exhaustive)}`;
  console.log(markdown);
  if (values.json) await writeFile(values.json, `${JSON.stringify({ date: new Date().toISOString(), reports, exhaustive }, null, 2)}\n`);
  if (values.markdown) await writeFile(values.markdown, `${markdown}\n`);
  return reports.every((r) => r.pass) && exhaustive.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
