// The Node entry (export condition "node"): threads are worker_threads. The browser entry,
// src/index.browser.ts, has the same API and no Node module.
import { type WasmBackend, type WasmBackendOptions, createBackendOn } from './backend.js';
import { nodePlatform } from './platform/node.js';

export * from './api.js';

/**
 * Creates the WebAssembly backend. Every call copies x (and dy) through the backend's own
 * memory in cache-sized blocks, runs the kernels there and writes the results into new arrays,
 * or into the caller's (`{ out }`); the inputs are never written unless passed as an output.
 * Threads (`threads` > 1) are worker_threads sharing the backend's memory.
 */
export function createBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return createBackendOn(nodePlatform, options);
}
