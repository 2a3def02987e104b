// The Node entry (export condition "node"): threads are worker_threads. The browser entry,
// src/index.browser.ts, has the same API and no Node module.
import { type WasmBackend, type WasmBackendOptions, createBackendOn } from './backend.js';
import { nodePlatform } from './platform/node.js';

export * from './api.js';

/**
 * Creates the WebAssembly backend. Every call copies x (and dy) into the backend's own
 * memory, runs the kernels there and returns fresh arrays: the inputs are never written.
 * Threads (`threads` > 1) are worker_threads sharing the backend's memory.
 */
export function createBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return createBackendOn(nodePlatform, options);
}
