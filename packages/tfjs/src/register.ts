/** Registers the Apalu and ApaluGrad kernels of every tfjs backend and the gradient with tfjs, and says whether a backend has one. */
import * as tf from '@tensorflow/tfjs-core';
import { apaluGradConfig } from './gradient.js';
import { cpuKernels } from './kernels/cpu.js';
import { wasmKernels } from './kernels/wasm.js';
import { webglKernels, webglKernelUsable } from './kernels/webgl.js';
import { webgpuKernels } from './kernels/webgpu.js';
import { APALU_KERNEL } from './names.js';

let registered = false;

/**
 * Registers the Apalu and ApaluGrad kernels (cpu, wasm, webgpu, webgl) and the gradient with tfjs.
 * Idempotent; every entry point calls it, so users need it only before `tf.loadLayersModel`
 * if they import nothing else from this package (see `registerApalu`).
 */
export function registerApaluKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of [...cpuKernels, ...wasmKernels, ...webgpuKernels, ...webglKernels]) {
    // A second copy of this package (ESM and CJS side by side) must not register twice.
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  if (tf.getGradient(APALU_KERNEL) === undefined) tf.registerGradient(apaluGradConfig);
}

/** Whether the active backend has a fused Apalu kernel (otherwise the op composes tfjs ops). */
export function hasApaluKernel(backendName: string = tf.getBackend()): boolean {
  registerApaluKernels();
  // The webgl kernels are GLSL ES 3.00: on WebGL1 the op composes tfjs ops.
  if (backendName === 'webgl' && !webglKernelUsable()) return false;
  return tf.getKernel(APALU_KERNEL, backendName) !== undefined;
}
