// The worker's Node entry (bundled to the string src/platform/node.ts starts with `eval: true`):
// the worker body on worker_threads' parentPort.
import { parentPort } from 'node:worker_threads';
import { startWorker } from './body.js';

const port = parentPort as NonNullable<typeof parentPort>;
startWorker({ post: (reply) => port.postMessage(reply), listen: (handle) => port.on('message', handle), later: (fn) => setImmediate(fn) });
