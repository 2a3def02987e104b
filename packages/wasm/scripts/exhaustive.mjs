// Every float32 input (2^32) through the built package, forward and ∂f/∂x, checked by the
// conformance kit against @apalu/core's float64 reference. Usage:
//   pnpm --filter @apalu/wasm exhaustive [-- --simd false] [--precision fast] [--a 0.7 --b 1.3] [--sample-bits 28] [--threads 2]
import { formatExhaustive, runExhaustive } from '@apalu/conformance';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    simd: { type: 'string', default: 'true' },
    precision: { type: 'string', default: 'strict' },
    a: { type: 'string' },
    b: { type: 'string' },
    'sample-bits': { type: 'string', default: '32' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const module = new URL('../dist/index.js', import.meta.url).href;
const options = { simd: values.simd !== 'false', precision: values.precision };
let last = 0;
const report = await runExhaustive({
  module,
  options,
  sampleBits: Number(values['sample-bits']),
  ...(values.a === undefined ? {} : { a: Number(values.a) }),
  ...(values.b === undefined ? {} : { b: Number(values.b) }),
  threads: Number(values.threads),
  onProgress(done, total) {
    const now = Date.now();
    if (now - last > 15000 || done === total) {
      last = now;
      process.stderr.write(`${done}/${total} chunks\n`);
    }
  },
});
console.log(formatExhaustive([report]));
console.log(JSON.stringify({ ...report }, null, 2));
process.exitCode = report.pass && report.complete ? 0 : 1;
