/**
 * The worker body, as source text: started with `eval: true` in Node and from a Blob URL
 * in browsers, so no worker file has to be located next to the bundle (tsup, Vite and
 * tfjs's ERR_WORKER_PATH problems all come from that). It instantiates the shared-memory
 * build over the memory it is sent and runs the range kernels it is asked to.
 */
export const WORKER_SOURCE = `'use strict';
const isNode = typeof process === 'object' && process !== null && !!(process.versions && process.versions.node);
const port = isNode ? require('node:worker_threads').parentPort : self;
let kernels;
function handle(m) {
  try {
    if (m.type === 'init') kernels = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
    else if (m.type === 'forward') kernels.forwardRange.apply(null, m.args);
    else if (m.type === 'backward') kernels.backwardRange.apply(null, m.args);
    port.postMessage({ id: m.id });
  } catch (error) {
    port.postMessage({ id: m.id, error: String((error && error.stack) || error) });
  }
}
if (isNode) port.on('message', handle);
else self.onmessage = (event) => handle(event.data);
`;
