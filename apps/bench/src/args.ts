import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { CHANNELS } from './inputs.js';
import type { BenchMode } from './types.js';

export const USAGE = `Usage:
  pnpm bench [--full | --quick | --smoke] [--filter=WORDS] [--sizes=N,N,…] [--out=DIR]
             [--machine=TEXT] [--no-progress]
  pnpm bench --rows=FILE.json [--write-readmes]
  pnpm bench --compare=BEFORE.json,AFTER.json
  pnpm bench --help

  --full            1K, 4K, …, 16M elements, 3 interleaved rounds (the default)
  --quick           1K, 16K, 256K, 2 rounds
  --smoke           256 and 1K, one short round: checks, not numbers
  --filter=WORDS    comma-separated words: rows whose id or package contains one (with their
                    peers and the copy limits); must match at least one APALU row
  --sizes=N,N,…     element counts instead of the mode's, positive multiples of ${CHANNELS}
  --out=DIR         where the results go (default: apps/bench/results)
  --machine=TEXT    a note on the machine, written with the results
  --no-progress     no progress bar or per-size lines
  --rows=FILE       print each package's rows of a saved run (runs nothing)
  --write-readmes   with --rows: put them into the package READMEs (complete full runs only)
  --compare=A,B     two saved runs side by side: B/A throughput per row and size, and the
                    spread of the rows no @apalu change can move (runs nothing)
  -h, --help        this text

Results are written as bench-<mode>.md, .json and .svg; a filtered, custom-size or interrupted
run's names say so (bench-full-filter-wasm, bench-quick-sizes-64K, bench-full-partial, …), so
only a complete, unfiltered full run at the default sizes replaces results/bench-full.*.
Ctrl-C stops after the current task and writes what was measured; a second Ctrl-C quits.
Exit status: 0 done, 1 a row was not timed or the run failed, 2 a usage error, 130 quit.`;

export interface RunCommand {
  kind: 'run';
  mode: BenchMode;
  filter?: string;
  sizes?: number[];
  out?: string;
  machine?: string;
  noProgress: boolean;
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'rows'; file: string; writeReadmes: boolean }
  | { kind: 'compare'; before: string; after: string }
  | RunCommand;

const RUN_OPTIONS = ['quick', 'smoke', 'full', 'filter', 'sizes', 'out', 'machine', 'no-progress'] as const;

function parseSizes(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new UsageError('--sizes needs at least one size, e.g. --sizes=65536,1048576.');
  return parts.map((p) => {
    const n = /^\d+$/.test(p) ? Number(p) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n > 0 && n % CHANNELS === 0)) {
      throw new UsageError(`--sizes: "${p}" is not a size; sizes are element counts, positive multiples of ${CHANNELS}, separated by commas (e.g. --sizes=65536,1048576).`);
    }
    return n;
  });
}

/** What the command line asks for; throws a UsageError (exit 2) for anything it cannot do. */
export function parseCliArgs(argv: string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
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
        compare: { type: 'string' },
      },
    }));
  } catch (error) {
    // node:util's parseArgs: unknown option, missing value, a positional argument.
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };

  for (const name of ['filter', 'out', 'machine', 'rows', 'compare'] as const) {
    if (values[name] !== undefined && values[name].trim() === '') throw new UsageError(`--${name} needs a value (--${name}=…).`);
  }
  if (values.compare !== undefined) {
    const files = values.compare.split(',').map((f) => f.trim());
    if (files.length !== 2 || files.some((f) => f === '')) {
      throw new UsageError(`--compare=${values.compare}: give two saved runs, before and after, separated by a comma (e.g. --compare=old/bench-full.json,results/bench-full.json).`);
    }
    const extra = [...RUN_OPTIONS, 'rows', 'write-readmes'].filter((name) => values[name as keyof typeof values] !== undefined && values[name as keyof typeof values] !== false);
    if (extra.length) throw new UsageError(`--compare reads two saved runs and runs nothing: ${extra.map((n) => `--${n}`).join(', ')} cannot go with it.`);
    return { kind: 'compare', before: files[0] as string, after: files[1] as string };
  }
  if (values.rows !== undefined) {
    const extra = RUN_OPTIONS.filter((name) => values[name] !== undefined && values[name] !== false);
    if (extra.length) throw new UsageError(`--rows prints the rows of a saved run and runs nothing: ${extra.map((n) => `--${n}`).join(', ')} cannot go with it.`);
    return { kind: 'rows', file: values.rows, writeReadmes: values['write-readmes'] };
  }
  if (values['write-readmes']) throw new UsageError('--write-readmes needs --rows=FILE.json, the saved run whose rows go into the READMEs (e.g. --rows=results/bench-full.json --write-readmes).');

  const modes = (['full', 'quick', 'smoke'] as const).filter((m) => values[m]);
  if (modes.length > 1) throw new UsageError(`choose one mode: ${modes.map((m) => `--${m}`).join(' and ')} were both given.`);
  const command: RunCommand = { kind: 'run', mode: modes[0] ?? 'full', noProgress: values['no-progress'] };
  if (values.filter !== undefined) {
    if (values.filter.split(',').every((w) => w.trim() === '')) throw new UsageError('--filter needs at least one word (--filter=wasm,tfjs).');
    command.filter = values.filter;
  }
  if (values.sizes !== undefined) command.sizes = parseSizes(values.sizes);
  if (values.out !== undefined) command.out = values.out;
  if (values.machine !== undefined) command.machine = values.machine;
  return command;
}
