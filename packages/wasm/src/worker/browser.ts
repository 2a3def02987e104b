// The worker's browser entry (bundled to the string src/platform/browser.ts starts from a Blob URL):
// the worker body on the Web Worker's global scope.
import { startWorker } from './body.js';
import type { WorkerMessage } from './protocol.js';

const scope = globalThis as unknown as { postMessage(message: unknown): void; onmessage: ((event: { data: WorkerMessage & { id: number } }) => void) | null };
startWorker({
  post: (reply) => scope.postMessage(reply),
  listen: (handle) => {
    scope.onmessage = (event) => handle(event.data);
  },
  later: (fn) => setTimeout(fn, 0),
});
