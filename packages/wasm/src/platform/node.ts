import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerSource } from '../worker-source.js';
import type { Platform } from './types.js';

/** Node's worker body: `eval: true` runs it as a CommonJS script, so `require` is there. */
const SOURCE = workerSource(`const port = require('node:worker_threads').parentPort;
const listen = (handle) => port.on('message', handle);
const later = setImmediate;`);

/** Node (and runtimes that resolve the "node" export condition): worker_threads, jobs through Atomics. */
export const nodePlatform: Platform = {
  direct: true,
  availableThreads: () => availableParallelism(),
  workersUnavailable: () => undefined,
  startWorkers(count, onReply, onError) {
    return Array.from({ length: count }, () => {
      const worker = new Worker(SOURCE, { eval: true });
      worker.on('message', onReply);
      worker.on('error', onError);
      worker.unref();
      return {
        post: (m) => worker.postMessage(m),
        terminate: () => worker.terminate(),
        hold: (active) => (active ? worker.ref() : worker.unref()),
      };
    });
  },
};
