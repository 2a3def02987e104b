/** The browser platform of createBackend: the page imports tfjs backend packages, navigator.gpu is used as it is, memory from navigator.deviceMemory. */
import { ApaluEnvironmentError } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfBackendName } from '../backend-options.js';
import type { Platform } from './types.js';

/**
 * In a browser navigator.gpu exists or it does not: nothing to install. Resolves to whether
 * it exists.
 */
export async function ensureNavigatorGpu(): Promise<boolean> {
  return (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
}

/**
 * Browser builds never import a tfjs backend package by a computed name (bundlers cannot follow
 * it): the page imports the package, as tfjs's own documentation has it.
 */
async function loadBackend(name: TfBackendName, packageName: string): Promise<void> {
  const extra =
    name === 'wasm'
      ? " (and call setWasmPaths(...) from it if your bundler does not serve its .wasm files next to the bundle)"
      : name === 'cpu'
        ? " (or import '@tensorflow/tfjs', which registers cpu and webgl)"
        : '';
  throw new ApaluEnvironmentError(
    'E_BACKEND',
    `tfBackend '${name}' is not registered with tfjs: add \`import '${packageName}';\` to your code before createBackend${extra}, ` +
      `after \`npm i ${packageName}@${tf.version_core}\` (the same version as your @tensorflow/tfjs-core). ` +
      '@apalu/tfjs does not import tfjs backend packages itself in browser builds.',
  );
}

/** navigator.deviceMemory (GiB, Chromium only, rounded down and capped at 8 for privacy), or undefined. */
function memoryBytes(): number | undefined {
  const gib = (globalThis as { navigator?: { deviceMemory?: unknown } }).navigator?.deviceMemory;
  return typeof gib === 'number' && gib > 0 ? gib * 2 ** 30 : undefined;
}

export const browserPlatform: Platform = { ensureNavigatorGpu, loadBackend, memoryBytes };
