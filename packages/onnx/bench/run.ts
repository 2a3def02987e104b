/** pnpm --filter @apalu/onnx bench — prints the table that goes into README.md. */
import os from 'node:os';
import { benchOnnx } from './bench.js';

const rows = await benchOnnx();
console.log(`onnxruntime-web 1.30.0 wasm, 1 thread, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, shared)\n`);
console.log('| model | elements | median ms | × Elu | target |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) {
  const verdict = r.target === undefined ? '' : r.ratioToElu <= r.target ? `≤ ${r.target} ✓` : `≤ ${r.target} ✗`;
  console.log(`| ${r.case} | ${r.elements} | ${r.medianMs.toFixed(2)} | ${r.ratioToElu.toFixed(2)} | ${verdict} |`);
}
