import { availableParallelism, cpus } from 'node:os';
import { benchWasm, formatWasmBench } from './bench.js';

const rows = await benchWasm();
console.log(`Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`);
console.log(formatWasmBench(rows));
