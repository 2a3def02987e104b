#!/usr/bin/env node
/** The apalu-conformance command: runs the kit (and optionally the exhaustive check) on backend modules and prints a markdown matrix. */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type ExhaustiveReport, runExhaustive } from './exhaustive.js';
import { formatExhaustive, formatMatrix } from './matrix.js';
import { type ConformanceReport, formatFailures, runConformance } from './run.js';
import { loadVariants, variantRunOptions } from './variants.js';
import { DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED } from './contract.js';
import { CallTimeoutError, DEFAULT_CALL_TIMEOUT, timed } from './timeout.js';

const usage = `Usage: apalu-conformance [options] <module[#variant]>...

Runs the APALU conformance kit (the contract: the SPEC.md shipped in @apalu/core) against
backend modules that export createBackend(options?) and prints a markdown matrix. The
variants run are the conformanceVariants of <module>/conformance when the package has that
subpath, else those of the module itself, else one createBackend() with no options;
#variant picks one of them by name.

Options:
  --large             add the 16M-element case
  --seed <n>          seed of the property case (32-bit integer; default ${DEFAULT_PROPERTY_SEED})
  --runs <n>          random inputs of the property case (default ${DEFAULT_PROPERTY_RUNS}; fuzz: 100000)
  --path <p>          with --seed: replay the property counterexample at this fast-check path
  --timeout <s>       per-call time limit in seconds (default ${DEFAULT_CALL_TIMEOUT / 1000}); a call that
                      never settles fails its case
  --exhaustive        also check f and ∂f/∂x on float32 inputs in worker threads
  --sample-bits <n>   with --exhaustive: 2^n inputs (20…32, default 32 = all 2^32)
  --threads <n>       with --exhaustive: worker threads (default: all cores)
  --json <file>       write the reports as JSON
  --markdown <file>   write the matrix as markdown
  --quiet             no progress bar
  -h, --help          this text

Exit status: 0 when every variant passes, 1 when a case fails (a call that does not settle
in time included), 2 for a usage error or a module that cannot be loaded.

Example: apalu-conformance @apalu/core @apalu/wasm --json conformance.json`;

class UsageError extends Error {}

/** An integer option in [min, max], or undefined when absent; anything else is a usage error. */
function integer(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw new UsageError(`--${name} ${v}: expected an integer from ${min} to ${max}.`);
  return n;
}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        large: { type: 'boolean', default: false },
        seed: { type: 'string' },
        runs: { type: 'string' },
        path: { type: 'string' },
        timeout: { type: 'string' },
        exhaustive: { type: 'boolean', default: false },
        'sample-bits': { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'string' },
        markdown: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  for (const name of ['sample-bits', 'threads'] as const) {
    if (values[name] !== undefined && !values.exhaustive) throw new UsageError(`--${name} only applies to --exhaustive, which is not set: add --exhaustive or drop --${name}.`);
  }
  if (values.path !== undefined && values.seed === undefined) throw new UsageError('--path replays a counterexample of one seed: give its --seed too.');
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) throw new UsageError(`--path ${values.path}: expected a fast-check path like 12:0:3 from a report.`);
  let timeout: number | undefined;
  if (values.timeout !== undefined) {
    timeout = /^\d+(\.\d+)?$/.test(values.timeout.trim()) ? Number(values.timeout) : Number.NaN;
    if (!(timeout > 0 && timeout <= 2_147_483)) throw new UsageError(`--timeout ${values.timeout}: expected seconds, a number > 0 and at most 2147483.`);
  }
  return {
    values,
    positionals,
    seed: integer('seed', values.seed, -(2 ** 31), 2 ** 32 - 1),
    runs: integer('runs', values.runs, 1, 100_000_000),
    sampleBits: integer('sample-bits', values['sample-bits'], 20, 32),
    threads: integer('threads', values.threads, 1, 1024),
    callTimeout: timeout === undefined ? undefined : Math.round(timeout * 1000),
  };
}

/** JSON has no NaN or ±∞ (JSON.stringify writes null): write them as the strings "NaN", "Infinity", "-Infinity". */
const nonFinite = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);

let finished = false;

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`apalu-conformance: ${error.message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals, sampleBits, threads, seed, runs, callTimeout } = args;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`apalu-conformance: no backend module given.\n\n${usage}`);
    return 2;
  }
  const ms = callTimeout ?? DEFAULT_CALL_TIMEOUT;
  const bar = values.quiet || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ format: ' {bar} {value}/{total} {name}', clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);

  const reports: ConformanceReport[] = [];
  const exhaustive: ExhaustiveReport[] = [];
  for (const entry of positionals) {
    for (const variant of await loadVariants(entry)) {
      if (variant.platform === 'browser') {
        const why = `${variant.name} runs in a browser only (it needs WebGL); run it in a browser page, not in Node`;
        if (entry.includes('#')) throw new UsageError(why);
        console.error(`– ${why}: not run here.`);
        continue;
      }
      const backend = await timed(`createBackend() of ${variant.name}`, ms, () => variant.create());
      try {
        bar?.start(1, 0, { name: variant.name });
        const report = await runConformance(backend, {
          large: values.large,
          ...variantRunOptions(variant),
          create: () => variant.create(),
          callTimeout: ms,
          ...(seed !== undefined ? { seed } : {}),
          ...(runs !== undefined ? { runs } : {}),
          ...(values.path !== undefined ? { propertyPath: values.path } : {}),
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
        if (typeof backend.dispose === 'function') await timed(`dispose() of ${variant.name}`, ms, () => backend.dispose!());
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
  if (values.json) await writeFile(values.json, `${JSON.stringify({ date: new Date().toISOString(), reports, exhaustive }, nonFinite, 2)}\n`);
  if (values.markdown) await writeFile(values.markdown, `${markdown}\n`);
  return reports.every((r) => r.pass) && exhaustive.every((r) => r.pass) ? 0 : 1;
}

// A backend whose promises never settle and hold no timer would let Node exit with main() still
// pending (and exit status 0). The per-call limit keeps a timer alive; this is the last guard.
process.on('exit', (code) => {
  if (!finished && code === 0) {
    console.error('apalu-conformance: the run ended before every case finished (a backend promise never settled and nothing was left to wait for); failing.');
    process.exitCode = 1;
  }
});

main().then(
  (code) => {
    finished = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    finished = true;
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = error instanceof CallTimeoutError ? 1 : 2;
  },
);
