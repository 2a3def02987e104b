// The browser entry (every runtime that does not resolve the "node" export condition): no Node
// module anywhere in it. Threads are Web Workers, which need shared memory: a cross-origin
// isolated page (COOP/COEP headers), otherwise the backend runs on one thread and says why.
import { type WasmBackend, type WasmBackendOptions, createBackendOn } from './backend.js';
import { browserPlatform } from './platform/browser.js';

export * from './api.js';

/**
 * Creates the WebAssembly backend. Every call copies x (and dy) into the backend's own
 * memory, runs the kernels there and returns fresh arrays: the inputs are never written.
 * Threads (`threads` > 1) are Web Workers sharing the backend's memory (cross-origin isolated
 * pages only; elsewhere one thread, with `threadsNote` saying why).
 */
export function createBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return createBackendOn(browserPlatform, options);
}
