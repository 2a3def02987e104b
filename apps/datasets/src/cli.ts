import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Level } from './harness.js';
import { EXPERIMENTS, runExperiments } from './run.js';
import { writeReport } from './report/render.js';

const usage = `usage: node --import tsx src/cli.ts <experiment…|all|report> [--smoke|--quick|--full] [--seeds N] [--out DIR] [--no-progress]
experiments: ${EXPERIMENTS.map((e) => `${e.id} (${e.title})`).join('; ')}
Results go to results/<level>/ (JSON per experiment, report.md, SVG plots). Ctrl+C stops after the current batch and keeps what finished; a second Ctrl+C quits at once.`;

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        smoke: { type: 'boolean' },
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        seeds: { type: 'string' },
        out: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(1);
  }
}
const { values, positionals } = parse();

if (values.help || positionals.length === 0) {
  console.log(usage);
  process.exit(values.help ? 0 : 1);
}
const levels = (['smoke', 'quick', 'full'] as const).filter((l) => values[l]);
if (levels.length > 1) {
  console.error(`give one of --smoke, --quick, --full (got ${levels.map((l) => `--${l}`).join(' ')}).`);
  process.exit(1);
}
const level: Level = levels[0] ?? 'quick';
const out = resolve(values.out ?? new URL(`../results/${level}`, import.meta.url).pathname);
let seeds: number | undefined;
if (values.seeds !== undefined) {
  seeds = Number(values.seeds);
  if (!(Number.isInteger(seeds) && seeds >= 1)) {
    console.error(`--seeds ${values.seeds}: give a whole number ≥ 1.`);
    process.exit(1);
  }
}

if (positionals[0] === 'report') {
  console.log(`report → ${await writeReport(out, EXPERIMENTS)}`);
} else {
  const ids = positionals[0] === 'all' ? EXPERIMENTS.map((e) => e.id) : positionals;
  const unknown = ids.filter((id) => !EXPERIMENTS.some((e) => e.id === id));
  if (unknown.length > 0) {
    console.error(`unknown experiment ${unknown.map((u) => `'${u}'`).join(', ')}.\n${usage}`);
    process.exit(1);
  }
  const stop = { requested: false };
  let firstAt = 0;
  process.on('SIGINT', () => {
    // One Ctrl+C can arrive twice (the terminal signals the whole process group and a
    // wrapper such as pnpm may forward it): only a second press after a second quits.
    if (stop.requested) {
      if (Date.now() - firstAt > 1000) process.exit(130);
      return;
    }
    firstAt = Date.now();
    stop.requested = true;
    process.stderr.write('\nstopping after the current batch (Ctrl+C again to quit now)…\n');
  });
  const r = await runExperiments({ ids, level, out, seeds, stop, progress: !values['no-progress'] });
  process.exit(r.stopped ? 130 : 0);
}
