import { availableParallelism, cpus } from 'node:os';
import { benchWasm, formatWasmBench } from './bench.js';
import { findChromium } from '../scripts/chromium.js';
import { benchWasmInChromium } from './browser.js';

const rows = await benchWasm();
console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`);
console.log(formatWasmBench(rows));

const { path, reason } = findChromium();
if (path === undefined) {
  console.log(`\nNo Chromium rows: ${reason}`);
} else {
  const browser = await benchWasmInChromium(path);
  console.log(`\nIn Chromium ${browser.version}, one thread (the page's main thread):\n`);
  console.log(formatWasmBench(browser.rows));
}
