import { type ApaluBackend, ApaluInputError, gpuOpsInputExclusions, type InputExclusions, validateCall } from '@apalu/core';
import { precisionCode } from '@apalu/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type CpuKernelEngine, withCpuKernelEngine } from './kernels/cpu-engine.js';
import { ensureNavigatorGpu } from './navigator-gpu.js';
import { apalu, type Precision } from './op.js';
import { hasApaluKernel } from './register.js';

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu';

export interface TfjsBackendOptions {
  /** The tfjs backend to compute on (default 'cpu'); its package must be installed. */
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
}

/** Every variant the conformance report lists; webgpu needs an adapter (see the README). */
export const conformanceVariants = [
  { name: 'tfjs-cpu-kernel', options: { tfBackend: 'cpu', path: 'kernel' } },
  { name: 'tfjs-cpu-kernel-fast', options: { tfBackend: 'cpu', path: 'kernel', precision: 'fast' } },
  { name: 'tfjs-cpu-kernel-js', options: { tfBackend: 'cpu', path: 'kernel', cpuEngine: 'js' } },
  { name: 'tfjs-cpu-composed', options: { tfBackend: 'cpu', path: 'composed' } },
  { name: 'tfjs-wasm-kernel', options: { tfBackend: 'wasm', path: 'kernel' } },
  { name: 'tfjs-wasm-kernel-fast', options: { tfBackend: 'wasm', path: 'kernel', precision: 'fast' } },
  { name: 'tfjs-wasm-composed', options: { tfBackend: 'wasm', path: 'composed' } },
  { name: 'tfjs-webgpu-kernel', options: { tfBackend: 'webgpu', path: 'kernel' } },
  { name: 'tfjs-webgpu-composed', options: { tfBackend: 'webgpu', path: 'composed' }, excludeInputs: gpuOpsInputExclusions('tfjs-webgpu') },
] as const satisfies readonly { name: string; options: TfjsBackendOptions; excludeInputs?: InputExclusions }[];

const packages: Record<TfBackendName, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

/** Registers the tfjs backend by importing its package when nothing registered it yet. */
async function useBackend(name: TfBackendName): Promise<void> {
  if (name === 'webgpu') await ensureNavigatorGpu();
  if (tf.findBackendFactory(name) === null || tf.findBackendFactory(name) === undefined) {
    try {
      await import(packages[name]);
    } catch (error) {
      throw new ApaluInputError('E_BACKEND', `tfBackend '${name}' needs ${packages[name]} (npm i -E ${packages[name]}@4.22.0): ${String(error)}`);
    }
  }
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
    throw new ApaluInputError('E_BACKEND', `tfjs could not initialise its '${name}' backend${name === 'webgpu' ? ' (no WebGPU adapter: navigator.gpu is missing or offers none)' : ''}.`);
  }
  await tf.ready();
}

/**
 * Makes `name` the active tfjs backend before the caller computes, without yielding: another
 * backend's call may have switched tfjs while this one awaited `useBackend`. tfjs switches to an
 * initialised backend synchronously (setBackend's body runs to the end before its first await).
 */
function activate(name: TfBackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new ApaluInputError('E_BACKEND', `tfjs did not switch to its '${name}' backend; await tf.ready() and retry.`);
}

/** Shapes the flat SPEC call as x: [N/(C·S), C, S] and a, b: [C, 1], which the op maps back to (C, S). */
function shaped(x: Float32Array, a: Float32Array, b: Float32Array, inner: number) {
  const c = a.length;
  return {
    x: tf.tensor3d(x, [x.length / (c * inner), c, inner], 'float32'),
    a: tf.tensor2d(a, [c, 1], 'float32'),
    b: tf.tensor2d(b, [c, 1], 'float32'),
  };
}

/**
 * The ApaluBackend (DESIGN.md) for the conformance kit and apps: APALU through tfjs on the chosen
 * backend and path. Inputs are validated with @apalu/core before any tensor is made.
 */
export async function createBackend(options: TfjsBackendOptions = {}): Promise<ApaluBackend> {
  const { tfBackend = 'cpu', path = 'kernel', precision = 'strict', cpuEngine } = options;
  if (!Object.hasOwn(packages, tfBackend)) throw new ApaluInputError('E_BACKEND', `tfBackend = ${String(tfBackend)}: use 'cpu', 'wasm' or 'webgpu'.`);
  if (path !== 'kernel' && path !== 'composed') throw new ApaluInputError('E_PATH', `path = ${String(path)}: use 'kernel' or 'composed'.`);
  precisionCode(precision);
  // Checks the value (and that 'wasm' can run here) without changing the process-wide choice.
  withCpuKernelEngine(cpuEngine, () => undefined);
  const op = { path, precision } as const;
  const withEngine = <T>(f: () => T): T => withCpuKernelEngine(cpuEngine, f);
  await useBackend(tfBackend);
  if (path === 'kernel' && !hasApaluKernel(tfBackend)) {
    throw new ApaluInputError('E_PATH', `no Apalu kernel is registered for tfjs backend '${tfBackend}'; use path 'composed'.`);
  }
  return {
    name: `tfjs-${tfBackend}-${path}${precision === 'fast' ? '-fast' : ''}${cpuEngine === 'js' ? '-js' : ''}`,
    // 'fast' changes only the kernels that run @apalu/wasm, but the class a caller asked for is the one checked.
    accuracy: path === 'kernel' && precision === 'strict' ? 'strict' : 'composed',
    async forward(x, a, b, layout) {
      const { inner } = validateCall(x, a, b, layout?.inner);
      await useBackend(tfBackend);
      activate(tfBackend);
      const y = withEngine(() => tf.tidy(() => {
        const t = shaped(x, a, b, inner);
        return apalu(t.x, t.a, t.b, op);
      }));
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return Float32Array.from(out);
    },
    async backward(x, dy, a, b, layout) {
      const { inner } = validateCall(x, a, b, layout?.inner, dy);
      await useBackend(tfBackend);
      activate(tfBackend);
      const grads = withEngine(() => tf.tidy(() => {
        const t = shaped(x, a, b, inner);
        const g = tf.tensor3d(dy, t.x.shape, 'float32');
        return tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, op))([t.x, t.a, t.b], g);
      }));
      const [dx, da, db] = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
      tf.dispose(grads);
      return { dx: Float32Array.from(dx as Float32Array), da: Float32Array.from(da as Float32Array), db: Float32Array.from(db as Float32Array) };
    },
  };
}
