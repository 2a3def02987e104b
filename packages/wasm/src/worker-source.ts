import { SCRATCH_BYTES_PER_CHANNEL } from './kernels.js';
import { STREAM_WORKER } from './stream-worker.js';

/**
 * The worker body, as source text: started with `eval: true` in Node and from a Blob URL
 * in browsers, so no worker file has to be located next to the bundle (tsup, Vite and
 * tfjs's ERR_WORKER_PATH problems all come from that). It instantiates the shared-memory
 * build over the memory it is sent and runs the range kernels it is asked to.
 *
 * `prelude` is the platform's part (src/platform/*.ts), which must define `port` (with
 * `postMessage`), `listen(handle)` (calls handle with each message's data) and `later(fn)`.
 */
export const workerSource = (prelude: string): string => `'use strict';
${prelude}
let kernels;
let counter;
let memory;
${STREAM_WORKER}
function run(type, args) {
  if (type === 3 || type === 4) {
    stream(type === 4, args);
  } else if (type === 1) {
    // Forward in chunks taken from the shared counter (see WorkerPool.chunks).
    const [x, out, n, a, b, C, S, code, chunk] = args;
    for (;;) {
      const start = Atomics.add(counter, 0, 1) * chunk;
      if (start >= n) break;
      kernels.forwardRange(x, out, start, Math.min(chunk, n - start), a, b, C, S, code);
    }
  } else {
    // Backward in chunks; chunk i adds its sums to its own zeroed float64 slice.
    const [x, dy, dx, n, a, b, C, S, scratch, code, chunk] = args;
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      const start = i * chunk;
      if (start >= n) break;
      kernels.backwardRange(x, dy, dx, start, Math.min(chunk, n - start), a, b, C, S, scratch + ${SCRATCH_BYTES_PER_CHANNEL} * C * i, code);
    }
  }
}
const JOB_TYPES = { forwardChunks: 1, backwardChunks: 2, streamForward: 3, streamBackward: 4 };
const describe = (error) => String((error && error.stack) || error);
// With control slots (the Node platform), after init the worker waits on its slot (Atomics)
// instead of its message port. Slot: [seq, done, failed, type, nargs, 16 args, error text...];
// the parent writes the job, then seq. A failure leaves its message in the slot (the parent is blocked in join and
// would not see a message before it returns), failed = its length + 1.
function serve(control, base, slotSize) {
  let seen = 0;
  for (;;) {
    Atomics.wait(control, base, seen);
    seen = Atomics.load(control, base);
    const args = [];
    for (let i = 0; i < control[base + 4]; i++) args.push(control[base + 5 + i]);
    try {
      run(control[base + 3], args);
    } catch (error) {
      const text = describe(error).slice(0, slotSize - 21);
      for (let i = 0; i < text.length; i++) control[base + 21 + i] = text.charCodeAt(i);
      Atomics.store(control, base + 2, text.length + 1);
    }
    Atomics.store(control, base + 1, seen);
    Atomics.notify(control, base + 1);
  }
}
function handle(m) {
  try {
    if (m.type === 'init') {
      kernels = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      counter = m.counter;
      memory = m.memory;
    } else run(JOB_TYPES[m.type], m.args);
    port.postMessage({ id: m.id });
    if (m.type === 'init' && m.control) later(() => serve(m.control, m.slot, m.slotSize));
  } catch (error) {
    port.postMessage({ id: m.id, error: describe(error) });
  }
}
listen(handle);
`;
