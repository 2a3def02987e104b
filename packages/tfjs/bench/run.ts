import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { runTfjsBench } from './bench.js';

// `pnpm --filter @apalu/tfjs bench [--quick] [--filter TEXT]`: prints a table and the rows as JSON.
// --filter composed: only the cases whose name holds TEXT (and their baselines).
const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--filter');
const filter = at >= 0 ? process.argv[at + 1] : undefined;
const rows = [];
for (const backend of ['wasm', 'cpu']) {
  rows.push(...(await runTfjsBench({ backends: [backend], ...(quick ? { rounds: 2, time: 150, epochSamples: 2048 } : {}), ...(filter === undefined ? {} : { filter }) })));
  console.error(`${backend} done`);
}
console.table(
  rows.map((r) => ({
    backend: r.backend,
    case: r.case,
    'median ms': r.medianMs.toFixed(3),
    'vs baseline': r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.baseline}`,
    target: r.target === undefined ? '' : `≤ ${r.target}×`,
  })),
);
console.log(JSON.stringify(rows));
