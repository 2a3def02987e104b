// The Node entry (package.json exports, "node" condition): like src/index.ts, but createBackend
// imports a missing tfjs backend package itself, and ensureNavigatorGpu installs Dawn from the
// optional `webgpu` package.
import type { ApaluBackend } from '@apalu/core';
import type { TfjsBackendOptions } from './backend-options.js';
import { createBackendOn } from './backend.js';
import { nodePlatform } from './platform/node.js';
import { registerApalu } from './layer.js';

export * from './common.js';
export { ensureNavigatorGpu } from './platform/node-gpu.js';

/**
 * The ApaluBackend (see @apalu/core) for the conformance kit and apps: imports the tfjs backend
 * package when nothing registered it yet (an optional peer dependency).
 */
export function createBackend(options?: TfjsBackendOptions): Promise<ApaluBackend> {
  return createBackendOn(nodePlatform, options);
}

registerApalu();
