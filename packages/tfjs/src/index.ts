// The browser (and default) entry: no Node-only code — no `webgpu` package, no import of a
// tfjs backend package by a computed name (the page imports the backend packages it uses).
import type { ApaluBackend } from '@apalu/core';
import type { TfjsBackendOptions } from './backend-options.js';
import { createBackendOn } from './backend.js';
import { browserPlatform } from './platform/browser.js';
import { registerApalu } from './layer.js';

export * from './common.js';
export { ensureNavigatorGpu } from './platform/browser.js';

/**
 * The ApaluBackend (see @apalu/core) for the conformance kit and apps. In browser builds the
 * tfjs backend package must be imported first (`import '@tensorflow/tfjs-backend-wasm'`);
 * a missing one is an ApaluInputError that names it.
 */
export function createBackend(options?: TfjsBackendOptions): Promise<ApaluBackend> {
  return createBackendOn(browserPlatform, options);
}

// `import '@apalu/tfjs'` registers the Apalu layer class, ApaluInitializer and the kernels
// (this file is listed in package.json's sideEffects, so bundlers keep it).
registerApalu();
