// The browser platform: Web Workers from a Blob URL running the bundled worker, jobs by postMessage.
import { BROWSER_WORKER as SOURCE } from '../generated/worker-browser.js';
import type { Platform } from './types.js';

/**
 * Browsers, Web Workers and every runtime that does not resolve the "node" export condition:
 * Web Workers started from a Blob URL, jobs through postMessage. Shared memory (and so more
 * than one thread) needs a cross-origin isolated page (COOP/COEP headers).
 */
export const browserPlatform: Platform = {
  direct: false,
  availableThreads: () =>
    typeof navigator === 'object' && navigator !== null && typeof navigator.hardwareConcurrency === 'number' && navigator.hardwareConcurrency >= 1
      ? navigator.hardwareConcurrency
      : 1,
  workersUnavailable: () =>
    typeof Worker === 'function' && typeof Blob === 'function' && typeof URL === 'function' && typeof URL.createObjectURL === 'function'
      ? undefined
      : 'Web Workers from a Blob URL are unavailable here (no Worker, Blob or URL.createObjectURL; a Node process takes the package\'s "node" build)',
  startWorkers(count, onReply, onError) {
    const url = URL.createObjectURL(new Blob([SOURCE], { type: 'text/javascript' }));
    try {
      return Array.from({ length: count }, () => {
        const worker = new Worker(url);
        worker.onmessage = (event: MessageEvent<{ id: number; error?: string }>) => onReply(event.data);
        worker.onerror = (event) => onError(new Error(`worker error: ${event.message}`));
        return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate(), hold: () => {} };
      });
    } finally {
      URL.revokeObjectURL(url);
    }
  },
};
