/** The options of @apalu/tfjs's createBackend (tfjs backend, path, precision, cpu engine, memory limit) and the npm package of each tfjs backend. */
import type { Precision } from './op.js';
import type { CpuKernelEngine } from './kernels/cpu-engine.js';

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu' | 'webgl';

export interface TfjsBackendOptions {
  /** The tfjs backend to compute on (default 'cpu'); its package must be installed (in browsers: imported). */
  tfBackend?: TfBackendName;
  /** 'kernel': the registered Apalu kernels (strict class); 'composed': tfjs ops (composed class). */
  path?: 'kernel' | 'composed';
  /** 'fast': @apalu/wasm's float32 loops (composed class) in the cpu and wasm kernels; 'strict' (default). */
  precision?: Precision;
  /**
   * What computes the cpu kernels (and the wasm backend's copying route) during this backend's
   * calls: 'wasm' (the default where WebAssembly runs) or 'js' (see `setCpuKernelEngine`).
   */
  cpuEngine?: CpuKernelEngine;
  /**
   * Memory one call may take, in bytes: a longer x is refused with E_TOO_LARGE before anything is
   * allocated (see the README's size limits). Default on the cpu backend: the machine's memory
   * (Node: os.totalmem(); browsers: navigator.deviceMemory where it exists); wasm always keeps
   * within tfjs-backend-wasm's 4 GiB heap and webgpu within the GPU's largest buffer.
   */
  memoryLimitBytes?: number;
}

/** The npm package that registers each tfjs backend. */
export const BACKEND_PACKAGES: Readonly<Record<TfBackendName, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
};
