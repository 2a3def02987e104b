/** The Node platform of createBackend: imports a missing tfjs backend package, provides navigator.gpu through Dawn, memory from os.totalmem(). */
import { totalmem } from 'node:os';
import { ApaluEnvironmentError } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TfBackendName } from '../backend-options.js';
import { ensureNavigatorGpu } from './node-gpu.js';
import type { Platform } from './types.js';

/** Node: imports the tfjs backend package (an optional peer dependency) when nothing registered it. */
async function loadBackend(name: TfBackendName, packageName: string): Promise<void> {
  try {
    // A computed specifier: the backend packages are optional peers, so a literal import would
    // fail the build of a Node bundle that leaves them out.
    await import(/* @vite-ignore */ /* webpackIgnore: true */ packageName);
  } catch (error) {
    throw new ApaluEnvironmentError(
      'E_BACKEND',
      `tfBackend '${name}' needs ${packageName}: npm i ${packageName}@${tf.version_core} (the same version as your @tensorflow/tfjs-core), or import it yourself first (${String(error)}).`,
    );
  }
}

export const nodePlatform: Platform = { ensureNavigatorGpu, loadBackend, memoryBytes: () => totalmem() };
