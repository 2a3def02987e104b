// The browser entry (every runtime that does not resolve the "node" export condition): no Node
// module anywhere in it. Threads are Web Workers, which need shared memory: a cross-origin
// isolated page (COOP/COEP headers), otherwise the backend runs on one thread and says why.
import { type WasmBackend, type WasmBackendOptions, createBackendOn } from './backend.js';
import { browserPlatform } from './platform/browser.js';

export * from './api.js';

/**
 * Creates the WebAssembly backend. Every call copies x (and dy) through the backend's own
 * memory in cache-sized blocks, runs the kernels there and writes the results into new arrays,
 * or into the caller's (`{ out }`); the inputs are never written unless passed as an output.
 * Threads (`threads` > 1) are Web Workers sharing the backend's memory (cross-origin isolated
 * pages only; elsewhere one thread, with `threadsNote` saying why).
 */
export function createBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return createBackendOn(browserPlatform, options);
}
