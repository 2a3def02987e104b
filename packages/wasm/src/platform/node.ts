// The Node platform: worker_threads running the bundled worker (eval), jobs through Atomics control slots.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NODE_WORKER as SOURCE } from '../generated/worker-node.js';
import type { Platform } from './types.js';

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
